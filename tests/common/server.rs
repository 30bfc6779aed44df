//! Real server processes for the crash, outage and scale-out checks: the `samspill` binary
//! started on a free port, killed with SIGKILL, restarted; a private PostgreSQL cluster that
//! can be stopped and started without disturbing other tests; and a unit with a worker to
//! log in as. Shared by the test suite and the fault benchmark.
#![allow(dead_code)]

use samspill::db::{self, Db};
use samspill::domain::user::Role;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const SECRET: &str =
    "c2Ftc3BpbGwtdGVzdC1zZWNyZXQta2V5LXRoYXQtaXMtbG9uZy1lbm91Z2gtZm9yLXJvY2tldC0xMjM0NTY3OA==";

/// The server binary: `SAMSPILL_SERVER_BIN` (as the test script sets it),
/// else the one Cargo built for this test run, else the release build.
pub fn server_bin() -> PathBuf {
    match std::env::var("SAMSPILL_SERVER_BIN") {
        Ok(path) if !path.is_empty() => PathBuf::from(path),
        // Integration tests get the binary Cargo built; the benchmark uses the release build.
        _ => option_env!("CARGO_BIN_EXE_samspill")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/target/release/samspill"
                ))
            }),
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One running `samspill serve`.
pub struct Server {
    pub port: u16,
    pub url: String,
    log: PathBuf,
    child: Child,
}

impl Server {
    /// Starts a server on `url` and waits until /healthz answers 200.
    pub fn start(url: &str, log_dir: &Path) -> Server {
        let port = free_port();
        let log = log_dir.join(format!("server-{port}.log"));
        let out = std::fs::File::create(&log).expect("server log");
        // Started outside the source tree: nothing may depend on the working directory.
        let child = Command::new(server_bin())
            .current_dir(log_dir)
            .arg("serve")
            .env("DATABASE_URL", url)
            .env("ROCKET_ADDRESS", "127.0.0.1")
            .env("ROCKET_PORT", port.to_string())
            .env("ROCKET_SECRET_KEY", SECRET)
            .env("ROCKET_LOG_LEVEL", "off")
            .env("SAMSPILL_LOG_FORMAT", "json")
            .env("ROCKET_CLI_COLORS", "false")
            .stdout(Stdio::from(out.try_clone().expect("log handle")))
            .stderr(Stdio::from(out))
            .spawn()
            .expect("start the server binary");
        let mut server = Server {
            port,
            url: url.to_string(),
            log,
            child,
        };
        server.wait_healthy();
        server
    }

    /// Waits (boundedly) for /healthz to answer 200; fails with the server's log otherwise.
    pub fn wait_healthy(&mut self) {
        for _ in 0..600 {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the server exited ({status}): {}", self.log_text());
            }
            let mut probe = super::http::Browser::new(self.port);
            if probe.get("/healthz").is_ok_and(|r| r.status == 200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not become healthy: {}", self.log_text());
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Whether the process still runs.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// SIGKILL: no shutdown, no flushing, the way a power cut or the OOM killer ends it.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The directory of PostgreSQL's programs (initdb, pg_ctl), when installed.
pub fn pg_bin() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("SAMSPILL_TEST_PG_BIN") {
        if !dir.is_empty() {
            return Some(PathBuf::from(dir));
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    found.sort();
    found.pop()
}

fn is_root() -> bool {
    // The effective uid, read from /proc (no libc call needed).
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

/// A PostgreSQL cluster of its own (initdb in a temporary directory, its own port), so a
/// test can stop the database without disturbing others.
pub struct PrivatePg {
    bin: PathBuf,
    pub dir: tempfile::TempDir,
    pub port: u16,
}

impl PrivatePg {
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn init() -> PrivatePg {
        let bin = pg_bin().expect("PostgreSQL's initdb (Debian package postgresql)");
        let dir = tempfile::tempdir().expect("tempdir");
        if is_root() {
            let ok = Command::new("chown")
                .arg("postgres")
                .arg(dir.path())
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chown of the cluster directory to postgres");
        }
        let pg = PrivatePg {
            bin,
            dir,
            port: free_port(),
        };
        let out = pg
            .command("initdb")
            .arg("-D")
            .arg(pg.data())
            .args([
                "-U",
                "samspill",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ])
            .output()
            .expect("run initdb");
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        pg.start();
        pg
    }

    pub fn url(&self) -> String {
        format!("postgres://samspill@127.0.0.1:{}/postgres", self.port)
    }

    pub fn start(&self) {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off -c full_page_writes=off",
            self.port,
            self.dir.path().display()
        );
        let out = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.dir.path().join("log"))
            .args(["-w", "-o", &options, "start"])
            .output()
            .expect("run pg_ctl start");
        assert!(
            out.status.success(),
            "pg_ctl start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Stops the server the way an operator or a failover does: connections are cut.
    pub fn stop(&self) {
        let out = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "fast", "-w", "stop"])
            .output()
            .expect("run pg_ctl stop");
        assert!(
            out.status.success(),
            "pg_ctl stop: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

/// What a process test needs in the database: a district, a unit and a worker.
pub struct Seed {
    pub unit_id: i64,
    pub worker: &'static str,
}

/// Migrates `db` and adds a district, a unit and the worker `ansatt1` with `password_hash`.
pub async fn seed(db: &Db, password_hash: &str) -> Seed {
    db.migrate().await.expect("migrate");
    let now = chrono::Utc::now();
    let mut tx = db.begin().await.expect("begin");
    let district = db::org::insert_district(&mut tx, "Bydel Frogner", now)
        .await
        .expect("district");
    let unit_id = db::org::insert_unit(&mut tx, district, "Hjemmetjenesten Frogner nord", now)
        .await
        .expect("unit");
    let worker = db::users::NewUser {
        username: "ansatt1",
        name: "Test ansatt1",
        role: Role::Worker,
        unit_id: Some(unit_id),
        phone: None,
        password_hash,
    };
    db::users::insert(&mut tx, &worker, now)
        .await
        .expect("worker");
    tx.commit().await.expect("commit");
    Seed {
        unit_id,
        worker: "ansatt1",
    }
}

/// The ids of patients whose names start with `prefix`, by name.
pub async fn patients_named(db: &Db, prefix: &str) -> std::collections::BTreeMap<String, i64> {
    let sql = "SELECT full_name, id FROM patients WHERE full_name LIKE $1";
    let rows: Vec<(String, i64)> = samspill::db::on_db!(db, |p| sqlx::query_as(sql)
        .bind(format!("{prefix}%"))
        .fetch_all(p)
        .await)
    .expect("read patients");
    rows.into_iter().collect()
}
