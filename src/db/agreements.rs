//! Agreements (pårørendeavtaler): the agreement row with its lock, its parties, its
//! immutable versions and its evaluations.

use super::{Db, Tx};
use crate::db::{on_db, on_tx, IdList};
use crate::domain::access::Scope;
use crate::domain::agreement::Status;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AgreementRow {
    pub id: i64,
    pub patient_id: i64,
    pub patient_name: String,
    pub unit_id: i64,
    pub status: String,
    pub current_version: i64,
    pub lock_version: i64,
    pub contact_person_id: Option<i64>,
    pub contact_person_name: Option<String>,
    pub deputy_id: Option<i64>,
    pub evaluation_on: Option<NaiveDate>,
    pub activated_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by_name: Option<String>,
}

const SELECT: &str = "SELECT a.id, a.patient_id, p.full_name AS patient_name, p.unit_id, a.status, a.current_version,
        a.lock_version, a.contact_person_id, cp.name AS contact_person_name, a.deputy_id, a.evaluation_on,
        a.activated_on, a.ended_on, a.end_reason, a.updated_at, ub.name AS updated_by_name
    FROM agreements a JOIN patients p ON p.id = a.patient_id JOIN units u ON u.id = p.unit_id
    LEFT JOIN users cp ON cp.id = a.contact_person_id LEFT JOIN users ub ON ub.id = a.updated_by";

/// The agreement, if its patient is within `scope`.
pub async fn get(db: &Db, scope: Scope, id: i64) -> Result<Option<AgreementRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE a.id = $2 AND {}", scope.condition("$1"));
    on_db!(db, |p| sqlx::query_as(&sql)
        .bind(scope.id())
        .bind(id)
        .fetch_optional(p)
        .await)
}

/// The agreements of several patients, newest first.
pub async fn for_patients(db: &Db, patients: &[i64]) -> Result<Vec<AgreementRow>, sqlx::Error> {
    let Some(ids) = IdList::new(patients) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "{SELECT} WHERE {} ORDER BY a.id DESC",
        ids.condition("a.patient_id")
    );
    on_db!(db, |p| ids.bind(sqlx::query_as(&sql)).fetch_all(p).await)
}

/// The relatives each agreement of a patient is made with, as (agreement, relative) pairs.
pub async fn parties_for_patient(db: &Db, patient_id: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    parties_for_patients(db, &[patient_id]).await
}

/// The relatives each agreement of several patients is made with, as (agreement, relative)
/// pairs.
pub async fn parties_for_patients(
    db: &Db,
    patients: &[i64],
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let Some(ids) = IdList::new(patients) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT ar.agreement_id, ar.relative_id FROM agreement_relatives ar
         JOIN agreements a ON a.id = ar.agreement_id WHERE {}
         ORDER BY ar.agreement_id, ar.relative_id",
        ids.condition("a.patient_id")
    );
    on_db!(db, |p| ids.bind(sqlx::query_as(&sql)).fetch_all(p).await)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct VersionRow {
    pub id: i64,
    pub agreement_id: i64,
    pub number: i64,
    pub document_id: String,
    pub content: String,
    pub relative_signed_on: Option<NaiveDate>,
    pub service_signed_on: Option<NaiveDate>,
    pub patient_signed_on: Option<NaiveDate>,
    pub patient_not_signed_reason: String,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
}

impl VersionRow {
    pub fn signed(&self) -> bool {
        self.relative_signed_on.is_some() && self.service_signed_on.is_some()
    }
}

const VERSION: &str = "SELECT id, agreement_id, number, document_id, content, relative_signed_on,
        service_signed_on, patient_signed_on, patient_not_signed_reason, created_by_name, created_at
    FROM agreement_versions";

pub async fn version(
    db: &Db,
    agreement_id: i64,
    number: i64,
) -> Result<Option<VersionRow>, sqlx::Error> {
    let sql = format!("{VERSION} WHERE agreement_id = $1 AND number = $2");
    on_db!(db, |p| sqlx::query_as(&sql)
        .bind(agreement_id)
        .bind(number)
        .fetch_optional(p)
        .await)
}

/// Every version, newest first.
pub async fn versions(db: &Db, agreement_id: i64) -> Result<Vec<VersionRow>, sqlx::Error> {
    let sql = format!("{VERSION} WHERE agreement_id = $1 ORDER BY number DESC");
    on_db!(db, |p| sqlx::query_as(&sql)
        .bind(agreement_id)
        .fetch_all(p)
        .await)
}

/// The number of the newest version both the relative and the service signed.
pub async fn latest_signed(db: &Db, agreement_id: i64) -> Result<Option<i64>, sqlx::Error> {
    let sql = "SELECT MAX(number) FROM agreement_versions WHERE agreement_id = $1
               AND relative_signed_on IS NOT NULL AND service_signed_on IS NOT NULL";
    on_db!(db, |p| sqlx::query_scalar(sql)
        .bind(agreement_id)
        .fetch_one(p)
        .await)
}

/// What is saved with a new agreement or version.
pub struct Save<'a> {
    pub content_json: &'a str,
    /// The key of the content's contact rhythm, '' when none was chosen.
    pub contact_rhythm: &'a str,
    pub relative_ids: &'a [i64],
    pub contact_person_id: Option<i64>,
    pub deputy_id: Option<i64>,
    pub evaluation_on: Option<NaiveDate>,
    pub document_id: &'a str,
    pub by: i64,
    pub by_name: &'a str,
}

async fn set_parties(tx: &mut Tx, agreement_id: i64, ids: &[i64]) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM agreement_relatives WHERE agreement_id = $1"
    )
    .bind(agreement_id)
    .execute(c)
    .await
    .map(|_| ()))?;
    for id in ids {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO agreement_relatives (agreement_id, relative_id) VALUES ($1, $2)"
        )
        .bind(agreement_id)
        .bind(id)
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

async fn insert_version(
    tx: &mut Tx,
    agreement_id: i64,
    number: i64,
    s: &Save<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let sql =
        "INSERT INTO agreement_versions (agreement_id, number, document_id, content, created_by,
                   created_by_name, created_at, contact_rhythm, contact_person_id)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(agreement_id)
        .bind(number)
        .bind(s.document_id)
        .bind(s.content_json)
        .bind(s.by)
        .bind(s.by_name)
        .bind(now)
        .bind(s.contact_rhythm)
        .bind(s.contact_person_id)
        .execute(c)
        .await
        .map(|_| ()))
}

/// A new draft agreement with its first version.
pub async fn insert(
    tx: &mut Tx,
    patient_id: i64,
    s: &Save<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let sql = "INSERT INTO agreements (patient_id, status, current_version, lock_version, contact_person_id, deputy_id,
                   evaluation_on, created_by, created_at, updated_by, updated_at)
               VALUES ($1, 'draft', 1, 1, $2, $3, $4, $5, $6, $5, $6) RETURNING id";
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(patient_id)
        .bind(s.contact_person_id)
        .bind(s.deputy_id)
        .bind(s.evaluation_on)
        .bind(s.by)
        .bind(now)
        .fetch_one(c)
        .await)?;
    insert_version(tx, id, 1, s, now).await?;
    set_parties(tx, id, s.relative_ids).await?;
    Ok(id)
}

/// Takes the lock: raises `lock_version` if it still is `expected`. False means somebody
/// else changed the agreement since the user loaded it.
pub async fn take_lock(
    tx: &mut Tx,
    id: i64,
    expected: i64,
    by: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let sql =
        "UPDATE agreements SET lock_version = lock_version + 1, updated_by = $1, updated_at = $2
               WHERE id = $3 AND lock_version = $4";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(by)
        .bind(now)
        .bind(id)
        .bind(expected)
        .execute(c)
        .await
        .map(|r| r.rows_affected() == 1))
}

/// Saves a draft in place (its only version is rewritten). Call after `take_lock`.
pub async fn update_draft(
    tx: &mut Tx,
    id: i64,
    s: &Save<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    update_head(tx, id, s).await?;
    let sql = "UPDATE agreement_versions SET content = $1, created_by = $2, created_by_name = $3, created_at = $4,
                   contact_rhythm = $6, contact_person_id = $7
               WHERE agreement_id = $5 AND number = 1";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(s.content_json)
        .bind(s.by)
        .bind(s.by_name)
        .bind(now)
        .bind(id)
        .bind(s.contact_rhythm)
        .bind(s.contact_person_id)
        .execute(c)
        .await
        .map(|_| ()))?;
    set_parties(tx, id, s.relative_ids).await
}

/// Adds version `number` to an agreement in force. Call after `take_lock`.
pub async fn add_version(
    tx: &mut Tx,
    id: i64,
    number: i64,
    s: &Save<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    update_head(tx, id, s).await?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE agreements SET current_version = $1 WHERE id = $2"
    )
    .bind(number)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))?;
    insert_version(tx, id, number, s, now).await?;
    set_parties(tx, id, s.relative_ids).await
}

async fn update_head(tx: &mut Tx, id: i64, s: &Save<'_>) -> Result<(), sqlx::Error> {
    let sql = "UPDATE agreements SET contact_person_id = $1, deputy_id = $2, evaluation_on = $3 WHERE id = $4";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(s.contact_person_id)
        .bind(s.deputy_id)
        .bind(s.evaluation_on)
        .bind(id)
        .execute(c)
        .await
        .map(|_| ()))
}

/// Records the signatures on a version.
pub async fn sign_version(
    tx: &mut Tx,
    agreement_id: i64,
    number: i64,
    sig: &crate::domain::agreement::Signatures,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE agreement_versions SET relative_signed_on = $1, service_signed_on = $2, patient_signed_on = $3,
                   patient_not_signed_reason = $4
               WHERE agreement_id = $5 AND number = $6 AND relative_signed_on IS NULL";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(sig.relative_on)
        .bind(sig.service_on)
        .bind(sig.patient_on)
        .bind(&sig.patient_reason)
        .bind(agreement_id)
        .bind(number)
        .execute(c)
        .await
        .map(|_| ()))
}

/// Moves the agreement from status `from` to `to`; false when it was no longer in `from`
/// (somebody else changed it in between).
pub async fn set_status(
    tx: &mut Tx,
    id: i64,
    from: Status,
    to: Status,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE agreements SET status = $1, updated_at = $2, lock_version = lock_version + 1
               WHERE id = $3 AND status = $4";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(to.as_str())
        .bind(now)
        .bind(id)
        .bind(from.as_str())
        .execute(c)
        .await
        .map(|r| r.rows_affected() == 1))
}

pub async fn set_activated(tx: &mut Tx, id: i64, on: NaiveDate) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE agreements SET activated_on = $1 WHERE id = $2"
    )
    .bind(on)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))
}

pub async fn set_evaluation_on(tx: &mut Tx, id: i64, on: NaiveDate) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE agreements SET evaluation_on = $1 WHERE id = $2"
    )
    .bind(on)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))
}

pub async fn set_ended(
    tx: &mut Tx,
    id: i64,
    on: NaiveDate,
    reason: &str,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE agreements SET ended_on = $1, end_reason = $2 WHERE id = $3"
    )
    .bind(on)
    .bind(reason)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))
}

/// Deletes a draft and everything that belongs only to it; false when it was not a draft.
pub async fn delete_draft(tx: &mut Tx, id: i64) -> Result<bool, sqlx::Error> {
    let status: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT status FROM agreements WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    if status.as_deref() != Some("draft") {
        return Ok(false);
    }
    for sql in [
        "UPDATE followups SET agreement_id = NULL WHERE agreement_id = $1",
        "DELETE FROM agreement_relatives WHERE agreement_id = $1",
        "DELETE FROM agreement_versions WHERE agreement_id = $1",
        "DELETE FROM agreement_evaluations WHERE agreement_id = $1",
        "DELETE FROM agreements WHERE id = $1",
    ] {
        on_tx!(tx, |c| sqlx::query(sql)
            .bind(id)
            .execute(c)
            .await
            .map(|_| ()))?;
    }
    Ok(true)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EvaluationRow {
    pub id: i64,
    pub version_number: i64,
    pub evaluated_on: NaiveDate,
    pub outcome: String,
    pub participants: String,
    pub note: String,
    pub next_evaluation_on: Option<NaiveDate>,
    pub meeting_id: Option<i64>,
    pub by_name: String,
}

pub struct NewEvaluation<'a> {
    pub version_number: i64,
    pub evaluated_on: NaiveDate,
    pub outcome: &'a str,
    pub participants: &'a str,
    pub note: &'a str,
    pub next_evaluation_on: Option<NaiveDate>,
    pub meeting_id: Option<i64>,
}

pub async fn add_evaluation(
    tx: &mut Tx,
    agreement_id: i64,
    e: &NewEvaluation<'_>,
    by: (i64, &str),
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO agreement_evaluations (agreement_id, version_number, evaluated_on, outcome, participants,
                   note, next_evaluation_on, meeting_id, by_user, by_name, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(agreement_id)
        .bind(e.version_number)
        .bind(e.evaluated_on)
        .bind(e.outcome)
        .bind(e.participants)
        .bind(e.note)
        .bind(e.next_evaluation_on)
        .bind(e.meeting_id)
        .bind(by.0)
        .bind(by.1)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ()))
}

pub async fn evaluations(db: &Db, agreement_id: i64) -> Result<Vec<EvaluationRow>, sqlx::Error> {
    let sql = "SELECT id, version_number, evaluated_on, outcome, participants, note, next_evaluation_on, meeting_id, by_name
               FROM agreement_evaluations WHERE agreement_id = $1 ORDER BY evaluated_on DESC, id DESC";
    on_db!(db, |p| sqlx::query_as(sql)
        .bind(agreement_id)
        .fetch_all(p)
        .await)
}

/// The open evaluation follow-up of an agreement, as (id, due, owner).
pub async fn open_evaluation_followup(
    tx: &mut Tx,
    agreement_id: i64,
) -> Result<Option<(i64, NaiveDate, i64)>, sqlx::Error> {
    let sql = "SELECT id, due_on, owner_id FROM followups
               WHERE agreement_id = $1 AND kind = 'evaluation' AND status = 'open' ORDER BY id DESC LIMIT 1";
    on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(agreement_id)
        .fetch_optional(c)
        .await)
}

pub async fn link_followup(
    tx: &mut Tx,
    followup_id: i64,
    agreement_id: i64,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE followups SET agreement_id = $1 WHERE id = $2"
    )
    .bind(agreement_id)
    .bind(followup_id)
    .execute(c)
    .await
    .map(|_| ()))
}

/// The agreement a follow-up belongs to, if any.
pub async fn of_followup(db: &Db, followup_id: i64) -> Result<Option<i64>, sqlx::Error> {
    let sql = "SELECT agreement_id FROM followups WHERE id = $1";
    let found: Option<Option<i64>> = on_db!(db, |p| sqlx::query_scalar(sql)
        .bind(followup_id)
        .fetch_optional(p)
        .await)?;
    Ok(found.flatten())
}

/// Keeps the open evaluation follow-up in step with the agreement: moves its date and
/// gives it to the contact person, with a line in its history for each change; creates it
/// when there is none (with `new` true). Returns the follow-up's id.
pub async fn schedule_evaluation(
    tx: &mut Tx,
    e: &AgreementTask<'_>,
    new: bool,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    use crate::domain::followup::Change;
    let open = if new {
        None
    } else {
        open_evaluation_followup(tx, e.agreement_id).await?
    };
    let Some((fid, old_due, old_owner)) = open else {
        return add_task(tx, e, by, now).await;
    };
    if old_due != e.due {
        super::followups::move_due(tx, fid, e.due, now).await?;
        let change = Change::Moved {
            from: old_due,
            to: e.due,
        };
        let reason = "Evalueringsdatoen i pårørendeavtalen er endret";
        super::followups::record_change(tx, fid, change, reason, by, now).await?;
    }
    if old_owner != e.owner {
        super::followups::reassign(tx, fid, e.owner, now).await?;
        let change = Change::Reassigned {
            from: old_owner,
            to: e.owner,
        };
        let reason = "Ny kontaktperson i pårørendeavtalen";
        super::followups::record_change(tx, fid, change, reason, by, now).await?;
    }
    Ok(fid)
}

/// The follow-ups that keep an agreement's contact (its next meeting and the contacts of its
/// rhythm) that are still open, as their ids.
pub async fn open_contact_followups(
    tx: &mut Tx,
    agreement_id: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let sql = "SELECT id FROM followups
               WHERE agreement_id = $1 AND kind IN ('call', 'meeting') AND status = 'open' ORDER BY id";
    on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(agreement_id)
        .fetch_all(c)
        .await)
}

/// Cancels the open contact follow-ups of an agreement (a new version plans its own, and an
/// ended agreement keeps none), each with `reason` in its history.
pub async fn cancel_contact_followups(
    tx: &mut Tx,
    agreement_id: i64,
    reason: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    use super::followups::{close, record_change};
    use crate::domain::followup::{Change, Closing};
    let today = crate::domain::dates::oslo_date(now);
    for fid in open_contact_followups(tx, agreement_id).await? {
        close(tx, fid, Closing::Cancelled, today, reason, now).await?;
        record_change(tx, fid, Change::Cancelled, reason, by, now).await?;
    }
    Ok(())
}

/// A follow-up an agreement keeps on its contact person's list: its evaluation, its agreed
/// next meeting, or a contact of its rhythm.
pub struct AgreementTask<'a> {
    pub agreement_id: i64,
    pub patient_id: i64,
    pub unit_id: i64,
    pub relative_id: Option<i64>,
    /// "evaluation", "meeting" (the agreed next meeting) or "call" (a contact of the rhythm).
    pub kind: &'a str,
    pub concerns: &'a str,
    pub due: NaiveDate,
    pub owner: i64,
}

/// Puts the task on the list, linked to its agreement.
pub async fn add_task(
    tx: &mut Tx,
    c: &AgreementTask<'_>,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let f = super::followups::NewFollowup {
        patient_id: c.patient_id,
        unit_id: c.unit_id,
        relative_id: c.relative_id,
        meeting_id: None,
        kind: c.kind,
        concerns: c.concerns,
        due_on: c.due,
        owner_id: c.owner,
    };
    let fid = super::followups::insert(tx, &f, by, now).await?;
    link_followup(tx, fid, c.agreement_id).await?;
    Ok(fid)
}
