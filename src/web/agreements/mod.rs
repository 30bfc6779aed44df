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

use crate::audit::record_change;
use crate::db::access_log::Action;
use crate::db::agreements::{AgreementRow, EvaluationDue, VersionRow};
use crate::db::patients::PatientRow;
use crate::db::{self, Db, Tx};
use crate::domain::agreement::{Content, Status};
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
    let due = EvaluationDue {
        agreement_id: a.id,
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
