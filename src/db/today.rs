//! What a worker's day page reads: the patients of their unit they take part in, and the
//! relatives they are contact person for with the next contact agreed.

use super::Db;
use crate::db::on_db;
use chrono::NaiveDate;
use serde::Serialize;

/// The active patients of `unit_id` that `user_id` takes part in: as contact person for a
/// relative, contact person or deputy in an agreement not ended, owner of an open
/// follow-up, or author of a meeting not yet completed. By name, at most `limit`.
pub async fn involved_patients(
    db: &Db,
    user_id: i64,
    unit_id: i64,
    limit: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let sql = "SELECT p.id, p.full_name FROM patients p
               WHERE p.unit_id = $2 AND p.archived_at IS NULL AND (
                 EXISTS (SELECT 1 FROM relatives r WHERE r.patient_id = p.id AND r.contact_person_id = $1)
                 OR EXISTS (SELECT 1 FROM agreements a WHERE a.patient_id = p.id AND a.status <> 'ended'
                            AND (a.contact_person_id = $1 OR a.deputy_id = $1))
                 OR EXISTS (SELECT 1 FROM followups f WHERE f.patient_id = p.id AND f.status = 'open'
                            AND f.owner_id = $1)
                 OR EXISTS (SELECT 1 FROM meetings m WHERE m.patient_id = p.id AND m.status = 'draft'
                            AND m.created_by = $1))
               ORDER BY p.sort_key, p.id LIMIT $3";
    on_db!(db, |p| sqlx::query_as(sql)
        .bind(user_id)
        .bind(unit_id)
        .bind(limit)
        .fetch_all(p)
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
/// took 53 s at 100 000 patients).
pub const MY_RELATIVES: &str = "SELECT * FROM (SELECT r.id AS relative_id, r.full_name AS relative_name, r.relation, p.id AS patient_id,
                      p.full_name AS patient_name,
                      (SELECT MIN(f.due_on) FROM followups f
                        WHERE f.patient_id = r.patient_id AND f.status = 'open' AND (f.relative_id = r.id OR f.agreement_id IN
                          (SELECT ar.agreement_id FROM agreement_relatives ar WHERE ar.relative_id = r.id)))
                        AS next_contact
               FROM relatives r JOIN patients p ON p.id = r.patient_id
               WHERE p.unit_id = $2 AND p.archived_at IS NULL AND (r.contact_person_id = $1
                 OR EXISTS (SELECT 1 FROM agreement_relatives ar JOIN agreements a ON a.id = ar.agreement_id
                            WHERE ar.relative_id = r.id AND a.contact_person_id = $1
                              AND a.status IN ('active', 'evaluated')))) mine
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
