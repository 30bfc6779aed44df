//! Patients (pasienter/brukere). Archived, never deleted.

use super::{Db, Tx};

/// The rule "the patient is identified" (step 1 done) on a day, as SQL over `patients p`: an
/// explicit outcome recorded by `day`, or a relative with an involvement answer (yes or no)
/// registered before `end` (the day's end); and, by `day`, the question about minor children
/// or siblings answered no, or yes with a child registered as a relative. The one text for
/// every query that counts or lists identified patients; `domain::routine::identify` is the
/// same rule for one patient. (A child counts here as registered in the child age group;
/// the page also knows a registered child's birthday.)
pub fn identified_sql(day: &str, end: &str) -> String {
    format!(
        "(((p.identify_outcome IS NOT NULL AND p.identify_outcome_on <= {day})
          OR EXISTS (SELECT 1 FROM relatives r WHERE r.unit_id = p.unit_id AND r.patient_id = p.id
                     AND r.involvement IN ('yes', 'no') AND r.created_at < {end}))
         AND p.minor_children_on <= {day}
         AND (p.minor_children = 'no'
              OR (p.minor_children = 'yes' AND EXISTS (SELECT 1 FROM relatives c
                   WHERE c.unit_id = p.unit_id AND c.patient_id = p.id AND c.age_group = 'child'
                     AND c.created_at < {end}))))"
    )
}

/// The same rule for many days in one scan (the dashboard's trend): per patient, the day
/// an explicit outcome was recorded (`outcome_on`) and the first relative's involvement
/// answer (`first_answer`), as columns over `patients p` of unit `unit`...
pub fn identified_facts_sql(unit: &str) -> String {
    format!(
        "CASE WHEN p.identify_outcome IS NOT NULL THEN p.identify_outcome_on END AS outcome_on,
         (SELECT MIN(r.created_at) FROM relatives r WHERE r.unit_id = {unit} AND r.patient_id = p.id
             AND r.involvement IN ('yes', 'no')) AS first_answer,
         CASE WHEN p.minor_children IN ('yes', 'no') THEN p.minor_children_on END AS children_on,
         CASE WHEN p.minor_children = 'no' THEN p.minor_children_on ELSE
             (SELECT MIN(c.created_at) FROM relatives c WHERE c.unit_id = {unit} AND c.patient_id = p.id
                 AND c.age_group = 'child') END AS children_done"
    )
}

/// ...and the condition on those columns of a row `x` that the patient was identified on `day`
/// (`end` the day's end), as `identified_sql` states it.
pub fn identified_from_facts_sql(day: &str, end: &str) -> String {
    format!(
        "(((x.outcome_on IS NOT NULL AND x.outcome_on <= {day}) OR x.first_answer < {end})
          AND x.children_on <= {day} AND x.children_done < {end})"
    )
}

use crate::db::{on_db, on_tx};
use crate::domain::access::Scope;
use crate::domain::patient::PatientInput;
use crate::domain::text::{name_words, prefix_end, sort_key};
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

/// The most words of a search that are looked up; a longer search is cut there.
const MAX_SEARCH_WORDS: usize = 4;

/// The search as SQL over `patients p JOIN units u`, and its parameters after the scope's
/// `$1`: each word of the name must start a word of the patient's name (the index
/// `patient_name_words`, within the scope's units), then birth date and archived.
fn search_sql(scope: Scope, filter: &Filter) -> (String, Vec<String>) {
    let words: Vec<String> = name_words(&filter.name)
        .into_iter()
        .take(MAX_SEARCH_WORDS)
        .collect();
    let units = match scope {
        Scope::Unit(_) => "w.unit_id = $1",
        Scope::District(_) => "w.unit_id IN (SELECT id FROM units WHERE district_id = $1)",
    };
    let mut sql = format!(
        "WHERE {} AND ($2 IS NULL OR p.birth_date = $2) AND (p.archived_at IS NULL OR $3)",
        scope.condition("$1")
    );
    let mut binds = Vec::new();
    for word in words {
        let n = binds.len() + 4;
        sql.push_str(&format!(
            " AND p.id IN (SELECT w.patient_id FROM patient_name_words w
                          WHERE {units} AND w.word >= ${n} AND w.word < ${})",
            n + 1
        ));
        let end = prefix_end(&word);
        binds.push(word);
        binds.push(end);
    }
    (sql, binds)
}

/// One page of the patients in scope, in Norwegian alphabetical order by surname.
pub async fn list(
    db: &Db,
    scope: Scope,
    filter: &Filter,
    limit: i64,
    offset: i64,
) -> Result<Vec<PatientRow>, sqlx::Error> {
    let (condition, words) = search_sql(scope, filter);
    let n = words.len() + 4;
    let sql = format!(
        "{SELECT} {condition} ORDER BY p.sort_key, p.id LIMIT ${n} OFFSET ${}",
        n + 1
    );
    on_db!(db, |p| {
        let mut q = sqlx::query_as(&sql)
            .bind(scope.id())
            .bind(filter.birth_date)
            .bind(filter.include_archived);
        for word in &words {
            q = q.bind(word);
        }
        q.bind(limit).bind(offset).fetch_all(p).await
    })
}

pub async fn count(db: &Db, scope: Scope, filter: &Filter) -> Result<i64, sqlx::Error> {
    let (condition, words) = search_sql(scope, filter);
    let sql =
        format!("SELECT COUNT(*) FROM patients p JOIN units u ON u.id = p.unit_id {condition}");
    on_db!(db, |p| {
        let mut q = sqlx::query_scalar(&sql)
            .bind(scope.id())
            .bind(filter.birth_date)
            .bind(filter.include_archived);
        for word in &words {
            q = q.bind(word);
        }
        q.fetch_one(p).await
    })
}

/// Writes the words of the patient's name for the search (`patient_name_words`), replacing
/// what was there: after every change of name or unit, in the same transaction.
pub async fn index_name(
    tx: &mut Tx,
    patient_id: i64,
    unit_id: i64,
    full_name: &str,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM patient_name_words WHERE patient_id = $1"
    )
    .bind(patient_id)
    .execute(c)
    .await
    .map(|_| ()))?;
    let insert = "INSERT INTO patient_name_words (patient_id, unit_id, word) VALUES ($1, $2, $3)";
    for word in name_words(full_name) {
        on_tx!(tx, |c| sqlx::query(insert)
            .bind(patient_id)
            .bind(unit_id)
            .bind(&word)
            .execute(c)
            .await
            .map(|_| ()))?;
    }
    Ok(())
}

/// Indexes the names of patients registered before the search index existed (ids up to
/// `patient_name_backfill.up_to`), a thousand per transaction, then marks the work done;
/// returns how many were read. Run at start: once done, it costs one small query.
pub async fn index_missing_names(db: &Db) -> Result<usize, sqlx::Error> {
    let up_to: i64 = on_db!(db.base(), |p| sqlx::query_scalar(
        "SELECT COALESCE(MAX(up_to), 0) FROM patient_name_backfill"
    )
    .fetch_one(p)
    .await)?;
    if up_to == 0 {
        return Ok(0);
    }
    let (mut done, mut after) = (0, 0_i64);
    let sql = "SELECT p.id, p.unit_id, p.full_name FROM patients p
               WHERE p.id > $1 AND p.id <= $2
                 AND NOT EXISTS (SELECT 1 FROM patient_name_words w WHERE w.patient_id = p.id)
               ORDER BY p.id LIMIT 1000";
    loop {
        let rows: Vec<(i64, i64, String)> = on_db!(db.base(), |p| sqlx::query_as(sql)
            .bind(after)
            .bind(up_to)
            .fetch_all(p)
            .await)?;
        let Some(last) = rows.last() else {
            break;
        };
        after = last.0;
        let mut tx = db.begin().await?;
        for (id, unit_id, name) in &rows {
            index_name(&mut tx, *id, *unit_id, name).await?;
        }
        tx.commit().await?;
        done += rows.len();
    }
    if up_to > 0 {
        on_db!(db.base(), |p| sqlx::query(
            "UPDATE patient_name_backfill SET up_to = 0"
        )
        .execute(p)
        .await
        .map(|_| ()))?;
    }
    Ok(done)
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
    let sql = "INSERT INTO patients (unit_id, full_name, sort_key, birth_date, fnr, phone, address,
                   services, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id";
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(unit_id)
        .bind(&p.full_name)
        .bind(sort_key(&p.full_name))
        .bind(p.birth_date)
        .bind(p.fnr.as_ref().map(|f| f.as_str()))
        .bind(p.phone.as_ref().map(|f| f.as_str()))
        .bind(&p.address)
        .bind(&p.services)
        .bind(now)
        .fetch_one(c)
        .await)?;
    index_name(tx, id, unit_id, &p.full_name).await?;
    Ok(id)
}

pub async fn update(
    tx: &mut Tx,
    id: i64,
    unit_id: i64,
    p: &PatientInput,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let sql = "UPDATE patients SET full_name = $1, sort_key = $2, birth_date = $3, fnr = $4,
                   phone = $5, address = $6, services = $7, updated_at = $8, unit_id = $10
               WHERE id = $9";
    let updated = on_tx!(tx, |c| sqlx::query(sql)
        .bind(&p.full_name)
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
    if updated > 0 {
        index_name(tx, id, unit_id, &p.full_name).await?;
    }
    // The relatives follow the patient to the new unit.
    let follow = "UPDATE relatives SET unit_id = $1 WHERE patient_id = $2 AND unit_id <> $1";
    on_tx!(tx, |c| sqlx::query(follow)
        .bind(unit_id)
        .bind(id)
        .execute(c)
        .await
        .map(|_| ()))?;
    super::history::relatives_of(tx, id, now).await?;
    Ok(updated)
}

/// Archives (Some(now)) or restores (None) a patient.
/// Archives the patient at `at` for `reason` (a key of `children::ARCHIVE_REASONS`), or
/// restores them (None, and an empty reason).
pub async fn set_archived(
    tx: &mut Tx,
    id: i64,
    at: Option<DateTime<Utc>>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let sql =
        "UPDATE patients SET archived_at = $1, archive_reason = $2, updated_at = $3 WHERE id = $4";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(at)
        .bind(reason)
        .bind(now)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
}
