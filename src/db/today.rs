//! What a worker's day page reads: the patients of their unit they take part in, and the
//! relatives they are contact person for with the next contact agreed.

use super::Db;
use crate::db::on_db;
use chrono::NaiveDate;
use serde::Serialize;
use std::sync::LazyLock;

/// The active patients of unit $2 that user $1 takes part in: as contact person for a
/// relative, contact person or deputy in an agreement not ended, owner of an open
/// follow-up, or author of a meeting not yet completed. They come from the worker's own
/// relatives, agreements, follow-ups and draft meetings, each read through an index on the
/// worker, not by asking each of the unit's patients four questions (50 ms for a unit of
/// 2 300 patients, now about 1 ms).
const INVOLVED: &str = "FROM patients p
    WHERE p.id IN (SELECT r.patient_id FROM relatives r WHERE r.contact_person_id = $1
                   UNION SELECT a.patient_id FROM agreements a WHERE a.contact_person_id = $1 AND a.status <> 'ended'
                   UNION SELECT a.patient_id FROM agreements a WHERE a.deputy_id = $1 AND a.status <> 'ended'
                   UNION SELECT f.patient_id FROM followups f WHERE f.owner_id = $1 AND f.status = 'open'
                   UNION SELECT m.patient_id FROM meetings m WHERE m.created_by = $1 AND m.status = 'draft')
      AND p.unit_id = $2 AND p.archived_at IS NULL";

/// The query of `involved_patients`: $3 patients from the $4th, by name.
pub static INVOLVED_PATIENTS: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT p.id, p.full_name {INVOLVED} ORDER BY p.sort_key, p.id LIMIT $3 OFFSET $4")
});

/// The query of `count_involved`.
pub static INVOLVED_COUNT: LazyLock<String> =
    LazyLock::new(|| format!("SELECT COUNT(*) {INVOLVED}"));

/// The active patients of `unit_id` that `user_id` takes part in (`INVOLVED`), by name:
/// `limit` of them from `offset`.
pub async fn involved_patients(
    db: &Db,
    user_id: i64,
    unit_id: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_db!(db, |p| sqlx::query_as(&INVOLVED_PATIENTS)
        .bind(user_id)
        .bind(unit_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await)
}

/// How many active patients of `unit_id` `user_id` takes part in.
pub async fn count_involved(db: &Db, user_id: i64, unit_id: i64) -> Result<i64, sqlx::Error> {
    on_db!(db, |p| sqlx::query_scalar(&INVOLVED_COUNT)
        .bind(user_id)
        .bind(unit_id)
        .fetch_one(p)
        .await)
}

/// A relative the worker is contact person for, with the next contact agreed: the earliest
/// open follow-up about the relative, or of an agreement in force they are party to.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MyRelative {
    pub relative_id: i64,
    pub relative_name: String,
    pub relation: String,
    pub patient_id: i64,
    pub patient_name: String,
    pub next_contact: Option<NaiveDate>,
}

/// The query of `my_relatives` ($1 the user, $2 the unit). The next contact is a column of
/// the inner query: PostgreSQL sorts by an output column's name only on its own, not inside
/// an expression. A relative's follow-ups and those of its agreements are its patient's:
/// they are looked up through the patient (an index), not among every follow-up (the day
/// took 53 s at 100 000 patients). The relatives themselves come from the worker's: those
/// they are contact person for, on the relative or in an agreement in force (12 ms when each
/// relative of the unit was asked, now 0.5 ms).
pub const MY_RELATIVES: &str = "SELECT * FROM (SELECT r.id AS relative_id, r.full_name AS relative_name, r.relation, p.id AS patient_id,
                      p.full_name AS patient_name,
                      (SELECT MIN(f.due_on) FROM followups f
                        WHERE f.patient_id = r.patient_id AND f.status = 'open' AND (f.relative_id = r.id OR f.agreement_id IN
                          (SELECT ar.agreement_id FROM agreement_relatives ar WHERE ar.relative_id = r.id)))
                        AS next_contact
               FROM relatives r JOIN patients p ON p.id = r.patient_id
               WHERE r.id IN (SELECT k.id FROM relatives k WHERE k.contact_person_id = $1
                              UNION SELECT ar.relative_id FROM agreements a JOIN agreement_relatives ar ON ar.agreement_id = a.id
                              WHERE a.contact_person_id = $1 AND a.status IN ('active', 'evaluated'))
                 AND p.unit_id = $2 AND p.archived_at IS NULL) mine
               ORDER BY CASE WHEN next_contact IS NULL THEN 0 ELSE 1 END, next_contact, relative_name, relative_id";

/// The relatives of active patients in `unit_id` whose contact person is `user_id`, on the
/// relative or in an agreement in force; those with no next contact first, then by date.
pub async fn my_relatives(
    db: &Db,
    user_id: i64,
    unit_id: i64,
) -> Result<Vec<MyRelative>, sqlx::Error> {
    on_db!(db, |p| sqlx::query_as(MY_RELATIVES)
        .bind(user_id)
        .bind(unit_id)
        .fetch_all(p)
        .await)
}
