//! Relatives, their consent history and the follow-up of child relatives.

use super::{Db, Tx};
use crate::db::{on_db, on_tx, IdList};
use crate::domain::access::Scope;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RelativeRow {
    pub id: i64,
    pub patient_id: i64,
    pub patient_name: String,
    pub unit_id: i64,
    pub full_name: String,
    pub relation: String,
    pub relation_other: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: String,
    pub birth_date: Option<NaiveDate>,
    pub age_group: String,
    pub language: String,
    pub interpreter: bool,
    pub closest: bool,
    pub closest_basis: String,
    pub closest_on: Option<NaiveDate>,
    pub guardian: bool,
    pub involvement: String,
    pub contact_person_id: Option<i64>,
    pub contact_person_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT r.id, r.patient_id, p.full_name AS patient_name, p.unit_id, r.full_name, r.relation,
        r.relation_other, r.phone, r.email, r.address, r.birth_date, r.age_group, r.language, r.interpreter,
        r.closest, r.closest_basis, r.closest_on, r.guardian, r.involvement, r.contact_person_id,
        cp.name AS contact_person_name, r.created_at
    FROM relatives r JOIN patients p ON p.id = r.patient_id JOIN units u ON u.id = p.unit_id
    LEFT JOIN users cp ON cp.id = r.contact_person_id";

/// The relative, if its patient is within `scope`.
pub async fn get(db: &Db, scope: Scope, id: i64) -> Result<Option<RelativeRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE r.id = $2 AND {}", scope.condition("$1"));
    on_db!(db, |p| sqlx::query_as(&sql)
        .bind(scope.id())
        .bind(id)
        .fetch_optional(p)
        .await)
}

pub async fn for_patient(db: &Db, patient_id: i64) -> Result<Vec<RelativeRow>, sqlx::Error> {
    for_patients(db, &[patient_id]).await
}

/// The relatives of several patients, each patient's closest first, then by name.
pub async fn for_patients(db: &Db, patients: &[i64]) -> Result<Vec<RelativeRow>, sqlx::Error> {
    let Some(ids) = IdList::new(patients) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "{SELECT} WHERE {} ORDER BY r.closest DESC, r.full_name, r.id",
        ids.condition("r.patient_id")
    );
    on_db!(db, |p| ids.bind(sqlx::query_as(&sql)).fetch_all(p).await)
}

/// The data of the relative form, parsed (`domain::relative::RelativeDraft`).
pub use crate::domain::relative::RelativeDraft as RelativeInput;

pub async fn insert(
    tx: &mut Tx,
    patient_id: i64,
    r: &RelativeInput,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let sql = "INSERT INTO relatives (patient_id, full_name, relation, relation_other, phone, email, address, birth_date,
                   age_group, language, interpreter, closest, closest_basis, closest_on, guardian, involvement,
                   contact_person_id, created_by, created_at, updated_at, unit_id)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19,
                   (SELECT unit_id FROM patients WHERE id = $1))
               RETURNING id";
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(patient_id)
        .bind(&r.full_name)
        .bind(&r.relation)
        .bind(&r.relation_other)
        .bind(&r.phone)
        .bind(&r.email)
        .bind(&r.address)
        .bind(r.birth_date)
        .bind(&r.age_group)
        .bind(&r.language)
        .bind(r.interpreter)
        .bind(r.closest)
        .bind(&r.closest_basis)
        .bind(r.closest_on)
        .bind(r.guardian)
        .bind(&r.involvement)
        .bind(r.contact_person_id)
        .bind(by)
        .bind(now)
        .fetch_one(c)
        .await)?;
    super::history::relative(tx, id, now).await?;
    Ok(id)
}

pub async fn update(
    tx: &mut Tx,
    id: i64,
    r: &RelativeInput,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE relatives SET full_name = $1, relation = $2, relation_other = $3, phone = $4, email = $5,
                   address = $6, birth_date = $7, age_group = $8, language = $9, interpreter = $10, closest = $11,
                   closest_basis = $12, closest_on = $13, guardian = $14, involvement = $15, contact_person_id = $16,
                   updated_at = $17
               WHERE id = $18";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(&r.full_name)
        .bind(&r.relation)
        .bind(&r.relation_other)
        .bind(&r.phone)
        .bind(&r.email)
        .bind(&r.address)
        .bind(r.birth_date)
        .bind(&r.age_group)
        .bind(&r.language)
        .bind(r.interpreter)
        .bind(r.closest)
        .bind(&r.closest_basis)
        .bind(r.closest_on)
        .bind(r.guardian)
        .bind(&r.involvement)
        .bind(r.contact_person_id)
        .bind(now)
        .bind(id)
        .execute(c)
        .await
        .map(|_| ()))?;
    super::history::relative(tx, id, now).await
}

/// Other relatives of the patient already recorded as nærmeste pårørende.
pub async fn other_closest(
    db: &Db,
    patient_id: i64,
    except: Option<i64>,
) -> Result<Vec<String>, sqlx::Error> {
    let sql = "SELECT full_name FROM relatives WHERE patient_id = $1 AND closest = $2 AND id <> $3 ORDER BY id";
    on_db!(db, |p| sqlx::query_scalar(sql)
        .bind(patient_id)
        .bind(true)
        .bind(except.unwrap_or(0))
        .fetch_all(p)
        .await)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ConsentRow {
    pub id: i64,
    pub relative_id: i64,
    pub scope: String,
    pub topics: String,
    pub given_on: NaiveDate,
    pub how: String,
    pub recorded_by_name: Option<String>,
    pub recorded_at: DateTime<Utc>,
}
/// A consent as parsed by `domain::relative::Consent::parse`.
pub use crate::domain::relative::Consent as ConsentInput;

pub async fn add_consent(
    tx: &mut Tx,
    relative_id: i64,
    c: &ConsentInput,
    by: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let sql =
        "INSERT INTO consents (relative_id, scope, topics, given_on, how, recorded_by, recorded_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7)";
    on_tx!(tx, |conn| sqlx::query(sql)
        .bind(relative_id)
        .bind(&c.scope)
        .bind(&c.topics)
        .bind(c.given_on)
        .bind(&c.how)
        .bind(by)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ()))
}

/// The consent history, newest first (the first is in force).
pub async fn consents(db: &Db, relative_id: i64) -> Result<Vec<ConsentRow>, sqlx::Error> {
    let sql = "SELECT c.id, c.relative_id, c.scope, c.topics, c.given_on, c.how, s.name AS recorded_by_name, c.recorded_at
               FROM consents c LEFT JOIN users s ON s.id = c.recorded_by
               WHERE c.relative_id = $1 ORDER BY c.id DESC";
    on_db!(db, |p| sqlx::query_as(sql)
        .bind(relative_id)
        .fetch_all(p)
        .await)
}

/// The consent in force for each relative of a patient.
pub async fn current_consents(db: &Db, patient_id: i64) -> Result<Vec<ConsentRow>, sqlx::Error> {
    current_consents_of(db, &[patient_id]).await
}

/// The consent in force for each relative of several patients.
pub async fn current_consents_of(
    db: &Db,
    patients: &[i64],
) -> Result<Vec<ConsentRow>, sqlx::Error> {
    let Some(ids) = IdList::new(patients) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT c.id, c.relative_id, c.scope, c.topics, c.given_on, c.how, s.name AS recorded_by_name, c.recorded_at
         FROM consents c LEFT JOIN users s ON s.id = c.recorded_by
         WHERE c.id IN (SELECT MAX(c2.id) FROM consents c2 JOIN relatives r ON r.id = c2.relative_id
                        WHERE {} GROUP BY c2.relative_id)",
        ids.condition("r.patient_id")
    );
    on_db!(db, |p| ids.bind(sqlx::query_as(&sql)).fetch_all(p).await)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ChildFollowupRow {
    pub id: i64,
    pub relative_id: i64,
    pub informed: String,
    pub informed_how: String,
    pub follower: String,
    pub services: String,
    pub concern: String,
    pub concern_action: String,
    pub recorded_by_name: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

/// A child's follow-up as parsed by `domain::children::ChildFollowup::parse`.
pub use crate::domain::children::ChildFollowup as ChildFollowupInput;

pub async fn add_child_followup(
    tx: &mut Tx,
    relative_id: i64,
    c: &ChildFollowupInput,
    by: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO child_followups (relative_id, informed, informed_how, follower, services, concern, concern_action,
                   care_tasks, care_tasks_note, recorded_by, recorded_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    on_tx!(tx, |conn| sqlx::query(sql)
        .bind(relative_id)
        .bind(&c.informed)
        .bind(&c.informed_how)
        .bind(&c.follower)
        .bind(&c.services)
        .bind(&c.concern)
        .bind(&c.concern_action)
        .bind(&c.care_tasks)
        .bind(&c.care_tasks_note)
        .bind(by)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ()))
}

pub async fn child_followups(
    db: &Db,
    relative_id: i64,
) -> Result<Vec<ChildFollowupRow>, sqlx::Error> {
    let sql = "SELECT c.id, c.relative_id, c.informed, c.informed_how, c.follower, c.services, c.concern, c.concern_action,
                   s.name AS recorded_by_name, c.recorded_at
               FROM child_followups c LEFT JOIN users s ON s.id = c.recorded_by
               WHERE c.relative_id = $1 ORDER BY c.id DESC";
    on_db!(db, |p| sqlx::query_as(sql)
        .bind(relative_id)
        .fetch_all(p)
        .await)
}

pub async fn set_outcome(
    tx: &mut Tx,
    patient_id: i64,
    outcome: Option<&str>,
    on: Option<NaiveDate>,
    reason: &str,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE patients SET identify_outcome = $1, identify_outcome_on = $2, identify_outcome_reason = $3 WHERE id = $4";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(outcome)
        .bind(on)
        .bind(reason)
        .bind(patient_id)
        .execute(c)
        .await
        .map(|_| ()))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Outcome {
    /// The patient's id.
    pub id: i64,
    pub identify_outcome: Option<String>,
    pub identify_outcome_on: Option<NaiveDate>,
    pub identify_outcome_reason: Option<String>,
    /// Minor children or siblings: '' (not asked), 'yes', 'no' or 'unknown'.
    pub minor_children: String,
    pub minor_children_on: Option<NaiveDate>,
}

/// What identification found for each of several patients, in no set order.
pub async fn outcomes(db: &Db, patients: &[i64]) -> Result<Vec<Outcome>, sqlx::Error> {
    let Some(ids) = IdList::new(patients) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT id, identify_outcome, identify_outcome_on, identify_outcome_reason, minor_children,
                minor_children_on FROM patients WHERE {}",
        ids.condition("id")
    );
    on_db!(db, |p| ids.bind(sqlx::query_as(&sql)).fetch_all(p).await)
}

/// Records the answer about minor children or siblings, and the day it was given.
pub async fn set_minor_children(
    tx: &mut Tx,
    patient_id: i64,
    answer: &str,
    on: NaiveDate,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE patients SET minor_children = $1, minor_children_on = $2 WHERE id = $3";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(answer)
        .bind(on)
        .bind(patient_id)
        .execute(c)
        .await
        .map(|_| ()))
}

/// The latest child follow-up of each child relative of several patients that has one, as
/// (relative, when recorded).
pub async fn latest_child_followups(
    db: &Db,
    patients: &[i64],
) -> Result<Vec<(i64, DateTime<Utc>)>, sqlx::Error> {
    let Some(ids) = IdList::new(patients) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT c.relative_id, MAX(c.recorded_at) FROM child_followups c
         JOIN relatives r ON r.id = c.relative_id WHERE {}
         GROUP BY c.relative_id",
        ids.condition("r.patient_id")
    );
    on_db!(db, |p| ids.bind(sqlx::query_as(&sql)).fetch_all(p).await)
}
