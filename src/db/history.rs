//! What an account was, and who was a relative's contact person, from a moment on: written
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

/// Records the relative's contact person as it now is, from `now` on, when it differs from
/// the one last recorded.
pub async fn relative_contact(
    tx: &mut Tx,
    relative_id: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO relative_contact_history (relative_id, contact_person_id, valid_from)
               SELECT r.id, r.contact_person_id, $2 FROM relatives r
               WHERE r.id = $1 AND COALESCE(r.contact_person_id, 0) <> COALESCE((
                   SELECT h.contact_person_id FROM relative_contact_history h WHERE h.relative_id = r.id
                   ORDER BY h.valid_from DESC, h.id DESC LIMIT 1), 0)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(relative_id)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ()))
}
