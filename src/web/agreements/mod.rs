//! The pårørendeavtale on the web. The rules live in `domain::agreement`; these handlers
//! parse, ask the aggregate, store and render:
//! - `form`: a new agreement pre-filled from the record, and editing (a draft in place, an
//!   agreement in force as a new version, guarded by an optimistic lock);
//! - `lifecycle`: signing, evaluating, ending and deleting a draft;
//! - `show`: the agreement page, any version, and the PDF;
//! - `record` and `view`: what the agreement is built from, and what the pages show.

mod form;
mod lifecycle;
mod record;
mod show;
mod view;

pub use form::new_document_id;

use crate::audit::record_change;
use crate::db::access_log::Action;
use crate::db::agreements::{AgreementRow, AgreementTask, VersionRow};
use crate::db::patients::PatientRow;
use crate::db::{self, Db, Tx};
use crate::domain::agreement::{rhythm, Content, Status};
use crate::domain::dates::oslo_date;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::session::CurrentUser;
use crate::web::patients::find;
use chrono::{DateTime, NaiveDate, Utc};

pub fn routes() -> Vec<rocket::Route> {
    [form::routes(), lifecycle::routes(), show::routes()].concat()
}

/// The agreement and its patient, if within the user's scope.
pub async fn load(
    db: &Db,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(AgreementRow, PatientRow, Status)> {
    let scope = user.scope().ok_or(AppError::NotFound)?;
    let a = db::agreements::get(db, scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let patient = find(db, scope, a.patient_id).await?;
    let status = Status::parse(&a.status).ok_or_else(|| {
        AppError::Internal(format!("agreement {id} has unknown status {}", a.status))
    })?;
    Ok((a, patient, status))
}

/// Records what was done to agreement `id` in the patient's history and the access log,
/// inside the transaction, and commits it.
#[allow(clippy::too_many_arguments)]
pub async fn commit(
    mut tx: Tx,
    user: &CurrentUser,
    action: Action,
    id: i64,
    patient: &PatientRow,
    summary: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let target = (patient.id, patient.unit_id);
    let actor = user.actor();
    record_change(
        &mut tx,
        &actor,
        action,
        "agreement",
        id,
        target,
        summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The agreement's current version.
pub async fn current_version(db: &Db, a: &AgreementRow) -> AppResult<VersionRow> {
    db::agreements::version(db, a.id, a.current_version)
        .await?
        .ok_or(AppError::NotFound)
}

/// Schedules the agreement's evaluation on `due` for its contact person (the user when the
/// version names none): a new follow-up when `new`, else the open one moved and reassigned.
pub async fn schedule_evaluation(
    tx: &mut Tx,
    user: &CurrentUser,
    a: &AgreementRow,
    content: &Content,
    due: NaiveDate,
    new: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let concerns = crate::domain::agreement::lifecycle::evaluation_concerns(content);
    let due = AgreementTask {
        agreement_id: a.id,
        kind: "evaluation",
        patient_id: a.patient_id,
        unit_id: a.unit_id,
        relative_id: content.parties.first().map(|p| p.relative_id),
        concerns: &concerns,
        due,
        owner: content.contact.as_ref().map_or(user.id, |s| s.user_id),
    };
    db::agreements::schedule_evaluation(tx, &due, new, user.id, now).await?;
    Ok(())
}

/// Puts the contacts a signed version plans (its next meeting, and the first contact of its
/// rhythm) on its contact person's list, in place of those an earlier version planned.
pub async fn schedule_contacts(
    tx: &mut Tx,
    user: &CurrentUser,
    a: &AgreementRow,
    content: &Content,
    signed_on: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let replaced = "En ny versjon av pårørendeavtalen er signert";
    db::agreements::cancel_contact_followups(tx, a.id, replaced, user.id, now).await?;
    let plan = rhythm::plan(
        content.contact_rhythm,
        content.next_meeting_on,
        signed_on,
        oslo_date(now),
    );
    let meeting = plan
        .next_meeting
        .map(|due| ("meeting", rhythm::meeting_concerns(content), due));
    let contact = plan
        .next_contact
        .zip(content.contact_rhythm)
        .map(|(due, r)| ("call", r.concerns(content), due));
    for (kind, concerns, due) in meeting.into_iter().chain(contact) {
        let c = AgreementTask {
            agreement_id: a.id,
            patient_id: a.patient_id,
            unit_id: a.unit_id,
            relative_id: content.parties.first().map(|p| p.relative_id),
            kind,
            concerns: &concerns,
            due,
            owner: content.contact.as_ref().map_or(user.id, |s| s.user_id),
        };
        db::agreements::add_task(tx, &c, user.id, now).await?;
    }
    Ok(())
}

/// After a contact of an agreement's rhythm was made on `done_on`, the next one, for the
/// agreement's contact person, while the agreement is in force.
pub async fn schedule_next_contact(
    db: &Db,
    tx: &mut Tx,
    user: &CurrentUser,
    agreement_id: i64,
    done_on: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Option<NaiveDate>> {
    let Some(scope) = user.scope() else {
        return Ok(None);
    };
    let Some(a) = db::agreements::get(db, scope, agreement_id).await? else {
        return Ok(None);
    };
    let in_force = matches!(
        Status::parse(&a.status),
        Some(Status::Active | Status::Evaluated)
    );
    let content = view::content_of(&current_version(db, &a).await?)?;
    let Some(due) = rhythm::after_contact(content.contact_rhythm, done_on, in_force) else {
        return Ok(None);
    };
    let Some(r) = content.contact_rhythm else {
        return Ok(None);
    };
    let c = AgreementTask {
        agreement_id: a.id,
        patient_id: a.patient_id,
        unit_id: a.unit_id,
        relative_id: content.parties.first().map(|p| p.relative_id),
        kind: "call",
        concerns: &r.concerns(&content),
        due,
        owner: a.contact_person_id.unwrap_or(user.id),
    };
    db::agreements::add_task(tx, &c, user.id, now).await?;
    Ok(Some(due))
}
