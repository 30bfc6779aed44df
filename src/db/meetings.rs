//! Meetings with relatives: drafts, minutes and completion.

use super::{Db, Tx};
use crate::db::{on_db, on_tx, IdList};
use crate::domain::access::Scope;
use crate::domain::meeting::MeetingStatus;
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MeetingRow {
    pub id: i64,
    pub patient_id: i64,
    pub unit_id: i64,
    pub kind: String,
    pub starts_at: DateTime<Utc>,
    pub patient_present: bool,
    pub staff: String,
    pub minutes: String,
    pub informed_rights: bool,
    /// Keys of `domain::meeting::CHECKLIST` gone through.
    pub checklist: String,
    pub place: String,
    #[sqlx(try_from = "String")]
    pub status: MeetingStatus,
    pub completed_at: Option<DateTime<Utc>>,
}

const SELECT: &str = "SELECT m.id, m.patient_id, p.unit_id, m.kind, m.starts_at, m.patient_present, m.staff, m.minutes,
        m.informed_rights, m.checklist, m.place, m.status, m.completed_at
    FROM meetings m JOIN patients p ON p.id = m.patient_id JOIN units u ON u.id = p.unit_id";

pub async fn get(db: &Db, scope: Scope, id: i64) -> Result<Option<MeetingRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE m.id = $2 AND {}", scope.condition("$1"));
    on_db!(db, |p| sqlx::query_as(&sql)
        .bind(scope.id())
        .bind(id)
        .fetch_optional(p)
        .await)
}

pub async fn for_patient(db: &Db, patient_id: i64) -> Result<Vec<MeetingRow>, sqlx::Error> {
    for_patients(db, &[patient_id]).await
}

/// The meetings of several patients, newest first.
pub async fn for_patients(db: &Db, patients: &[i64]) -> Result<Vec<MeetingRow>, sqlx::Error> {
    let Some(ids) = IdList::new(patients) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "{SELECT} WHERE {} ORDER BY m.starts_at DESC, m.id DESC",
        ids.condition("m.patient_id")
    );
    on_db!(db, |p| ids.bind(sqlx::query_as(&sql)).fetch_all(p).await)
}

pub struct MeetingInput {
    pub kind: String,
    pub starts_at: DateTime<Utc>,
    pub patient_present: bool,
    pub staff: String,
    pub minutes: String,
    pub informed_rights: bool,
    pub checklist: String,
    pub place: String,
    pub relative_ids: Vec<i64>,
}

async fn set_relatives(tx: &mut Tx, meeting_id: i64, ids: &[i64]) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM meeting_relatives WHERE meeting_id = $1"
    )
    .bind(meeting_id)
    .execute(c)
    .await
    .map(|_| ()))?;
    for id in ids {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO meeting_relatives (meeting_id, relative_id) VALUES ($1, $2)"
        )
        .bind(meeting_id)
        .bind(id)
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

pub async fn insert(
    tx: &mut Tx,
    patient_id: i64,
    m: &MeetingInput,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let sql = "INSERT INTO meetings (patient_id, kind, starts_at, patient_present, staff, minutes, informed_rights, status,
                   created_by, created_at, updated_at, checklist, place)
               VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9, $9, $10, $11) RETURNING id";
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(patient_id)
        .bind(&m.kind)
        .bind(m.starts_at)
        .bind(m.patient_present)
        .bind(&m.staff)
        .bind(&m.minutes)
        .bind(m.informed_rights)
        .bind(by)
        .bind(now)
        .bind(&m.checklist)
        .bind(&m.place)
        .fetch_one(c)
        .await)?;
    set_relatives(tx, id, &m.relative_ids).await?;
    Ok(id)
}

/// Saves a draft's contents; `complete` also marks it completed.
pub async fn update(
    tx: &mut Tx,
    id: i64,
    m: &MeetingInput,
    complete: bool,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE meetings SET kind = $1, starts_at = $2, patient_present = $3, staff = $4, minutes = $5,
                   informed_rights = $6, updated_at = $7,
                   status = CASE WHEN $8 THEN 'completed' ELSE status END,
                   completed_at = CASE WHEN $8 THEN $7 ELSE completed_at END,
                   checklist = $10, place = $11
               WHERE id = $9 AND status = 'draft'";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(&m.kind)
        .bind(m.starts_at)
        .bind(m.patient_present)
        .bind(&m.staff)
        .bind(&m.minutes)
        .bind(m.informed_rights)
        .bind(now)
        .bind(complete)
        .bind(id)
        .bind(&m.checklist)
        .bind(&m.place)
        .execute(c)
        .await
        .map(|_| ()))?;
    set_relatives(tx, id, &m.relative_ids).await
}

pub async fn relative_ids(db: &Db, meeting_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    let sql =
        "SELECT relative_id FROM meeting_relatives WHERE meeting_id = $1 ORDER BY relative_id";
    on_db!(db, |p| sqlx::query_scalar(sql)
        .bind(meeting_id)
        .fetch_all(p)
        .await)
}
