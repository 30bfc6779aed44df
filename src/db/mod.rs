//! The database: one pool for whichever engine `DATABASE_URL` names, migrations per engine,
//! and one file of queries per stored entity. Each query is written once, with `$1..$n`
//! placeholders, and run on either engine through `on_db!` / `on_tx!`.

pub mod access_log;
pub mod agreements;
pub mod backup;
pub mod changes;
pub mod dashboard;
pub mod events;
pub mod feedback;
pub mod followups;
pub mod handover;
pub mod history;
pub mod mappings;
pub mod meetings;
pub mod org;
pub mod oversight;
pub mod patients;
pub mod relatives;
pub mod sessions;
pub mod setup;
mod sql;
pub mod sso;
pub mod support;
pub mod today;
pub mod users;
pub mod warnings;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
    /// One request's reads, on one connection in one read transaction (`Reads::snapshot`).
    Snapshot(std::sync::Arc<Snapshot>),
}

/// A read transaction held for one request: its queries see one state of the database and
/// go to one connection, instead of taking a pooled connection (and pinging it on return)
/// for each. Writes made while it is held go to the application's pool.
///
/// A request that writes (its access-log row) ends the read transaction first, and reads
/// after the write begin a new one: a read transaction is never held while its request waits
/// for a write, so SQLite's log can always be checkpointed once the reads of the moment end.
pub struct Snapshot {
    held: tokio::sync::Mutex<Held>,
    reads: Reads,
    writes: Db,
}

#[doc(hidden)]
pub enum Held {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
    /// Ended before a write; the next read begins a new transaction.
    Ended,
}

impl Snapshot {
    /// The read transaction, begun anew when a write ended the last one.
    #[doc(hidden)]
    pub async fn lock(&self) -> Result<tokio::sync::MutexGuard<'_, Held>, sqlx::Error> {
        let mut held = self.held.lock().await;
        if matches!(*held, Held::Ended) {
            *held = self.reads.begin().await?;
        }
        Ok(held)
    }

    /// Ends the read transaction (it wrote nothing).
    async fn end(&self) -> Result<(), sqlx::Error> {
        let mut held = self.held.lock().await;
        match std::mem::replace(&mut *held, Held::Ended) {
            Held::Sqlite(t) => t.commit().await,
            Held::Postgres(t) => t.commit().await,
            Held::Ended => Ok(()),
        }
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("writes", &self.writes)
            .finish_non_exhaustive()
    }
}

/// A pool of its own for snapshots, beside the application's: a request that holds a
/// snapshot and waits for a write (its access-log row) never waits for a connection that
/// other snapshots hold.
#[derive(Clone, Debug)]
pub struct Reads {
    pool: Db,
}

impl Reads {
    /// A pool of up to `max_connections` beside `db`'s, with the same options; connections
    /// are opened when first needed.
    pub fn beside(db: &Db, max_connections: u32) -> Reads {
        let pool = match db.base() {
            Db::Sqlite(p) => Db::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(10))
                    // A write through a snapshot is refused, never rolled back with it.
                    .connect_lazy_with((*p.connect_options()).clone().pragma("query_only", "ON")),
            ),
            Db::Postgres(p) => Db::Postgres(
                PgPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(Duration::from_secs(5))
                    // A page's queries are small: starting parallel workers for one cost
                    // more than it saved (the follow-ups needing an owner: 10 ms, 2 ms
                    // without).
                    .connect_lazy_with(
                        (*p.connect_options())
                            .clone()
                            .options([("max_parallel_workers_per_gather", "0")]),
                    ),
            ),
            Db::Snapshot(_) => unreachable!("base() is a pool"),
        };
        Reads { pool }
    }

    /// Begins a read transaction (PostgreSQL: repeatable read, read only) for one request;
    /// it ends when the returned `Db` is dropped, or before a write. Writes through it go to
    /// `writes`.
    pub async fn snapshot(&self, writes: &Db) -> Result<Db, sqlx::Error> {
        Ok(Db::Snapshot(std::sync::Arc::new(Snapshot {
            held: tokio::sync::Mutex::new(self.begin().await?),
            reads: self.clone(),
            writes: writes.base().clone(),
        })))
    }

    async fn begin(&self) -> Result<Held, sqlx::Error> {
        Ok(match &self.pool {
            Db::Sqlite(p) => Held::Sqlite(p.begin().await?),
            Db::Postgres(p) => Held::Postgres(
                p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?,
            ),
            Db::Snapshot(_) => unreachable!("a Reads pool is a pool"),
        })
    }
}

/// A write transaction on either engine.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$pool` bound to the engine's pool, or to a snapshot's connection.
/// Used as `db::on_db!`; a write outside a transaction names `db.base()`, so that it never
/// lands in a read transaction.
#[doc(hidden)]
#[macro_export]
macro_rules! __on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
            $crate::db::Db::Snapshot(snapshot) => match snapshot.lock().await {
                Ok(mut held) => match &mut *held {
                    $crate::db::Held::Sqlite(t) => {
                        let $pool = &mut **t;
                        $body
                    }
                    $crate::db::Held::Postgres(t) => {
                        let $pool = &mut **t;
                        $body
                    }
                    $crate::db::Held::Ended => unreachable!("lock() begins a transaction"),
                },
                Err(e) => Err(e.into()),
            },
        }
    };
}

/// Runs `$body` with `$conn` bound to the transaction's connection. Used as `db::on_tx!`.
#[doc(hidden)]
#[macro_export]
macro_rules! __on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

// The macros are exported at the crate root by necessity (macro_rules), and named from here.
pub use crate::__on_db as on_db;
pub use crate::__on_tx as on_tx;

/// How SQLite commits: `Full` waits for the disk (the default); `Normal` may lose the last
/// commits on power loss (a SIGKILL loses nothing either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    Full,
    Normal,
    /// For filling a new database in one transaction (the demo municipality): nothing is
    /// waited for on disk, the statement journal is kept in memory and the page cache is
    /// large. A crash leaves a database to be made again.
    Bulk,
}

impl std::str::FromStr for Durability {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "full" | "" => Ok(Durability::Full),
            "normal" => Ok(Durability::Normal),
            other => Err(format!(
                "SAMSPILL_SQLITE_SYNCHRONOUS must be full or normal, not {other:?}"
            )),
        }
    }
}

pub use crate::config::{engine_of, sqlite_path, Engine};
pub use sql::{oslo_day_sql, IdList};

/// Creates the database file with mode 0600 when missing, and narrows an existing database's
/// files (an older install's 0644) to 0600.
#[cfg(unix)]
fn private_files(path: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if !path.exists() {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let file = std::path::Path::new(&name);
        if let Ok(meta) = std::fs::metadata(file) {
            if meta.permissions().mode() & 0o077 != 0 {
                std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn private_files(_path: &std::path::Path) -> std::io::Result<()> {
    Ok(())
}

impl Db {
    /// Connects with full durability (see `connect_with`).
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, sqlx::Error> {
        Db::connect_with(url, max_connections, Durability::Full).await
    }

    /// Connects; a SQLite file is created when missing (readable by its owner only; SQLite
    /// gives its WAL and shared-memory files the same mode), in WAL mode with a busy timeout.
    /// With `Durability::Full` (`synchronous=FULL`) a commit is on disk before it is
    /// acknowledged, so a power cut loses no acknowledged write of health data.
    pub async fn connect_with(
        url: &str,
        max_connections: u32,
        durability: Durability,
    ) -> Result<Db, sqlx::Error> {
        match engine_of(url) {
            Some(Engine::Sqlite) => {
                if let Some(path) = sqlite_path(url) {
                    private_files(&path).map_err(sqlx::Error::Io)?;
                }
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(match durability {
                        Durability::Full => SqliteSynchronous::Full,
                        Durability::Normal => SqliteSynchronous::Normal,
                        Durability::Bulk => SqliteSynchronous::Off,
                    })
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true);
                let options = if durability == Durability::Bulk {
                    options
                        .pragma("temp_store", "memory")
                        .pragma("cache_size", "-131072")
                } else {
                    options
                };
                // A local file cannot go stale under a pooled connection: no ping before
                // each use (it would double the round trips to SQLite's threads).
                let pool = SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?;
                Ok(Db::Sqlite(pool))
            }
            Some(Engine::Postgres) => {
                // No JIT compilation: it is planned for the dashboard's counts over a unit's
                // relatives and took 50 ms of their 70 ms each time (they are run again
                // after every change, never long enough to earn it back). No parallel
                // workers either: the counts of a changed shard are small, and under load
                // two workers each on two cores slowed everything else (the overdue
                // follow-ups of a shard: 21 ms with them, 5 ms without, at 1 M patients).
                let options = PgConnectOptions::from_str(url)?
                    .options([("jit", "off"), ("max_parallel_workers_per_gather", "0")]);
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options)
                    .await?;
                Ok(Db::Postgres(pool))
            }
            None => Err(sqlx::Error::Configuration(
                "DATABASE_URL must start with sqlite: or postgres://".into(),
            )),
        }
    }

    /// Ends a snapshot's read transaction before a write, so that none is held while its
    /// request waits for the write; nothing for a pool.
    pub async fn end_reads(&self) -> Result<(), sqlx::Error> {
        match self {
            Db::Snapshot(s) => s.end().await,
            _ => Ok(()),
        }
    }

    /// The application's pool: itself, or the one a snapshot writes to.
    pub fn base(&self) -> &Db {
        match self {
            Db::Snapshot(s) => &s.writes,
            pool => pool,
        }
    }

    /// Before a bulk fill (`Durability::Bulk`, one connection): keeps the rollback journal in
    /// memory instead of the WAL, in which every page of a new database was written twice, to
    /// the log and then into the file (600 MB each for the demo of 100 000 patients). Leaving
    /// WAL mode needs the file to itself, which SQLite does not wait for, so this tries for up
    /// to five seconds; a file it cannot have to itself stays in WAL mode and is filled there.
    /// Returns whether the journal is in memory. PostgreSQL has nothing to do.
    pub async fn begin_bulk(&self) -> Result<bool, sqlx::Error> {
        let Db::Sqlite(p) = self.base() else {
            return Ok(false);
        };
        for _ in 0..50 {
            match sqlx::query_scalar::<_, String>("PRAGMA journal_mode = MEMORY")
                .fetch_one(p)
                .await
            {
                Ok(mode) if mode.eq_ignore_ascii_case("memory") => return Ok(true),
                Ok(_) => {}
                Err(sqlx::Error::Database(d)) if d.code().as_deref() == Some("5") => {}
                Err(e) => return Err(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(false)
    }

    /// Puts a SQLite file filled after `begin_bulk` back in WAL mode, as every other
    /// connection opens it. PostgreSQL has nothing to do.
    pub async fn end_bulk(&self) -> Result<(), sqlx::Error> {
        if let Db::Sqlite(p) = self.base() {
            sqlx::query("PRAGMA journal_mode = WAL").execute(p).await?;
        }
        Ok(())
    }

    pub fn engine(&self) -> Engine {
        match self.base() {
            Db::Postgres(_) => Engine::Postgres,
            _ => Engine::Sqlite,
        }
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.base() {
            Db::Postgres(p) => sqlx::migrate!("migrations/postgres").run(p).await,
            Db::Sqlite(p) => sqlx::migrate!("migrations/sqlite").run(p).await,
            Db::Snapshot(_) => unreachable!("base() is a pool"),
        }
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so concurrent writers wait for each other instead of failing.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        self.end_reads().await?;
        Ok(match self.base() {
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Snapshot(_) => unreachable!("base() is a pool"),
        })
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        let probe = async {
            on_db!(self, |p| sqlx::query("SELECT 1")
                .execute(p)
                .await
                .map(|_| ()))
        };
        matches!(
            tokio::time::timeout(Duration::from_secs(3), probe).await,
            Ok(Ok(()))
        )
    }

    pub async fn close(&self) {
        match self.base() {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
            Db::Snapshot(_) => {}
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }
}

/// The WAL size past which `keep_wal_small` empties it: 64 MiB of 4 KiB pages.
pub const WAL_MAX_FRAMES: i64 = 16_384;

/// Keeps SQLite's write-ahead log from growing without end. SQLite copies the log into the
/// database after commits, but starts it over only when no reader is using it; under steady
/// reading some reader always is, and the log grew past 800 MB under the replay, every read
/// then searching its index. Past `max_frames`, the log is checkpointed and truncated: this
/// waits (holding writers back) until the readers of the moment are done, a few ms. Returns
/// whether it did; PostgreSQL has nothing to do.
pub async fn keep_wal_small(db: &Db, max_frames: i64) -> Result<bool, sqlx::Error> {
    let Db::Sqlite(p) = db.base() else {
        return Ok(false);
    };
    let (_, frames, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(p)
        .await?;
    if frames <= max_frames {
        return Ok(false);
    }
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(p)
        .await?;
    Ok(true)
}

/// Runs `keep_wal_small` every second on the current runtime (SQLite only).
pub fn watch_wal(db: Db) {
    if db.engine() != Engine::Sqlite {
        return;
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            if let Err(e) = keep_wal_small(&db, WAL_MAX_FRAMES).await {
                if is_unavailable(&e) && matches!(&db, Db::Sqlite(p) if p.is_closed()) {
                    return;
                }
                tracing::warn!(error = %e, "the WAL checkpoint failed");
            }
        }
    });
}

/// Whether an error means the database is unreachable rather than the query being wrong.
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    matches!(
        e,
        sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
    ) || matches!(e, sqlx::Error::Database(d) if d.code().is_some_and(|c| c.starts_with("57P") || c == "08006" || c == "08001"))
}

/// Whether an error is a unique-constraint violation.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bundled SQLite is built as `.cargo/config.toml` says: connections keep separate
    /// page caches, and allocations take no global lock.
    #[tokio::test]
    async fn sqlite_is_built_for_concurrent_readers() {
        let db = Db::connect("sqlite::memory:", 1).await.unwrap();
        let Db::Sqlite(pool) = db else {
            unreachable!("an in-memory SQLite URL")
        };
        let used = |option: &'static str| {
            let pool = pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>("SELECT sqlite_compileoption_used($1)")
                    .bind(option)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(used("ENABLE_MEMORY_MANAGEMENT").await, 0);
        assert_eq!(used("DEFAULT_MEMSTATUS=0").await, 1);
        assert_eq!(used("THREADSAFE=1").await, 1);
    }

    /// A log past its limit is checkpointed and emptied; below the limit it is left alone.
    #[tokio::test]
    async fn the_wal_is_emptied_past_its_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("samspill.db");
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let db = Db::connect(&url, 2).await.unwrap();
        let Db::Sqlite(pool) = &db else {
            unreachable!("a SQLite URL")
        };
        sqlx::query("CREATE TABLE t (x BLOB)")
            .execute(pool)
            .await
            .unwrap();
        for _ in 0..50 {
            sqlx::query("INSERT INTO t VALUES (randomblob(8000))")
                .execute(pool)
                .await
                .unwrap();
        }
        let wal = dir.path().join("samspill.db-wal");
        let size = || std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        let grown = size();
        assert!(grown > 100 * 4096, "{grown}");
        assert!(!keep_wal_small(&db, 10_000).await.unwrap());
        assert_eq!(size(), grown);
        assert!(keep_wal_small(&db, 50).await.unwrap());
        assert_eq!(size(), 0);
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(rows, 50);
    }

    #[test]
    fn durability_is_full_unless_normal_is_asked_for() {
        assert_eq!("full".parse(), Ok(Durability::Full));
        assert_eq!("".parse(), Ok(Durability::Full));
        assert_eq!(" Normal ".parse(), Ok(Durability::Normal));
        assert!("off".parse::<Durability>().is_err());
        assert_eq!(
            crate::config::Settings::default()
                .sqlite_synchronous
                .parse(),
            Ok(Durability::Full)
        );
    }

    /// The database, its WAL and its shared memory are readable by their owner only, and a
    /// commit waits for the disk (synchronous=FULL).
    #[cfg(unix)]
    #[tokio::test]
    async fn sqlite_files_are_private_and_commits_durable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("samspill.db");
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let db = Db::connect(&url, 2).await.unwrap();
        db.migrate().await.unwrap();
        let Db::Sqlite(pool) = &db else {
            unreachable!("a SQLite URL")
        };
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(synchronous, 2, "FULL");
        for suffix in ["", "-wal", "-shm"] {
            let file = dir.path().join(format!("samspill.db{suffix}"));
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", file.display());
        }
        // An older install's world-readable file is narrowed on the next start.
        drop(db);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let _again = Db::connect(&url, 1).await.unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
