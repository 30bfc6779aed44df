//! Giving a follow-up a new owner from the manager's lists.

use super::district_of;
use crate::audit::record_change;
use crate::clock::Clock;
use crate::db::access_log::Action;
use crate::db::{self, Db};
use crate::domain::access::Scope;
use crate::domain::choices::{self, label};
use crate::domain::followup::Change;
use crate::domain::forms as f;
use crate::domain::validation::FieldErrors;
use crate::web::infra::csrf::CsrfForm;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::forms::Text;
use crate::web::infra::page::{done, invalid, Choice, Page, Submitted};
use crate::web::infra::session::Manager;
use crate::web::infra::templates::Template;
use rocket::request::FlashMessage;
use rocket::{FromForm, State};
use serde::Serialize;

async fn followup_in_district(
    db: &Db,
    user: &Manager<'_>,
    id: i64,
) -> AppResult<db::followups::FollowupRow> {
    let district = district_of(user)?;
    db::followups::get(db, Scope::District(district), id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn owners(db: &Db, unit_id: i64) -> AppResult<Vec<Choice>> {
    crate::web::infra::page::staff_choices(db, unit_id).await
}

/// The reassignment form for a follow-up, with its history.
async fn reassign_form(
    db: &Db,
    user: &Manager<'_>,
    f: &db::followups::FollowupRow,
    owners: Vec<Choice>,
    clock: &Clock,
) -> AppResult<Page> {
    Ok(Page::new("Endre ansvarlig", Some(user))
        .with("f", f)
        .with("kind_label", label(choices::FOLLOWUP_KINDS, &f.kind))
        .with(
            "overdue_days",
            crate::domain::followup::days_overdue(f.due_on, clock.today()),
        )
        .with("owners", owners)
        .with("changes", db::followups::changes(db, f.id).await?))
}

#[rocket::get("/dashboard/followups/<id>/reassign")]
pub(super) async fn reassign_page(
    user: Manager<'_>,
    id: i64,
    db: &State<Db>,
    clock: &State<Clock>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    let f = followup_in_district(db, &user, id).await?;
    crate::audit::record_view(
        db,
        &user.actor(),
        "followup",
        id,
        (f.patient_id, f.unit_id),
        clock.now(),
    )
    .await?;
    let owners = owners(db, f.unit_id).await?;
    Ok(reassign_form(db, &user, &f, owners, clock)
        .await?
        .with(
            "form",
            serde_json::json!({ "owner_id": f.owner_id.to_string() }),
        )
        .flash(flash)
        .render("dashboard/reassign"))
}

#[derive(Debug, FromForm, Serialize)]
pub(super) struct ReassignForm {
    owner_id: Text,
    reason: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(ReassignForm);

#[rocket::post("/dashboard/followups/<id>/reassign", data = "<form>")]
pub(super) async fn reassign(
    user: Manager<'_>,
    id: i64,
    form: CsrfForm<ReassignForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let f = followup_in_district(db, &user, id).await?;
    let choices = owners(db, f.unit_id).await?;
    let mut e = FieldErrors::new();
    let owner = form.owner_id.trim();
    let owner_id = crate::domain::forms::chosen_id(
        &mut e,
        "owner_id",
        owner,
        &crate::web::infra::page::ids(&choices),
        true,
        "Velg en ansatt på samme enhet som oppfølgingen hører til.",
    );
    if owner_id.is_some() && owner_id == Some(f.owner_id) {
        e.add("owner_id", "Velg en annen enn den som har oppfølgingen nå.");
    }
    let reason = f::line(
        &mut e,
        "reason",
        &form.reason,
        500,
        Some("Skriv hvorfor oppfølgingen får ny ansvarlig."),
    );
    if f.status != "open" {
        e.add("owner_id", "Oppfølgingen er ikke lenger åpen.");
    }
    let Some(owner_id) = owner_id.filter(|_| e.is_empty()) else {
        let page = reassign_form(db, &user, &f, choices, clock).await?;
        return Ok(invalid(page, &form.0, &e, "dashboard/reassign"));
    };
    let new_name = choices
        .iter()
        .find(|c| c.value == owner)
        .map(|c| c.label.clone())
        .unwrap_or_default();
    let now = clock.now();
    let mut tx = db.begin().await?;
    if db::followups::reassign(&mut tx, id, owner_id, now).await? {
        db::followups::record_change(
            &mut tx,
            id,
            Change::Reassigned {
                from: f.owner_id,
                to: owner_id,
            },
            &reason,
            user.id,
            now,
        )
        .await?;
        record_change(
            &mut tx,
            &user.actor(),
            Action::Update,
            "followup",
            id,
            (f.patient_id, f.unit_id),
            &format!(
                "Oppfølging «{}» overført fra {} til {new_name} av leder: {reason}",
                f.concerns, f.owner_name
            ),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(done(
        "/dashboard/list/followups?filter=overdue".into(),
        "Oppfølgingen har fått ny ansvarlig.",
    ))
}
