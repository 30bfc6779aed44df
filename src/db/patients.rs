//! Patients (pasienter/brukere). Archived, never deleted.

use super::{Db, Tx};

/// The rule "the patient is identified" (step 1 done) on a day, as SQL over `patients p`: an
/// explicit outcome recorded by `day`, or a relative with an involvement answer (yes or no)
/// registered before `end` (the day's end). The one text for every query that counts or
/// lists identified patients; `domain::routine::identify` is the same rule for one patient.
pub fn identified_sql(day: &str, end: &str) -> String {
    format!(
        "((p.identify_outcome IS NOT NULL AND p.identify_outcome_on <= {day})
          OR EXISTS (SELECT 1 FROM relatives r WHERE r.unit_id = p.unit_id AND r.patient_id = p.id
                     AND r.involvement IN ('yes', 'no') AND r.created_at < {end}))"
    )
}
use crate::db::{on_db, on_tx};
use crate::domain::access::Scope;
use crate::domain::patient::PatientInput;
use crate::domain::text::{search_key, sort_key};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PatientRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub district_id: i64,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub fnr: Option<String>,
    pub phone: Option<String>,
    pub address: String,
    pub services: String,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const SELECT: &str =
    "SELECT p.id, p.unit_id, u.name AS unit_name, u.district_id, p.full_name, p.birth_date,
        p.fnr, p.phone, p.address, p.services, p.archived_at, p.created_at, p.updated_at
    FROM patients p JOIN units u ON u.id = p.unit_id";

/// Search criteria for the patient list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Part of the name, any case.
    pub name: String,
    pub birth_date: Option<NaiveDate>,
    pub include_archived: bool,
}

fn like_pattern(s: &str) -> String {
    let escaped = search_key(s)
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

fn where_clause(scope: Scope) -> String {
    format!(
        "WHERE {} AND ($2 = '' OR p.name_search LIKE $3 ESCAPE '\\') AND ($4 IS NULL OR p.birth_date = $4)
           AND (p.archived_at IS NULL OR $5)",
        scope.condition("$1")
    )
}

/// One page of the patients in scope, in Norwegian alphabetical order by surname.
pub async fn list(
    db: &Db,
    scope: Scope,
    filter: &Filter,
    limit: i64,
    offset: i64,
) -> Result<Vec<PatientRow>, sqlx::Error> {
    let sql = format!(
        "{SELECT} {} ORDER BY p.sort_key, p.id LIMIT $6 OFFSET $7",
        where_clause(scope)
    );
    let name = search_key(&filter.name);
    on_db!(db, |p| sqlx::query_as(&sql)
        .bind(scope.id())
        .bind(&name)
        .bind(like_pattern(&name))
        .bind(filter.birth_date)
        .bind(filter.include_archived)
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await)
}

pub async fn count(db: &Db, scope: Scope, filter: &Filter) -> Result<i64, sqlx::Error> {
    let sql = format!(
        "SELECT COUNT(*) FROM patients p JOIN units u ON u.id = p.unit_id {}",
        where_clause(scope)
    );
    let name = search_key(&filter.name);
    on_db!(db, |p| sqlx::query_scalar(&sql)
        .bind(scope.id())
        .bind(&name)
        .bind(like_pattern(&name))
        .bind(filter.birth_date)
        .bind(filter.include_archived)
        .fetch_one(p)
        .await)
}

/// The patient, if it exists within `scope` (otherwise None: the caller answers 404).
pub async fn get(db: &Db, scope: Scope, id: i64) -> Result<Option<PatientRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE p.id = $2 AND {}", scope.condition("$1"));
    on_db!(db, |p| sqlx::query_as(&sql)
        .bind(scope.id())
        .bind(id)
        .fetch_optional(p)
        .await)
}

/// The patient (any unit) who has `fnr`, other than `except_id`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FnrHolder {
    pub id: i64,
    pub unit_id: i64,
    pub district_id: i64,
}

pub async fn fnr_holder(
    db: &Db,
    fnr: &str,
    except_id: Option<i64>,
) -> Result<Option<FnrHolder>, sqlx::Error> {
    let sql =
        "SELECT p.id, p.unit_id, u.district_id FROM patients p JOIN units u ON u.id = p.unit_id
               WHERE p.fnr = $1 AND p.id <> $2";
    on_db!(db, |p| sqlx::query_as(sql)
        .bind(fnr)
        .bind(except_id.unwrap_or(0))
        .fetch_optional(p)
        .await)
}

pub async fn insert(
    tx: &mut Tx,
    unit_id: i64,
    p: &PatientInput,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let sql = "INSERT INTO patients (unit_id, full_name, name_search, sort_key, birth_date, fnr, phone, address,
                   services, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id";
    on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(unit_id)
        .bind(&p.full_name)
        .bind(search_key(&p.full_name))
        .bind(sort_key(&p.full_name))
        .bind(p.birth_date)
        .bind(p.fnr.as_ref().map(|f| f.as_str()))
        .bind(p.phone.as_ref().map(|f| f.as_str()))
        .bind(&p.address)
        .bind(&p.services)
        .bind(now)
        .fetch_one(c)
        .await)
}

pub async fn update(
    tx: &mut Tx,
    id: i64,
    unit_id: i64,
    p: &PatientInput,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let sql = "UPDATE patients SET full_name = $1, name_search = $2, sort_key = $3, birth_date = $4, fnr = $5,
                   phone = $6, address = $7, services = $8, updated_at = $9, unit_id = $11
               WHERE id = $10";
    let updated = on_tx!(tx, |c| sqlx::query(sql)
        .bind(&p.full_name)
        .bind(search_key(&p.full_name))
        .bind(sort_key(&p.full_name))
        .bind(p.birth_date)
        .bind(p.fnr.as_ref().map(|f| f.as_str()))
        .bind(p.phone.as_ref().map(|f| f.as_str()))
        .bind(&p.address)
        .bind(&p.services)
        .bind(now)
        .bind(id)
        .bind(unit_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    // The relatives follow the patient to the new unit.
    let follow = "UPDATE relatives SET unit_id = $1 WHERE patient_id = $2 AND unit_id <> $1";
    on_tx!(tx, |c| sqlx::query(follow)
        .bind(unit_id)
        .bind(id)
        .execute(c)
        .await
        .map(|_| ()))?;
    Ok(updated)
}

/// Archives (Some(now)) or restores (None) a patient.
pub async fn set_archived(
    tx: &mut Tx,
    id: i64,
    at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let sql = "UPDATE patients SET archived_at = $1, updated_at = $2 WHERE id = $3";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(at)
        .bind(now)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
}
