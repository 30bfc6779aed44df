//! What a leaving worker holds, and moving it to the colleagues who take over. Every
//! function reads and writes inside the hand-over's transaction.

use super::{Db, Tx};
use crate::db::{on_db, on_tx};
use crate::domain::handover::Holdings;
use chrono::{DateTime, NaiveDate, Utc};

/// Counts what `user_id` holds: open follow-ups, relatives with them as contact person, and
/// agreements not ended that name them as contact person or deputy.
pub async fn holdings(db: &Db, user_id: i64) -> Result<Holdings, sqlx::Error> {
    let sql = "SELECT
        (SELECT COUNT(*) FROM followups WHERE owner_id = $1 AND status = 'open'),
        (SELECT COUNT(*) FROM relatives WHERE contact_person_id = $1),
        (SELECT COUNT(*) FROM agreements WHERE status <> 'ended'
            AND (contact_person_id = $1 OR deputy_id = $1))";
    let (open_followups, relatives, agreements): (i64, i64, i64) =
        on_db!(db, |p| sqlx::query_as(sql).bind(user_id).fetch_one(p).await)?;
    Ok(Holdings {
        open_followups,
        relatives,
        agreements,
    })
}

/// The active manager of the unit's district (one placed in the unit itself first).
pub async fn manager_for(db: &Db, unit_id: i64) -> Result<Option<i64>, sqlx::Error> {
    let sql = "SELECT s.id FROM users s JOIN units u ON u.id = s.unit_id
               WHERE s.role = 'manager' AND s.active = $2
                 AND u.district_id = (SELECT district_id FROM units WHERE id = $1)
               ORDER BY CASE WHEN s.unit_id = $1 THEN 0 ELSE 1 END, s.id LIMIT 1";
    on_db!(db, |p| sqlx::query_scalar(sql)
        .bind(unit_id)
        .bind(true)
        .fetch_optional(p)
        .await)
}

/// An open follow-up to hand over: (id, patient, the unit it counts in, concerns).
pub type OpenFollowup = (i64, i64, i64, String);

pub async fn open_followups(tx: &mut Tx, owner: i64) -> Result<Vec<OpenFollowup>, sqlx::Error> {
    let sql = "SELECT id, patient_id, unit_id, concerns FROM followups
               WHERE owner_id = $1 AND status = 'open' ORDER BY id";
    on_tx!(tx, |c| sqlx::query_as(sql).bind(owner).fetch_all(c).await)
}

/// Open follow-ups of an agreement still owned by `owner`.
pub async fn agreement_followups(
    tx: &mut Tx,
    agreement_id: i64,
    owner: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let sql = "SELECT id FROM followups
               WHERE agreement_id = $1 AND owner_id = $2 AND status = 'open' ORDER BY id";
    on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(agreement_id)
        .bind(owner)
        .fetch_all(c)
        .await)
}

/// A relative whose contact person is handed over: (id, patient, patient's unit, name).
pub type ContactRole = (i64, i64, i64, String);

pub async fn contact_roles(tx: &mut Tx, user_id: i64) -> Result<Vec<ContactRole>, sqlx::Error> {
    let sql = "SELECT r.id, r.patient_id, p.unit_id, r.full_name FROM relatives r
               JOIN patients p ON p.id = r.patient_id
               WHERE r.contact_person_id = $1 ORDER BY r.id";
    on_tx!(tx, |c| sqlx::query_as(sql).bind(user_id).fetch_all(c).await)
}

pub async fn set_contact_person(
    tx: &mut Tx,
    relative_id: i64,
    to: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE relatives SET contact_person_id = $1, updated_at = $2 WHERE id = $3";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(to)
        .bind(now)
        .bind(relative_id)
        .execute(c)
        .await
        .map(|_| ()))?;
    super::history::relative(tx, relative_id, now).await
}

/// An agreement not ended that names the leaving worker, with its current version.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NamedIn {
    pub id: i64,
    pub patient_id: i64,
    pub unit_id: i64,
    pub status: String,
    pub current_version: i64,
    pub lock_version: i64,
    pub evaluation_on: Option<NaiveDate>,
    pub content: String,
}

pub async fn agreements_naming(tx: &mut Tx, user_id: i64) -> Result<Vec<NamedIn>, sqlx::Error> {
    let sql = "SELECT a.id, a.patient_id, p.unit_id, a.status, a.current_version, a.lock_version,
                      a.evaluation_on, v.content
               FROM agreements a JOIN patients p ON p.id = a.patient_id
               JOIN agreement_versions v ON v.agreement_id = a.id AND v.number = a.current_version
               WHERE a.status <> 'ended' AND (a.contact_person_id = $1 OR a.deputy_id = $1)
               ORDER BY a.id";
    on_tx!(tx, |c| sqlx::query_as(sql).bind(user_id).fetch_all(c).await)
}

/// The relatives an agreement is made with.
pub async fn parties(tx: &mut Tx, agreement_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    let sql =
        "SELECT relative_id FROM agreement_relatives WHERE agreement_id = $1 ORDER BY relative_id";
    on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(agreement_id)
        .fetch_all(c)
        .await)
}
