//! The append-only access log: every view, creation, change, print and export of a
//! patient's data (with the patients each list or export contained), refused requests for
//! existing records, failed logins and lock-outs, and administrators' changes to accounts.
//! Nothing updates or deletes its rows (the schema refuses it too).

use super::{Db, Tx};
use crate::db::{on_db, on_tx};
use chrono::{DateTime, Utc};
use serde::Serialize;

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

/// The patients a list view or an export contained.
#[derive(Debug, Clone, Copy)]
pub enum Listing<'a> {
    /// Patients shown for the first time in this form: each gets a row in
    /// `access_log_patients` under the new entry.
    New(&'a [i64]),
    /// The same patients as the listing the entry with this id recorded (a page served again
    /// from memory): the entry names that listing and writes no patient rows of its own.
    Same(i64),
}

/// Records a list view or an export with the patients it contained; returns the id of the
/// listing that holds them, for a later view of the same page to name.
pub async fn record_listing(
    db: &Db,
    a: &Access<'_>,
    listing: Listing<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    db.end_reads().await?;
    let ids = write_batch(db, &[Owned::new(a, listing, now)]).await?;
    Ok(ids.first().copied().unwrap_or_default())
}

/// An access entry that owns its text, for the batch writer.
#[derive(Debug)]
struct Owned {
    user_id: Option<i64>,
    username: String,
    action: Action,
    entity: String,
    entity_id: Option<i64>,
    patient_id: Option<i64>,
    unit_id: Option<i64>,
    detail: String,
    /// The patients a list or an export contained, when shown for the first time.
    patients: Vec<i64>,
    /// The earlier listing whose patients this list showed again.
    listing_id: Option<i64>,
    at: DateTime<Utc>,
}

impl Owned {
    fn new(a: &Access<'_>, listing: Listing<'_>, at: DateTime<Utc>) -> Owned {
        let (mut patients, listing_id) = match listing {
            Listing::New(patients) => (patients.to_vec(), None),
            Listing::Same(id) => (Vec::new(), Some(id)),
        };
        patients.sort_unstable();
        patients.dedup();
        Owned {
            user_id: a.user_id,
            username: a.username.to_string(),
            action: a.action,
            entity: a.entity.to_string(),
            entity_id: a.entity_id,
            patient_id: a.patient_id,
            unit_id: a.unit_id,
            detail: a.detail.to_string(),
            patients,
            listing_id,
            at,
        }
    }
}

/// Which page a listing was: who saw it, how, and which list.
type Page = (i64, Action, String, String);

/// The patients of each user's last listing of each page, as the writer task committed them.
/// A view that shows exactly the same patients again names that listing (`listing_id`) and
/// writes no patient rows of its own: a worker's follow-up list shows the same few hundred
/// patients at every view of the day, and listing them anew at each view would write a row
/// into the patients' index for each of them. The patient's history reads both kinds alike.
#[derive(Debug, Default)]
struct LastListings {
    pages: std::collections::HashMap<Page, (i64, Vec<i64>)>,
    /// How many patient ids `pages` holds; it is emptied when they would pass `MAX_KEPT`.
    kept: usize,
}

/// The most patient ids kept in memory for naming listings again (about 1.6 MB).
const MAX_KEPT: usize = 200_000;

impl LastListings {
    fn page(row: &Owned) -> Option<Page> {
        let user = row.user_id?;
        Some((user, row.action, row.entity.clone(), row.detail.clone()))
    }

    /// Makes `row` name its page's last listing when it shows exactly the same patients.
    fn name_again(&self, row: &mut Owned) {
        if row.patients.is_empty() || row.listing_id.is_some() {
            return;
        }
        let Some(page) = Self::page(row) else { return };
        if let Some((id, patients)) = self.pages.get(&page) {
            if *patients == row.patients {
                row.listing_id = Some(*id);
                row.patients = Vec::new();
            }
        }
    }

    /// Keeps the patients of a listing that was just committed with the id `id`.
    fn remember(&mut self, row: Owned, id: i64) {
        if row.patients.is_empty() || id == 0 {
            return;
        }
        let Some(page) = Self::page(&row) else { return };
        if self.kept + row.patients.len() > MAX_KEPT {
            self.pages.clear();
            self.kept = 0;
        }
        self.kept += row.patients.len();
        if let Some((_, old)) = self.pages.insert(page, (id, row.patients)) {
            self.kept -= old.len();
        }
    }
}

/// The id the row got (0 when it was written without asking for one), or why not.
type Reply = tokio::sync::oneshot::Sender<Result<i64, Failure>>;

/// Why a batch was not written: the database did not answer, or it refused.
#[derive(Debug, Clone)]
enum Failure {
    Unavailable,
    Refused(String),
}

/// The most rows one statement writes.
const MAX_BATCH: usize = 100;

/// Writes the views of concurrent requests together: each request hands its row over and
/// waits until the statement that holds it has committed, so no page is shown before its
/// view is logged, while many requests share one write (one lock and one commit on SQLite).
#[derive(Debug, Clone)]
pub struct Batcher {
    queue: tokio::sync::mpsc::Sender<(Owned, Reply)>,
}

impl Batcher {
    /// Starts the writer task on the current runtime.
    pub fn start(db: Db) -> Batcher {
        let (queue, mut rows) = tokio::sync::mpsc::channel::<(Owned, Reply)>(4 * MAX_BATCH);
        tokio::spawn(async move {
            let mut last = LastListings::default();
            while let Some(first) = rows.recv().await {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match rows.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let (mut entries, replies): (Vec<Owned>, Vec<Reply>) = batch.into_iter().unzip();
                for entry in &mut entries {
                    last.name_again(entry);
                }
                let result = write_batch(&db, &entries).await.map_err(|e| {
                    if super::is_unavailable(&e) {
                        Failure::Unavailable
                    } else {
                        Failure::Refused(e.to_string())
                    }
                });
                if let Ok(ids) = &result {
                    for (entry, id) in entries.into_iter().zip(ids) {
                        last.remember(entry, *id);
                    }
                }
                for (i, reply) in replies.into_iter().enumerate() {
                    let id = result
                        .as_ref()
                        .map(|ids| ids.get(i).copied().unwrap_or_default());
                    let _ = reply.send(id.map_err(Clone::clone));
                }
            }
        });
        Batcher { queue }
    }

    /// Records `a` and returns once it is committed. Falls back to a write of its own when
    /// the writer task is gone (its runtime shutting down).
    pub async fn record(
        &self,
        db: &Db,
        a: &Access<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        self.record_listing(db, a, Listing::New(&[]), now)
            .await
            .map(|_| ())
    }

    /// Records a list view or an export like `record`; returns its listing's id (see
    /// `record_listing`).
    pub async fn record_listing(
        &self,
        db: &Db,
        a: &Access<'_>,
        listing: Listing<'_>,
        now: DateTime<Utc>,
    ) -> Result<i64, sqlx::Error> {
        db.end_reads().await?;
        let (reply, done) = tokio::sync::oneshot::channel();
        let row = Owned::new(a, listing, now);
        if self.queue.send((row, reply)).await.is_err() {
            return record_listing(db, a, listing, now).await;
        }
        match done.await {
            Ok(Ok(id)) => Ok(id),
            Ok(Err(Failure::Unavailable)) => Err(sqlx::Error::PoolTimedOut),
            Ok(Err(Failure::Refused(why))) => Err(sqlx::Error::Protocol(why)),
            Err(_) => record_listing(db, a, listing, now).await,
        }
    }
}

/// Writes `rows` together and returns their ids where a row has patients of its own (0 for
/// the others): one statement when no row has; otherwise one transaction of three statements
/// whatever the number of rows (their ids taken first, so that each row's patients can name
/// it).
async fn write_batch(db: &Db, rows: &[Owned]) -> Result<Vec<i64>, sqlx::Error> {
    if rows.iter().all(|r| r.patients.is_empty()) {
        let sql = insert_sql(rows.len(), false);
        // Batches of one repeat; longer ones vary in length and are not kept prepared.
        let persistent = rows.len() == 1;
        on_db!(db.base(), |p| bind_rows(
            sqlx::query(&sql).persistent(persistent),
            rows,
            None
        )
        .execute(p)
        .await
        .map(|_| ()))?;
        return Ok(rows
            .iter()
            .map(|r| r.listing_id.unwrap_or_default())
            .collect());
    }
    let mut tx = db.begin().await?;
    let ids = take_ids(&mut tx, rows.len()).await?;
    let sql = insert_sql(rows.len(), true);
    on_tx!(&mut tx, |c| bind_rows(
        sqlx::query(&sql).persistent(false),
        rows,
        Some(&ids)
    )
    .execute(c)
    .await
    .map(|_| ()))?;
    // Each entry's patients in one statement of two parameters, the ids as a JSON array: a
    // statement with a parameter per patient is parsed anew for every length, and binding
    // its parameters by name grows with the square of their number.
    for (r, id) in rows.iter().zip(&ids) {
        if r.patients.is_empty() {
            continue;
        }
        let list = serde_json::to_string(&r.patients).unwrap_or_else(|_| "[]".into());
        match &mut tx {
            Tx::Sqlite(c) => {
                sqlx::query(
                    "INSERT INTO access_log_patients (access_id, patient_id)
                     SELECT $1, value FROM json_each($2)",
                )
                .bind(*id)
                .bind(&list)
                .execute(&mut **c)
                .await?;
            }
            Tx::Postgres(c) => {
                sqlx::query(
                    "INSERT INTO access_log_patients (access_id, patient_id)
                     SELECT $1, CAST(value AS BIGINT) FROM json_array_elements_text(CAST($2 AS JSON))",
                )
                .bind(*id)
                .bind(&list)
                .execute(&mut **c)
                .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(rows
        .iter()
        .zip(ids)
        .map(|(r, id)| r.listing_id.unwrap_or(id))
        .collect())
}

/// `n` new ids for access-log rows. SQLite's write transaction holds the database's one write
/// lock, so the next ids after the largest are free; PostgreSQL hands them out from the
/// identity's sequence.
async fn take_ids(tx: &mut Tx, n: usize) -> Result<Vec<i64>, sqlx::Error> {
    match tx {
        Tx::Sqlite(c) => {
            let last: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM access_log")
                .fetch_one(&mut **c)
                .await?;
            Ok((1..=n as i64).map(|i| last + i).collect())
        }
        Tx::Postgres(c) => {
            sqlx::query_scalar(
                "SELECT nextval(pg_get_serial_sequence('access_log', 'id')) FROM generate_series(1, $1)",
            )
            .bind(n as i64)
            .fetch_all(&mut **c)
            .await
        }
    }
}

/// A multi-row insert of `n` access-log rows, with their ids given when `with_id`.
fn insert_sql(n: usize, with_id: bool) -> String {
    let width = if with_id { 11 } else { 10 };
    let values: Vec<String> = (0..n)
        .map(|i| {
            let cells: Vec<String> = (1..=width).map(|k| format!("${}", i * width + k)).collect();
            format!("({})", cells.join(", "))
        })
        .collect();
    let id = if with_id { "id, " } else { "" };
    format!(
        "INSERT INTO access_log ({id}at, user_id, username, action, entity, entity_id, patient_id, unit_id, detail, listing_id) VALUES {}",
        values.join(", ")
    )
}

/// Binds `rows` (with `ids` first in each row, when given) to an `insert_sql` statement.
fn bind_rows<'q, DB>(
    mut q: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>,
    rows: &'q [Owned],
    ids: Option<&[i64]>,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    DateTime<Utc>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    for (i, r) in rows.iter().enumerate() {
        if let Some(ids) = ids {
            q = q.bind(ids[i]);
        }
        q = q
            .bind(r.at)
            .bind(r.user_id)
            .bind(r.username.as_str())
            .bind(r.action.as_str())
            .bind(r.entity.as_str())
            .bind(r.entity_id)
            .bind(r.patient_id)
            .bind(r.unit_id)
            .bind(r.detail.as_str())
            .bind(r.listing_id);
    }
    q
}

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
) -> Result<Vec<HistoryRow>, sqlx::Error> {
    let sql = "SELECT h.id, h.at, h.user_id, h.username, u.name AS user_name, u.role AS user_role,
            h.action, h.entity, h.patient_id FROM (
            SELECT id, at, user_id, username, action, entity, patient_id
            FROM access_log WHERE patient_id = $1
            UNION ALL
            SELECT a.id, a.at, a.user_id, a.username, a.action, a.entity, a.patient_id
            FROM access_log_patients l JOIN access_log a ON a.id = l.access_id WHERE l.patient_id = $1
            UNION ALL
            SELECT a.id, a.at, a.user_id, a.username, a.action, a.entity, a.patient_id
            FROM access_log_patients l JOIN access_log a ON a.listing_id = l.access_id WHERE l.patient_id = $1
        ) h LEFT JOIN users u ON u.id = h.user_id ORDER BY h.at DESC, h.id DESC LIMIT $2";
    on_db!(db, |p| sqlx::query_as(sql)
        .bind(patient_id)
        .bind(limit)
        .fetch_all(p)
        .await)
}

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

/// The users with the most views of patient data in one day, in the district.
pub async fn top_viewers(
    db: &Db,
    district: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ViewsPerDay>, sqlx::Error> {
    // The day of a timestamp is the one place the engines' SQL differs.
    let day = match db.engine() {
        super::Engine::Sqlite => "substr(a.at, 1, 10)",
        super::Engine::Postgres => "to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
    };
    let sql = format!(
        "SELECT a.username, {day} AS day, COUNT(*) AS views, COUNT(DISTINCT a.patient_id) AS patients
         FROM access_log a WHERE a.unit_id IN (SELECT id FROM units WHERE district_id = $1)
           AND a.action = 'view' AND a.patient_id IS NOT NULL AND a.at >= $2 AND a.at < $3
         GROUP BY a.username, {day} ORDER BY COUNT(*) DESC, a.username LIMIT 50"
    );
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

/// What was refused in the district: requests for its patients' records by users who may
/// not reach them, and failed logins and lock-outs of its staff's accounts.
pub async fn refused(
    db: &Db,
    district: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<RefusedRow>, sqlx::Error> {
    let sql = "SELECT a.id, a.at, a.username, uu.name AS user_unit, a.action, a.entity, a.entity_id,
            a.patient_id, CASE WHEN a.patient_id IS NULL THEN NULL ELSE pu.name END AS patient_unit, a.detail
        FROM access_log a LEFT JOIN users s ON s.id = a.user_id LEFT JOIN units uu ON uu.id = s.unit_id
        LEFT JOIN units pu ON pu.id = a.unit_id
        WHERE a.action IN ('refused', 'login_failed', 'locked')
          AND a.unit_id IN (SELECT id FROM units WHERE district_id = $1)
          AND a.at >= $2 AND a.at < $3
        ORDER BY a.at DESC, a.id DESC LIMIT 1000";
    on_db!(db, |p| sqlx::query_as(sql)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(user: i64, entity: &str, patients: &[i64]) -> Owned {
        let access = Access {
            user_id: Some(user),
            username: "ansatt1",
            action: Action::View,
            entity,
            entity_id: None,
            patient_id: None,
            unit_id: Some(1),
            detail: "mine oppfølginger",
        };
        Owned::new(&access, Listing::New(patients), Utc::now())
    }

    /// A view that lists exactly the patients of the same user's last listing of the same
    /// page names it; any other view lists its patients.
    #[test]
    fn a_listing_is_named_again_only_for_the_same_user_page_and_patients() {
        let mut last = LastListings::default();
        let mut first = listing(7, "followup_list", &[3, 1, 2]);
        last.name_again(&mut first);
        assert_eq!(
            (first.listing_id, first.patients.clone()),
            (None, vec![1, 2, 3])
        );
        last.remember(first, 40);

        let mut again = listing(7, "followup_list", &[2, 3, 1, 3]);
        last.name_again(&mut again);
        assert_eq!((again.listing_id, again.patients.len()), (Some(40), 0));

        for mut other in [
            listing(7, "followup_list", &[1, 2]),
            listing(7, "followup_list", &[1, 2, 3, 4]),
            listing(8, "followup_list", &[1, 2, 3]),
            listing(7, "patient_list", &[1, 2, 3]),
        ] {
            last.name_again(&mut other);
            assert_eq!(other.listing_id, None, "{other:?}");
            assert!(!other.patients.is_empty());
        }

        // A changed list becomes the one later views are compared with.
        last.remember(listing(7, "followup_list", &[1, 2]), 41);
        let mut back = listing(7, "followup_list", &[1, 2, 3]);
        last.name_again(&mut back);
        assert_eq!(back.listing_id, None);
        let mut now = listing(7, "followup_list", &[2, 1]);
        last.name_again(&mut now);
        assert_eq!(now.listing_id, Some(41));
    }

    /// The memory kept is bounded: past `MAX_KEPT` ids everything is forgotten, and views
    /// list their patients again.
    #[test]
    fn the_listings_kept_are_bounded() {
        let mut last = LastListings::default();
        let big: Vec<i64> = (0..MAX_KEPT as i64 / 2).collect();
        last.remember(listing(1, "followup_list", &big), 1);
        last.remember(listing(2, "followup_list", &big), 2);
        assert_eq!(last.kept, MAX_KEPT);
        last.remember(listing(1, "followup_list", &big[..10]), 3);
        assert_eq!((last.pages.len(), last.kept), (1, 10));
        let mut again = listing(2, "followup_list", &big);
        last.name_again(&mut again);
        assert_eq!(again.listing_id, None);
    }
}
