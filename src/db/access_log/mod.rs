//! The append-only access log: every view, creation, change, print and export of a
//! patient's data (with the patients each list or export contained), refused requests for
//! existing records, failed logins and lock-outs, and administrators' changes to accounts.
//! Nothing updates or deletes its rows (the schema refuses it too).

use super::{Db, Tx};
use crate::db::{on_db, on_tx};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    View,
    Create,
    Update,
    Archive,
    Print,
    Export,
    Delete,
    /// A request for an existing record the user may not reach (answered 404 or 403).
    Refused,
    LoginFailed,
    /// A failed login that locked the account for a while.
    Locked,
    /// A sign-in, with a password or through the identity provider.
    Login,
    Logout,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::View => "view",
            Action::Create => "create",
            Action::Update => "update",
            Action::Archive => "archive",
            Action::Print => "print",
            Action::Export => "export",
            Action::Delete => "delete",
            Action::Refused => "refused",
            Action::LoginFailed => "login_failed",
            Action::Locked => "locked",
            Action::Login => "login",
            Action::Logout => "logout",
        }
    }
}

/// One access: who did what to which record of which patient.
#[derive(Debug, Clone)]
pub struct Access<'a> {
    /// None for a failed login with a username no account has.
    pub user_id: Option<i64>,
    pub username: &'a str,
    pub action: Action,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub detail: &'a str,
}

const INSERT: &str = "INSERT INTO access_log (at, user_id, username, action, entity, entity_id, patient_id, unit_id, detail)
                      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

pub async fn record(db: &Db, a: &Access<'_>, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    db.end_reads().await?;
    on_db!(db.base(), |p| sqlx::query(INSERT)
        .bind(now)
        .bind(a.user_id)
        .bind(a.username)
        .bind(a.action.as_str())
        .bind(a.entity)
        .bind(a.entity_id)
        .bind(a.patient_id)
        .bind(a.unit_id)
        .bind(a.detail)
        .execute(p)
        .await
        .map(|_| ()))
}

mod writer;

pub use writer::{record_listing, Batcher};

/// Records inside the transaction of the change itself, so a change is never without its
/// log row.
pub async fn record_tx(tx: &mut Tx, a: &Access<'_>, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| sqlx::query(INSERT)
        .bind(now)
        .bind(a.user_id)
        .bind(a.username)
        .bind(a.action.as_str())
        .bind(a.entity)
        .bind(a.entity_id)
        .bind(a.patient_id)
        .bind(a.unit_id)
        .bind(a.detail)
        .execute(c)
        .await
        .map(|_| ()))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AccessRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub username: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub detail: String,
}

/// One entry of a patient's access history, with who did it by name and role.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct HistoryRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub username: String,
    /// The person's name and role, when the entry names a user who still exists.
    pub user_name: Option<String>,
    pub user_role: Option<String>,
    pub action: String,
    pub entity: String,
    pub patient_id: Option<i64>,
}

/// A patient's access history, newest first: what concerned the patient, and the lists and
/// exports the patient was included in (those rows have no `patient_id` of their own), also
/// the views of a kept list that name the listing of its first view.
pub async fn for_patient(
    db: &Db,
    patient_id: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<HistoryRow>, sqlx::Error> {
    on_db!(db, |p| sqlx::query_as(&PATIENT_HISTORY_PAGE)
        .bind(patient_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await)
}

/// How many entries the patient's access history has.
pub async fn count_for_patient(db: &Db, patient_id: i64) -> Result<i64, sqlx::Error> {
    on_db!(db, |p| sqlx::query_scalar(&PATIENT_HISTORY_COUNT)
        .bind(patient_id)
        .fetch_one(p)
        .await)
}

/// A patient's history entries ($1), each as `cols` of `access_log a`: its own, the lists and
/// exports that named it, and the views of a kept list that name the listing of its first
/// view. The count and the page take only ids (and times) here, from the indexes (its own
/// entries by patient and time, the views of its listings by listing); only the page shown is
/// read in full. A history of 14 600 entries is counted in 2.4 ms and paged in 6.7 ms instead
/// of 53 and 54 ms (BENCHMARKS.md).
fn patient_history(cols: &str) -> String {
    format!(
        "SELECT {cols} FROM access_log a WHERE a.patient_id = $1
        UNION ALL
        SELECT {cols} FROM access_log_patients l JOIN access_log a ON a.id = l.access_id
        WHERE l.patient_id = $1
        UNION ALL
        SELECT {cols} FROM access_log a
        WHERE a.listing_id IN (SELECT l.access_id FROM access_log_patients l WHERE l.patient_id = $1)"
    )
}

/// The entries $3 to $3 + $2 of a patient's history ($1), newest first, read in full.
pub static PATIENT_HISTORY_PAGE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT a.id, a.at, a.user_id, a.username, u.name AS user_name, u.role AS user_role,
            a.action, a.entity, a.patient_id
         FROM ({} ORDER BY at DESC, id DESC LIMIT $2 OFFSET $3) h
         JOIN access_log a ON a.id = h.id LEFT JOIN users u ON u.id = a.user_id
         ORDER BY h.at DESC, h.id DESC",
        patient_history("a.id, a.at")
    )
});

/// How many entries a patient's history ($1) has, counted in the indexes alone.
pub static PATIENT_HISTORY_COUNT: LazyLock<String> =
    LazyLock::new(|| format!("SELECT COUNT(*) FROM ({}) h", patient_history("a.id")));

/// Which entries of a district's log to review.
#[derive(Debug, Clone, Default)]
pub struct Review {
    pub district: i64,
    /// Part of a username, or empty.
    pub user: String,
    pub patient: Option<i64>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub limit: i64,
    pub offset: i64,
}

const REVIEW_WHERE: &str = "FROM access_log a WHERE a.unit_id IN (SELECT id FROM units WHERE district_id = $1)
    AND ($2 = '' OR a.username = $2) AND ($3 = 0 OR a.patient_id = $3) AND a.at >= $4 AND a.at < $5";

/// The district's access log, newest first, and how many entries match.
pub async fn review(db: &Db, r: &Review) -> Result<(i64, Vec<AccessRow>), sqlx::Error> {
    let count_sql = format!("SELECT COUNT(*) {REVIEW_WHERE}");
    let total: i64 = on_db!(db, |p| sqlx::query_scalar(&count_sql)
        .bind(r.district)
        .bind(&r.user)
        .bind(r.patient.unwrap_or(0))
        .bind(r.from)
        .bind(r.to)
        .fetch_one(p)
        .await)?;
    let sql = format!(
        "SELECT a.id, a.at, a.user_id, a.username, a.action, a.entity, a.entity_id, a.patient_id, a.unit_id, a.detail
         {REVIEW_WHERE} ORDER BY a.at DESC, a.id DESC LIMIT $6 OFFSET $7"
    );
    let rows = on_db!(db, |p| sqlx::query_as(&sql)
        .bind(r.district)
        .bind(&r.user)
        .bind(r.patient.unwrap_or(0))
        .bind(r.from)
        .bind(r.to)
        .bind(r.limit)
        .bind(r.offset)
        .fetch_all(p)
        .await)?;
    Ok((total, rows))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ViewsPerDay {
    pub username: String,
    pub day: String,
    pub views: i64,
    pub patients: i64,
}

/// The query of `top_viewers` on `engine` ($1 district, $2 from, $3 to). The district's
/// views are counted in the index by action, unit and time (migration 0032), which holds
/// the user and the patient. A day is a day in Oslo, as the report's period and the log it
/// links to count it.
pub fn top_viewers_sql(engine: super::Engine) -> String {
    let day = super::oslo_day_sql(engine, "a.at");
    format!(
        "SELECT a.username, {day} AS day, COUNT(*) AS views, COUNT(DISTINCT a.patient_id) AS patients
         FROM access_log a WHERE a.unit_id IN (SELECT id FROM units WHERE district_id = $1)
           AND a.action = 'view' AND a.patient_id IS NOT NULL AND a.at >= $2 AND a.at < $3
         GROUP BY a.username, {day} ORDER BY COUNT(*) DESC, a.username LIMIT 50"
    )
}

/// The users with the most views of patient data in one day, in the district.
pub async fn top_viewers(
    db: &Db,
    district: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ViewsPerDay>, sqlx::Error> {
    let sql = top_viewers_sql(db.engine());
    on_db!(db, |p| sqlx::query_as(&sql)
        .bind(district)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OutsideView {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub username: String,
    pub user_unit: Option<String>,
    pub patient_id: Option<i64>,
    pub patient_unit: Option<String>,
    pub entity: String,
}

/// Views of a patient outside the worker's own unit: should never happen, and must stand out
/// if it does.
pub async fn outside_unit(
    db: &Db,
    district: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<OutsideView>, sqlx::Error> {
    let sql = "SELECT a.id, a.at, a.username, uu.name AS user_unit, a.patient_id, pu.name AS patient_unit, a.entity
        FROM access_log a JOIN users s ON s.id = a.user_id LEFT JOIN units uu ON uu.id = s.unit_id
        LEFT JOIN units pu ON pu.id = a.unit_id
        WHERE a.unit_id IN (SELECT id FROM units WHERE district_id = $1) AND s.role = 'worker'
          AND a.patient_id IS NOT NULL AND (s.unit_id IS NULL OR a.unit_id <> s.unit_id)
          AND a.at >= $2 AND a.at < $3
        ORDER BY a.at DESC LIMIT 500";
    on_db!(db, |p| sqlx::query_as(sql)
        .bind(district)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RefusedRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub username: String,
    pub user_unit: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub patient_unit: Option<String>,
    pub detail: String,
}

/// The query of `refused` ($1 district, $2 from, $3 to), read through the index by action,
/// unit and time.
pub const REFUSED: &str = "SELECT a.id, a.at, a.username, uu.name AS user_unit, a.action, a.entity, a.entity_id,
        a.patient_id, CASE WHEN a.patient_id IS NULL THEN NULL ELSE pu.name END AS patient_unit, a.detail
    FROM access_log a LEFT JOIN users s ON s.id = a.user_id LEFT JOIN units uu ON uu.id = s.unit_id
    LEFT JOIN units pu ON pu.id = a.unit_id
    WHERE a.action IN ('refused', 'login_failed', 'locked')
      AND a.unit_id IN (SELECT id FROM units WHERE district_id = $1)
      AND a.at >= $2 AND a.at < $3
    ORDER BY a.at DESC, a.id DESC LIMIT 1000";

/// What was refused in the district: requests for its patients' records by users who may
/// not reach them, and failed logins and lock-outs of its staff's accounts.
pub async fn refused(
    db: &Db,
    district: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<RefusedRow>, sqlx::Error> {
    on_db!(db, |p| sqlx::query_as(REFUSED)
        .bind(district)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await)
}

/// Security events for administrators: failed logins and lock-outs (of any account name,
/// known or not), refused requests, and changes to accounts.
pub async fn security_events(
    db: &Db,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<AccessRow>, sqlx::Error> {
    let sql =
        "SELECT id, at, user_id, username, action, entity, entity_id, patient_id, unit_id, detail
        FROM access_log
        WHERE (action IN ('login_failed', 'locked', 'login', 'logout') OR entity = 'user'
               OR (action = 'refused' AND patient_id IS NULL))
          AND at >= $1 AND at < $2
        ORDER BY at DESC, id DESC LIMIT 1000";
    on_db!(db, |p| sqlx::query_as(sql)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await)
}

/// The patient a record belongs to: (patient, the patient's unit, its district). `kind` is
/// the first word of the record's address (`patients`, `relatives`, …); None for other kinds
/// and for records that do not exist.
pub async fn owner_of(
    db: &Db,
    kind: &str,
    id: i64,
) -> Result<Option<(i64, i64, i64)>, sqlx::Error> {
    let patient = match kind {
        "patients" => "SELECT $1 AS patient_id",
        "relatives" => "SELECT patient_id FROM relatives WHERE id = $1",
        "followups" => "SELECT patient_id FROM followups WHERE id = $1",
        "meetings" => "SELECT patient_id FROM meetings WHERE id = $1",
        "agreements" => "SELECT patient_id FROM agreements WHERE id = $1",
        "mappings" => {
            "SELECT r.patient_id FROM mappings m JOIN relatives r ON r.id = m.relative_id WHERE m.id = $1"
        }
        "referrals" => {
            "SELECT r.patient_id FROM referrals x JOIN relatives r ON r.id = x.relative_id WHERE x.id = $1"
        }
        _ => return Ok(None),
    };
    let sql = format!(
        "SELECT p.id, p.unit_id, u.district_id FROM patients p JOIN units u ON u.id = p.unit_id
         WHERE p.id = ({patient})"
    );
    on_db!(db, |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await)
}
