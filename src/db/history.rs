//! What an account was, and a relative's unit and contact person, from a moment on: written
//! beside every change to them, read by the early warnings (`db::warnings`) for a past day.

use super::Tx;
use crate::db::on_tx;
use chrono::{DateTime, Utc};

/// Records the account's role, unit and state as they now are, from `now` on.
pub async fn staff(tx: &mut Tx, user_id: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO staff_history (user_id, role, unit_id, active, valid_from)
               SELECT id, role, unit_id, active, $2 FROM users WHERE id = $1";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(user_id)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ()))
}

/// Records the unit and contact person of the relatives matching `which` (a condition on
/// relative r with $1 bound to `id`) as they now are, from `now` on, where they differ from
/// what was last recorded.
async fn relatives(
    tx: &mut Tx,
    which: &str,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO relative_history (relative_id, unit_id, contact_person_id, valid_from)
         SELECT r.id, r.unit_id, r.contact_person_id, $2 FROM relatives r
         WHERE {which} AND NOT EXISTS (SELECT 1 FROM relative_history h
             WHERE h.id = (SELECT h2.id FROM relative_history h2 WHERE h2.relative_id = r.id
                           ORDER BY h2.valid_from DESC, h2.id DESC LIMIT 1)
               AND COALESCE(h.unit_id, 0) = COALESCE(r.unit_id, 0)
               AND COALESCE(h.contact_person_id, 0) = COALESCE(r.contact_person_id, 0))"
    );
    on_tx!(tx, |c| sqlx::query(&sql)
        .bind(id)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ()))
}

/// Records one relative's unit and contact person (after it was registered or changed).
pub async fn relative(
    tx: &mut Tx,
    relative_id: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    relatives(tx, "r.id = $1", relative_id, now).await
}

/// Records the units of a patient's relatives (after the patient moved).
pub async fn relatives_of(
    tx: &mut Tx,
    patient_id: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    relatives(tx, "r.patient_id = $1", patient_id, now).await
}
