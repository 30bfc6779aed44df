//! The lists behind the dashboard's numbers, for one district (optionally one unit): paged
//! with bounded offsets, sorted by an allow-listed column, counted by SQL.

use super::dashboard::{child_cutoffs, end_of};
use super::Db;
use crate::db::on_db;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// Which rows, in which order, which page.
#[derive(Debug, Clone)]
pub struct Query {
    pub district: i64,
    /// 0 for every unit of the district.
    pub unit: i64,
    pub day: NaiveDate,
    pub filter: String,
    pub sort: String,
    pub limit: i64,
    pub offset: i64,
}

/// Binds $1 district, $2 unit, $3 day, $4 end of day, $5 and $6 the child cut-offs.
macro_rules! bound {
    ($q:expr, $query:expr) => {{
        let (registered_before, born_after) = child_cutoffs($query.day);
        $q.bind($query.district)
            .bind($query.unit)
            .bind($query.day)
            .bind(end_of($query.day))
            .bind(registered_before)
            .bind(born_after)
    }};
}

async fn count(db: &Db, from: &str, q: &Query) -> Result<i64, sqlx::Error> {
    let sql = format!("SELECT COUNT(*) {from}");
    on_db!(db, |p| bound!(sqlx::query_scalar(&sql), q)
        .fetch_one(p)
        .await)
}

/// Every list query binds the same six parameters (district, unit, day, day's end, limit,
/// offset) in the same order, whichever of them its text uses. PostgreSQL must infer a type
/// for each one, so a parameter a query does not use is mentioned as `$n = $n`: always true,
/// and it lets PostgreSQL type the parameter from the value bound.
const IN_DISTRICT: &str =
    "u.district_id = $1 AND ($2 = 0 OR u.id = $2) AND $3 = $3 AND $5 = $5 AND $6 = $6";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OverdueRow {
    pub id: i64,
    pub due_on: NaiveDate,
    pub concerns: String,
    pub kind: String,
    pub patient_id: i64,
    pub patient_name: String,
    pub relative_name: Option<String>,
    pub owner_id: i64,
    pub owner_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub agreement_id: Option<i64>,
}

/// Open follow-ups due before the day, or (filter `needs_owner`) open follow-ups whose owner
/// does not work in the patient's unit, whatever their due date.
pub async fn overdue_followups(db: &Db, q: &Query) -> Result<(i64, Vec<OverdueRow>), sqlx::Error> {
    let needs_owner = q.filter == "needs_owner";
    let which = if needs_owner {
        "COALESCE(o.unit_id, 0) <> f.unit_id"
    } else {
        "f.due_on < $3"
    };
    let from = format!(
        "FROM followups f JOIN units u ON u.id = f.unit_id JOIN patients p ON p.id = f.patient_id
         JOIN users o ON o.id = f.owner_id LEFT JOIN relatives r ON r.id = f.relative_id
         WHERE {IN_DISTRICT} AND f.status = 'open' AND {which} AND f.created_at < $4"
    );
    let order = match q.sort.as_str() {
        "unit" => "u.name, f.due_on, f.id",
        "owner" => "o.name, f.due_on, f.id",
        "patient" => "p.sort_key, f.due_on, f.id",
        _ => "f.due_on, f.id",
    };
    let total = count(db, &from, q).await?;
    let columns =
        "f.id, f.due_on, f.concerns, f.kind, p.id AS patient_id, p.full_name AS patient_name,
            r.full_name AS relative_name, o.id AS owner_id, o.name AS owner_name, u.id AS unit_id,
            u.name AS unit_name, f.agreement_id";
    let sql = if order.starts_with("f.due_on") && !needs_owner {
        // In due order the page is chosen from the follow-ups alone, and only its rows are
        // joined to patients, owners and relatives.
        format!(
            "SELECT {columns} FROM (SELECT f.* FROM followups f JOIN units u ON u.id = f.unit_id
                 WHERE {IN_DISTRICT} AND f.status = 'open' AND f.due_on < $3 AND f.created_at < $4
                 ORDER BY f.due_on, f.id LIMIT $7 OFFSET $8) f
             JOIN units u ON u.id = f.unit_id JOIN patients p ON p.id = f.patient_id
             JOIN users o ON o.id = f.owner_id LEFT JOIN relatives r ON r.id = f.relative_id
             ORDER BY f.due_on, f.id"
        )
    } else {
        format!("SELECT {columns} {from} ORDER BY {order} LIMIT $7 OFFSET $8")
    };
    let rows = on_db!(db, |p| bound!(sqlx::query_as(&sql), q)
        .bind(q.limit)
        .bind(q.offset)
        .fetch_all(p)
        .await)?;
    Ok((total, rows))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PatientListRow {
    pub id: i64,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub unit_name: String,
    pub created_at: DateTime<Utc>,
}

/// Active patients; `not_identified` keeps those whose identify step is not done.
pub async fn patients(db: &Db, q: &Query) -> Result<(i64, Vec<PatientListRow>), sqlx::Error> {
    let identified = super::patients::identified_sql("$3", "$4");
    let extra = match q.filter.as_str() {
        "not_identified" => format!("AND NOT {identified}"),
        "identified" => format!("AND {identified}"),
        _ => String::new(),
    };
    let from = format!(
        "FROM patients p JOIN units u ON u.id = p.unit_id
         WHERE {IN_DISTRICT} AND p.created_at < $4 AND (p.archived_at IS NULL OR p.archived_at >= $4) {extra}"
    );
    let order = match q.sort.as_str() {
        "unit" => "u.name, p.sort_key, p.id",
        "created" => "p.created_at DESC, p.id",
        _ => "p.sort_key, p.id",
    };
    let total = count(db, &from, q).await?;
    let sql = format!(
        "SELECT p.id, p.full_name, p.birth_date, u.name AS unit_name, p.created_at
         {from} ORDER BY {order} LIMIT $7 OFFSET $8"
    );
    let rows = on_db!(db, |p| bound!(sqlx::query_as(&sql), q)
        .bind(q.limit)
        .bind(q.offset)
        .fetch_all(p)
        .await)?;
    Ok((total, rows))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RelativeListRow {
    pub id: i64,
    pub full_name: String,
    pub patient_id: i64,
    pub patient_name: String,
    pub unit_name: String,
    pub created_at: DateTime<Utc>,
}

const IN_FORCE: &str = "EXISTS (SELECT 1 FROM agreement_relatives ar JOIN agreements a ON a.id = ar.agreement_id
    WHERE ar.relative_id = r.id AND a.activated_on <= $3 AND (a.ended_on IS NULL OR a.ended_on > $3))";

/// Relatives behind the relative indicators.
pub async fn relatives(db: &Db, q: &Query) -> Result<(i64, Vec<RelativeListRow>), sqlx::Error> {
    let involved = "r.involvement = 'yes' AND r.created_at < $4 AND p.created_at < $4
        AND (p.archived_at IS NULL OR p.archived_at >= $4)";
    let heavy = format!(
        "EXISTS (SELECT 1 FROM mappings m WHERE m.id = (SELECT MAX(m2.id) FROM mappings m2
            WHERE m2.relative_id = r.id AND m2.mapped_on <= $3)
            AND {})",
        super::mappings::heavy_sql("m")
    );
    let condition = match q.filter.as_str() {
        "unmapped" => format!("{involved} AND NOT EXISTS (SELECT 1 FROM mappings m WHERE m.relative_id = r.id AND m.mapped_on <= $3)"),
        "heavy_without_agreement" => format!("{involved} AND {heavy} AND NOT {IN_FORCE}"),
        "without_agreement" => format!("{involved} AND NOT {IN_FORCE}"),
        "without_contact" => format!("{involved} AND r.contact_person_id IS NULL AND NOT {IN_FORCE}"),
        "children_without_followup" => "r.created_at < $5
            AND (r.age_group = 'child' OR (r.birth_date IS NOT NULL AND r.birth_date > $6))
            AND NOT EXISTS (SELECT 1 FROM child_followups c WHERE c.relative_id = r.id AND c.recorded_at < $4)".to_string(),
        _ => involved.to_string(),
    };
    let from = format!(
        "FROM relatives r JOIN patients p ON p.id = r.patient_id JOIN units u ON u.id = p.unit_id
         WHERE {IN_DISTRICT} AND {condition}"
    );
    let order = match q.sort.as_str() {
        "unit" => "u.name, r.full_name, r.id",
        "registered" => "r.created_at, r.id",
        _ => "r.full_name, r.id",
    };
    let total = count(db, &from, q).await?;
    let sql = format!(
        "SELECT r.id, r.full_name, p.id AS patient_id, p.full_name AS patient_name, u.name AS unit_name, r.created_at
         {from} ORDER BY {order} LIMIT $7 OFFSET $8"
    );
    let rows = on_db!(db, |p| bound!(sqlx::query_as(&sql), q)
        .bind(q.limit)
        .bind(q.offset)
        .fetch_all(p)
        .await)?;
    Ok((total, rows))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AgreementListRow {
    pub id: i64,
    pub patient_id: i64,
    pub patient_name: String,
    pub unit_name: String,
    pub status: String,
    pub evaluation_on: Option<NaiveDate>,
    pub contact_person_name: Option<String>,
}

/// Agreements in force at the day, or only those past their evaluation date.
pub async fn agreements(db: &Db, q: &Query) -> Result<(i64, Vec<AgreementListRow>), sqlx::Error> {
    let extra = match q.filter.as_str() {
        "overdue" => "AND a.evaluation_on < $3",
        _ => "",
    };
    let from = format!(
        "FROM agreements a JOIN patients p ON p.id = a.patient_id JOIN units u ON u.id = p.unit_id
         LEFT JOIN users cp ON cp.id = a.contact_person_id
         WHERE {IN_DISTRICT} AND a.activated_on <= $3 AND (a.ended_on IS NULL OR a.ended_on > $3)
           AND a.created_at < $4 {extra}"
    );
    let order = match q.sort.as_str() {
        "unit" => "u.name, a.evaluation_on, a.id",
        "patient" => "p.sort_key, a.id",
        _ => "a.evaluation_on, a.id",
    };
    let total = count(db, &from, q).await?;
    let sql = format!(
        "SELECT a.id, p.id AS patient_id, p.full_name AS patient_name, u.name AS unit_name, a.status,
            a.evaluation_on, cp.name AS contact_person_name
         {from} ORDER BY {order} LIMIT $7 OFFSET $8"
    );
    let rows = on_db!(db, |p| bound!(sqlx::query_as(&sql), q)
        .bind(q.limit)
        .bind(q.offset)
        .fetch_all(p)
        .await)?;
    Ok((total, rows))
}
