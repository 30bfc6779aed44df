//! The access log's writer: the rows of concurrent requests written together (one lock
//! and one commit on SQLite), and list views that name their user's last listing of the same
//! patients instead of listing them again.

use super::{Access, Action};
use crate::db::{on_db, on_tx, Db, Tx};
use chrono::{DateTime, Utc};

/// Records a list view or an export with the patients it contained (a write of its own,
/// for when the batch writer is gone).
pub async fn record_listing(
    db: &Db,
    a: &Access<'_>,
    patients: &[i64],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    db.end_reads().await?;
    write_batch(db, &[Owned::new(a, patients, now)])
        .await
        .map(|_| ())
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
    /// The patients a list or an export contained, unless an earlier listing names them.
    patients: Vec<i64>,
    /// The earlier listing of the same patients (set by `LastListings`).
    listing_id: Option<i64>,
    at: DateTime<Utc>,
}

impl Owned {
    fn new(a: &Access<'_>, patients: &[i64], at: DateTime<Utc>) -> Owned {
        let mut patients = patients.to_vec();
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
            listing_id: None,
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

/// Whether the row was committed, or why not.
type Reply = tokio::sync::oneshot::Sender<Result<(), Failure>>;

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
                    if crate::db::is_unavailable(&e) {
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
                for reply in replies {
                    let _ = reply.send(result.as_ref().map(|_| ()).map_err(Clone::clone));
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
        self.record_listing(db, a, &[], now).await
    }

    /// Records a list view or an export with the patients it contained, like `record`.
    pub async fn record_listing(
        &self,
        db: &Db,
        a: &Access<'_>,
        patients: &[i64],
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        db.end_reads().await?;
        let (reply, done) = tokio::sync::oneshot::channel();
        let row = Owned::new(a, patients, now);
        if self.queue.send((row, reply)).await.is_err() {
            return record_listing(db, a, patients, now).await;
        }
        match done.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(Failure::Unavailable)) => Err(sqlx::Error::PoolTimedOut),
            Ok(Err(Failure::Refused(why))) => Err(sqlx::Error::Protocol(why)),
            Err(_) => record_listing(db, a, patients, now).await,
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
        Owned::new(&access, patients, Utc::now())
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
