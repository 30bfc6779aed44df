//! Change counters: what the dashboard's figures kept per unit were computed from. A change
//! to a patient's data counts on the units whose figures include the patient (the patient's
//! unit and the units the patient's follow-ups were registered in); a change to accounts,
//! units or offers counts on the catalogue. Each count is made inside the change's
//! transaction.

use super::{Db, Tx};
use crate::db::{on_db, on_tx};

/// The counters figures depend on: (their own scope, the catalogue). Figures are kept only
/// while both are unchanged.
pub type Version = (i64, i64);

/// Counts a change to `patient_id`'s data, in its unit `unit_id`.
pub async fn patient(tx: &mut Tx, patient_id: i64, unit_id: i64) -> Result<(), sqlx::Error> {
    // The patient's unit and the units the follow-ups were registered in (counted there on
    // the dashboard).
    let units = "UPDATE units SET change_seq = change_seq + 1
                 WHERE id = $2 OR id IN (SELECT f.unit_id FROM followups f WHERE f.patient_id = $1)";
    on_tx!(tx, |c| sqlx::query(units)
        .bind(patient_id)
        .bind(unit_id)
        .execute(c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Counts a change that touches a unit's lists without a patient of its own: the unit a
/// patient moved away from.
pub async fn unit(tx: &mut Tx, unit_id: i64) -> Result<(), sqlx::Error> {
    let sql = "UPDATE units SET change_seq = change_seq + 1 WHERE id = $1";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(unit_id)
        .execute(c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Counts a change to accounts, units, districts or offers: names and choices every page may
/// show. Called by the functions that write them (`users`, `org`, `support`).
pub async fn catalog(tx: &mut Tx) -> Result<(), sqlx::Error> {
    let sql = "UPDATE catalog_version SET change_seq = change_seq + 1 WHERE id = 1";
    on_tx!(tx, |c| sqlx::query(sql).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// The counters behind a district's figures: the sum over its units only grows, and grows with
/// every change in any of them.
pub async fn of_district(db: &Db, district_id: i64) -> Result<Version, sqlx::Error> {
    let sql = "SELECT CAST(COALESCE((SELECT SUM(u.change_seq) FROM units u WHERE u.district_id = $1), 0) AS BIGINT),
                      (SELECT c.change_seq FROM catalog_version c WHERE c.id = 1)";
    on_db!(db, |p| sqlx::query_as(sql)
        .bind(district_id)
        .fetch_one(p)
        .await)
}

/// Each unit of a district with its counter, by id: a unit's dashboard figures are current
/// while its counter is unchanged.
pub async fn of_units(db: &Db, district_id: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let sql = "SELECT id, change_seq FROM units WHERE district_id = $1 ORDER BY id";
    on_db!(db, |p| sqlx::query_as(sql)
        .bind(district_id)
        .fetch_all(p)
        .await)
}
