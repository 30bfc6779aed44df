//! Hand-over when a worker is deactivated or moves: the counts the administrator sees (no
//! patient data), and carrying out the hand-over inside the account change's transaction.

use crate::audit::{record_change, Actor};
use crate::db::access_log::Action;
use crate::db::agreements::Save;
use crate::db::users::UserRow;
use crate::db::{self, Db, Tx};
use crate::domain::agreement::{Content, Staff, Status};
use crate::domain::followup::Change;
use crate::domain::handover::{self, FollowupsTo, Handover, Holdings};
use crate::domain::validation::FieldErrors;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::page::Choice;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// What the user page shows and the forms need for a hand-over.
#[derive(Debug, Clone, Serialize)]
pub struct Offer {
    pub open_followups: i64,
    pub relatives: i64,
    pub agreements: i64,
    pub colleagues: Vec<Choice>,
    /// The colleagues, and the district's manager to assign them when there is one.
    pub followup_choices: Vec<Choice>,
    /// Anything to hand over at all.
    pub needed: bool,
}

/// The colleagues who can take over from `account` in the unit they leave.
async fn colleagues(db: &Db, account: &UserRow) -> AppResult<Vec<UserRow>> {
    let Some(unit) = account.unit_id else {
        return Ok(Vec::new());
    };
    Ok(db::users::in_unit(db, unit)
        .await?
        .into_iter()
        .filter(|u| u.id != account.id && u.role() == crate::domain::user::Role::Worker)
        .collect())
}

pub async fn offer(db: &Db, account: &UserRow) -> AppResult<(Offer, Holdings, Option<i64>)> {
    let held = db::handover::holdings(db, account.id).await?;
    let manager = match account.unit_id {
        Some(unit) => db::handover::manager_for(db, unit).await?,
        None => None,
    };
    let colleagues: Vec<Choice> = colleagues(db, account)
        .await?
        .iter()
        .map(|u| Choice::new(u.id, u.name.clone()))
        .collect();
    let mut followup_choices = colleagues.clone();
    if manager.is_some() {
        followup_choices.push(Choice::new(
            handover::TO_MANAGER,
            "Bydelslederen, som fordeler dem",
        ));
    }
    let offer = Offer {
        open_followups: held.open_followups,
        relatives: held.relatives,
        agreements: held.agreements,
        colleagues,
        followup_choices,
        needed: !held.is_empty(),
    };
    Ok((offer, held, manager))
}

/// The hand-over as the administrator chose it, or a message at each field.
pub async fn parse(
    db: &Db,
    account: &UserRow,
    followups_to: &str,
    contacts_to: &str,
    errors: &mut FieldErrors,
) -> AppResult<Option<Handover>> {
    let (_, held, manager) = offer(db, account).await?;
    let ids: Vec<i64> = colleagues(db, account)
        .await?
        .iter()
        .map(|u| u.id)
        .collect();
    Ok(handover::parse(
        followups_to,
        contacts_to,
        held,
        &ids,
        manager,
        errors,
    ))
}

/// Moves everything `leaving` holds as `h` says; `why` goes into each follow-up's history
/// and each patient's. Returns what was handed over, for the administrator's message.
pub async fn carry_out(
    db: &Db,
    tx: &mut Tx,
    actor: &Actor<'_>,
    leaving: &UserRow,
    h: Handover,
    why: &str,
    now: DateTime<Utc>,
) -> AppResult<Holdings> {
    let mut done = Holdings::default();
    if let Some(to) = h.contacts_to {
        let colleague = db::users::by_id(db, to).await?.ok_or(AppError::NotFound)?;
        let staff = Staff {
            user_id: colleague.id,
            name: colleague.name.clone(),
            phone: colleague.phone.clone().unwrap_or_default(),
        };
        done.agreements = agreements(tx, actor, leaving, &staff, why, now).await?;
        for (rid, patient, unit, name) in db::handover::contact_roles(tx, leaving.id).await? {
            db::handover::set_contact_person(tx, rid, to, now).await?;
            let summary = format!(
                "Ny kontaktperson for {name}: {} tar over etter {} ({why})",
                staff.name, leaving.name
            );
            record_change(
                tx,
                actor,
                Action::Update,
                "relative",
                rid,
                (patient, unit),
                &summary,
                now,
            )
            .await?;
            done.relatives += 1;
        }
    }
    if let Some(to) = h.followups_to {
        let name = db::users::by_id(db, to.user_id())
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
        let reason = match to {
            FollowupsTo::Colleague(_) => format!("Overlevering: {why}"),
            FollowupsTo::Manager(_) => format!("Overlevering til leder for fordeling: {why}"),
        };
        for (fid, patient, unit, concerns) in db::handover::open_followups(tx, leaving.id).await? {
            reassign(
                tx,
                fid,
                leaving.id,
                to.user_id(),
                &reason,
                actor.user_id,
                now,
            )
            .await?;
            let summary = format!("Oppfølging «{concerns}» overlevert til {name} ({why})");
            record_change(
                tx,
                actor,
                Action::Update,
                "followup",
                fid,
                (patient, unit),
                &summary,
                now,
            )
            .await?;
            done.open_followups += 1;
        }
    }
    Ok(done)
}

async fn reassign(
    tx: &mut Tx,
    fid: i64,
    from: i64,
    to: i64,
    reason: &str,
    by: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if db::followups::reassign(tx, fid, to, now).await? {
        let change = Change::Reassigned { from, to };
        db::followups::record_change(tx, fid, change, reason, by, now).await?;
    }
    Ok(())
}

/// Each agreement not ended that names `leaving` names `to` instead: a draft in place, an
/// agreement in force in a new version the parties sign, with its follow-ups given to the
/// new contact person and a follow-up asking them to give the relatives a new copy.
async fn agreements(
    tx: &mut Tx,
    actor: &Actor<'_>,
    leaving: &UserRow,
    to: &Staff,
    why: &str,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let mut count = 0;
    for a in db::handover::agreements_naming(tx, leaving.id).await? {
        let content: Content = serde_json::from_str(&a.content)
            .map_err(|e| AppError::Internal(format!("agreement {} cannot be read: {e}", a.id)))?;
        let Some(new) = handover::replace_in(&content, leaving.id, to) else {
            continue;
        };
        let json = serde_json::to_string(&new).map_err(|e| AppError::Internal(e.to_string()))?;
        let ids = db::handover::parties(tx, a.id).await?;
        let document_id = crate::web::agreements::new_document_id();
        let save = Save {
            content_json: &json,
            contact_rhythm: new.contact_rhythm.map_or("", |r| r.key()),
            relative_ids: &ids,
            contact_person_id: new.contact.as_ref().map(|s| s.user_id),
            deputy_id: new.deputy.as_ref().map(|s| s.user_id),
            evaluation_on: a.evaluation_on,
            document_id: &document_id,
            by: actor.user_id,
            by_name: actor.name,
        };
        if !db::agreements::take_lock(tx, a.id, a.lock_version, actor.user_id, now).await? {
            return Err(AppError::Internal(format!(
                "agreement {} changed during the hand-over",
                a.id
            )));
        }
        let in_force = Status::parse(&a.status) != Some(Status::Draft);
        let summary = if in_force {
            let number = a.current_version + 1;
            db::agreements::add_version(tx, a.id, number, &save, now).await?;
            let reason = format!("Ny kontaktperson i pårørendeavtalen: {why}");
            for fid in db::handover::agreement_followups(tx, a.id, leaving.id).await? {
                reassign(tx, fid, leaving.id, to.user_id, &reason, actor.user_id, now).await?;
            }
            let copy = db::followups::NewFollowup {
                patient_id: a.patient_id,
                unit_id: a.unit_id,
                relative_id: ids.first().copied(),
                meeting_id: None,
                kind: "other",
                concerns: &handover::new_copy_concerns(&new, number),
                due_on: crate::domain::dates::oslo_date(now) + chrono::Duration::days(7),
                owner_id: to.user_id,
            };
            db::followups::insert(tx, &copy, actor.user_id, now).await?;
            format!(
                "Pårørendeavtalen har fått versjon {number} med {} i stedet for {} ({why}). Versjonen må signeres, og de pårørende skal få en ny kopi.",
                to.name, leaving.name
            )
        } else {
            db::agreements::update_draft(tx, a.id, &save, now).await?;
            format!(
                "Utkastet til pårørendeavtale nevner {} i stedet for {} ({why})",
                to.name, leaving.name
            )
        };
        record_change(
            tx,
            actor,
            Action::Update,
            "agreement",
            a.id,
            (a.patient_id, a.unit_id),
            &summary,
            now,
        )
        .await?;
        count += 1;
    }
    Ok(count)
}
