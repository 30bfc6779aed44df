//! The load-with-faults benchmark of BENCHMARKS.md, against release server processes:
//!
//! 1. load: 50 clients for 60 s mixing reads (patient page, follow-up list, patient search)
//!    and writes (new patients, new relatives); every answer must be the expected one and
//!    every acknowledged write must be stored;
//! 2. kills: 20 rounds of concurrent writers with SIGKILL at a random point, restart, and at
//!    the end no acknowledged write missing (and `PRAGMA integrity_check` ok on SQLite);
//! 3. outage (PostgreSQL): the database stopped for a few seconds under load answers 503
//!    pages, never another error, and the server recovers by itself;
//! 4. durability (`durability`, SQLite only): the load of 1. with `synchronous=FULL` and
//!    with `NORMAL`, alternating, to show what waiting for the disk costs the write path.
//!
//!   cargo build --release && cargo run --release --example fault_bench -- [sqlite|postgres|both|durability]
//!   CLIENTS=50 SECONDS=60 KILLS=20 OUTAGE_SECONDS=4 (the defaults)

#[path = "../tests/common/http.rs"]
mod http;
#[path = "../tests/common/load.rs"]
mod load;
#[path = "../tests/common/server.rs"]
mod server;

use http::Browser;
use load::{acknowledged, add_relative, register, write_until_killed};
use samspill::db::Db;
use server::{PrivatePg, Server};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PASSWORD: &str = "benchmark-passord-123";

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small deterministic generator, so runs are comparable.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

/// A fresh database of the engine, seeded with a unit and a worker.
struct Target {
    url: String,
    db: Db,
    unit_id: i64,
    dir: tempfile::TempDir,
    pg: Option<PrivatePg>,
}

fn target(rt: &tokio::runtime::Runtime, engine: &str) -> Target {
    let dir = tempfile::tempdir().expect("tempdir");
    let pg = (engine == "postgres").then(PrivatePg::init);
    let url = match &pg {
        Some(pg) => pg.url(),
        None => format!("sqlite://{}/samspill.db?mode=rwc", dir.path().display()),
    };
    let hash = samspill::security::hash_password_sync(PASSWORD).expect("hash");
    let db = rt.block_on(Db::connect(&url, 2)).expect("connect");
    let seed = rt.block_on(server::seed(&db, &hash));
    Target {
        url,
        db,
        unit_id: seed.unit_id,
        dir,
        pg,
    }
}

fn logged_in(port: u16, n: usize) -> Vec<Browser> {
    (0..n)
        .map(|_| {
            let mut b = Browser::new(port);
            assert!(b.login("ansatt1", PASSWORD).expect("login"), "login");
            b
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn relatives_named(db: &Db, prefix: &str) -> BTreeMap<String, i64> {
    let sql = "SELECT full_name, id FROM relatives WHERE full_name LIKE $1";
    let rows: Vec<(String, i64)> = samspill::db::on_db!(db, |p| sqlx::query_as(sql)
        .bind(format!("{prefix}%"))
        .fetch_all(p)
        .await)
    .expect("read relatives");
    rows.into_iter().collect()
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    write_latencies: Vec<Duration>,
    reads: u64,
    writes: u64,
    errors: Vec<String>,
    patients: Vec<(String, i64)>,
    relatives: Vec<(String, i64)>,
}

/// What one load run measured.
struct LoadSummary {
    per_second: f64,
    writes_per_second: f64,
    write_p50: f64,
    write_p99: f64,
}

fn mixed_load(rt: &tokio::runtime::Runtime, engine: &str) -> LoadSummary {
    let clients = setting("CLIENTS", 50) as usize;
    let seconds = setting("SECONDS", 60);
    let t = target(rt, engine);
    let server = Server::start(&t.url, t.dir.path());
    let browsers = logged_in(server.port, clients);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let tally = Arc::new(Mutex::new(Tally::default()));
    let handles: Vec<_> = browsers
        .into_iter()
        .enumerate()
        .map(|(w, mut b)| {
            let tally = tally.clone();
            let unit_id = t.unit_id;
            std::thread::spawn(move || {
                let mut rng = Lcg(w as u64 + 1);
                let mut mine: Vec<i64> = Vec::new();
                let mut local = Tally::default();
                let mut n = 0;
                while Instant::now() < deadline {
                    n += 1;
                    let roll = rng.next(10);
                    let writing = roll < 3 || mine.is_empty();
                    let started = Instant::now();
                    let outcome: Result<(), String> = if roll < 2 || mine.is_empty() {
                        let name = format!("Last w{w} n{n}");
                        local.writes += 1;
                        match register(&mut b, &name, unit_id) {
                            Ok(r) => match acknowledged(&r, "/patients/") {
                                Some(id) => {
                                    mine.push(id);
                                    local.patients.push((name, id));
                                    Ok(())
                                }
                                None => Err(format!("register: {}", r.status)),
                            },
                            Err(e) => Err(format!("register: {e}")),
                        }
                    } else if roll < 3 {
                        let patient = mine[rng.next(mine.len() as u64) as usize];
                        let name = format!("Pårørende w{w} n{n}");
                        local.writes += 1;
                        match add_relative(&mut b, patient, &name) {
                            Ok(r) => match acknowledged(&r, "/relatives/") {
                                Some(id) => {
                                    local.relatives.push((name, id));
                                    Ok(())
                                }
                                None => Err(format!("relative: {}", r.status)),
                            },
                            Err(e) => Err(format!("relative: {e}")),
                        }
                    } else {
                        let path = match roll {
                            3..=6 => {
                                format!("/patients/{}", mine[rng.next(mine.len() as u64) as usize])
                            }
                            7 | 8 => "/followups".to_string(),
                            _ => format!("/patients?q=Last+w{w}"),
                        };
                        local.reads += 1;
                        match b.get(&path) {
                            Ok(r) if r.status == 200 => Ok(()),
                            Ok(r) => Err(format!("GET {path}: {}", r.status)),
                            Err(e) => Err(format!("GET {path}: {e}")),
                        }
                    };
                    local.latencies.push(started.elapsed());
                    if writing {
                        local.write_latencies.push(started.elapsed());
                    }
                    if let Err(e) = outcome {
                        local.errors.push(e);
                    }
                }
                let mut all = tally.lock().unwrap();
                all.latencies.extend(local.latencies);
                all.write_latencies.extend(local.write_latencies);
                all.reads += local.reads;
                all.writes += local.writes;
                all.errors.extend(local.errors);
                all.patients.extend(local.patients);
                all.relatives.extend(local.relatives);
            })
        })
        .collect();
    for h in handles {
        h.join().expect("client");
    }
    let mut tally = std::mem::take(&mut *tally.lock().unwrap());
    tally.latencies.sort();
    tally.write_latencies.sort();
    let patients = rt.block_on(server::patients_named(&t.db, "Last "));
    let relatives = rt.block_on(relatives_named(&t.db, "Pårørende "));
    let lost = tally
        .patients
        .iter()
        .filter(|(name, id)| patients.get(name) != Some(id))
        .count()
        + tally
            .relatives
            .iter()
            .filter(|(name, id)| relatives.get(name) != Some(id))
            .count();
    let total = tally.latencies.len();
    println!(
        "{engine} load: {clients} clients, {seconds} s: {total} requests ({:.0}/s), {} reads, {} writes ({} patients, {} relatives acknowledged), p50 {:.1} ms, p99 {:.1} ms, errors {}, lost writes {lost}",
        total as f64 / seconds as f64,
        tally.reads,
        tally.writes,
        tally.patients.len(),
        tally.relatives.len(),
        percentile(&tally.latencies, 0.50),
        percentile(&tally.latencies, 0.99),
        tally.errors.len(),
    );
    for e in tally.errors.iter().take(10) {
        println!("  error: {e}");
    }
    let summary = LoadSummary {
        per_second: total as f64 / seconds as f64,
        writes_per_second: tally.write_latencies.len() as f64 / seconds as f64,
        write_p50: percentile(&tally.write_latencies, 0.50),
        write_p99: percentile(&tally.write_latencies, 0.99),
    };
    println!(
        "  writes: {:.0}/s, p50 {:.1} ms, p99 {:.1} ms",
        summary.writes_per_second, summary.write_p50, summary.write_p99
    );
    drop(server);
    drop(t.pg);
    summary
}

/// The SQLite load with `synchronous=FULL` and `NORMAL`, alternating (the server processes
/// inherit SAMSPILL_SQLITE_SYNCHRONOUS), and the ratios of each pair.
fn durability(rt: &tokio::runtime::Runtime) {
    let pairs = setting("PAIRS", 2);
    for pair in 1..=pairs {
        let mut runs = Vec::new();
        for mode in ["full", "normal"] {
            std::env::set_var("SAMSPILL_SQLITE_SYNCHRONOUS", mode);
            println!("synchronous={mode}, pair {pair}:");
            runs.push(mixed_load(rt, "sqlite"));
        }
        let (full, normal) = (&runs[0], &runs[1]);
        println!(
            "pair {pair}: FULL/NORMAL requests {:.2}, writes {:.2}, write p50 {:.2}, write p99 {:.2}",
            full.per_second / normal.per_second,
            full.writes_per_second / normal.writes_per_second,
            full.write_p50 / normal.write_p50,
            full.write_p99 / normal.write_p99,
        );
    }
    std::env::remove_var("SAMSPILL_SQLITE_SYNCHRONOUS");
}

fn kill_rounds(rt: &tokio::runtime::Runtime, engine: &str) {
    let rounds = setting("KILLS", 20) as usize;
    let t = target(rt, engine);
    let mut server = Server::start(&t.url, t.dir.path());
    let mut browsers = logged_in(server.port, 8);
    let mut rng = Lcg(42);
    let mut acknowledged_writes: Vec<(String, i64)> = Vec::new();
    let mut unexpected = Vec::new();
    let mut restart = Vec::new();
    for round in 0..rounds {
        let kill_after = 5 + rng.next(60) as usize;
        let result =
            write_until_killed(server, &mut browsers, t.unit_id, "Krasj", round, kill_after);
        acknowledged_writes.extend(result.acknowledged);
        unexpected.extend(result.unexpected);
        let started = Instant::now();
        server = Server::start(&t.url, t.dir.path());
        restart.push(started.elapsed());
        for b in browsers.iter_mut() {
            b.port = server.port;
        }
    }
    let stored = rt.block_on(server::patients_named(&t.db, "Krasj "));
    let lost = acknowledged_writes
        .iter()
        .filter(|(name, id)| stored.get(name) != Some(id))
        .count();
    // Sessions survive the crashes: the last browser still reads.
    let still = browsers[0].get("/followups").map(|r| r.status).unwrap_or(0);
    server.kill();
    let integrity = if engine == "sqlite" {
        let check: String = rt
            .block_on(async {
                samspill::db::on_db!(&t.db, |p| sqlx::query_scalar("PRAGMA integrity_check")
                    .fetch_one(p)
                    .await)
            })
            .expect("integrity_check");
        format!(", integrity_check {check}")
    } else {
        String::new()
    };
    restart.sort();
    println!(
        "{engine} kills: {rounds} SIGKILL rounds, {} writes acknowledged, {} stored, lost {lost}, unexpected answers {}, restart to healthy median {:.0} ms, session after the last restart {still}{integrity}",
        acknowledged_writes.len(),
        stored.len(),
        unexpected.len(),
        percentile(&restart, 0.5),
    );
    drop(t.pg);
}

fn outage(rt: &tokio::runtime::Runtime) {
    let outage = setting("OUTAGE_SECONDS", 4);
    let t = target(rt, "postgres");
    let pg = t.pg.as_ref().expect("postgres");
    let mut server = Server::start(&t.url, t.dir.path());
    let browsers = logged_in(server.port, 8);
    let stop = Arc::new(AtomicBool::new(false));
    let log: Arc<Mutex<Vec<(Instant, u16)>>> = Arc::default();
    let acked: Arc<Mutex<Vec<(String, i64)>>> = Arc::default();
    let handles: Vec<_> = browsers
        .into_iter()
        .enumerate()
        .map(|(w, mut b)| {
            let (stop, log, acked) = (stop.clone(), log.clone(), acked.clone());
            let unit_id = t.unit_id;
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    n += 1;
                    let name = format!("Brudd w{w} n{n}");
                    let status = match register(&mut b, &name, unit_id) {
                        Ok(r) => {
                            if let Some(id) = acknowledged(&r, "/patients/") {
                                acked.lock().unwrap().push((name, id));
                            }
                            r.status
                        }
                        Err(_) => 0,
                    };
                    log.lock().unwrap().push((Instant::now(), status));
                    if status == 503 {
                        std::thread::sleep(Duration::from_millis(200));
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(3));
    let down = Instant::now();
    pg.stop();
    std::thread::sleep(Duration::from_secs(outage));
    pg.start();
    let up = Instant::now();
    std::thread::sleep(Duration::from_secs(8));
    stop.store(true, Ordering::SeqCst);
    for h in handles {
        h.join().expect("client");
    }
    let alive = server.alive();
    let log = log.lock().unwrap();
    let count = |f: &dyn Fn(&(Instant, u16)) -> bool| log.iter().filter(|e| f(e)).count();
    let ok_before = count(&|(at, s)| *at < down && *s == 303);
    let unavailable = count(&|(_, s)| *s == 503);
    let other = count(&|(_, s)| *s != 303 && *s != 503);
    let recovered = log
        .iter()
        .filter(|(at, s)| *at > up && *s == 303)
        .map(|(at, _)| at.duration_since(up))
        .min();
    let ok_after = count(&|(at, s)| *at > up && *s == 303);
    let stored = rt.block_on(async {
        let db = Db::connect(&t.url, 1).await.expect("connect");
        server::patients_named(&db, "Brudd ").await
    });
    let acked = acked.lock().unwrap();
    let lost = acked
        .iter()
        .filter(|(name, id)| stored.get(name) != Some(id))
        .count();
    println!(
        "postgres outage: stopped {outage} s under 8 writers: {ok_before} writes before, {unavailable} answers 503 during, {other} other answers or broken connections, server alive {alive}, first write {} after the database came back, {ok_after} writes after, lost {lost}",
        recovered
            .map(|d| format!("{} ms", d.as_millis()))
            .unwrap_or_else(|| "never".into()),
    );
    drop(server);
}

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "both".into());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if which == "durability" {
        durability(&rt);
        return;
    }
    let engines: &[&str] = match which.as_str() {
        "sqlite" => &["sqlite"],
        "postgres" => &["postgres"],
        _ => &["sqlite", "postgres"],
    };
    for engine in engines {
        mixed_load(&rt, engine);
        kill_rounds(&rt, engine);
        if *engine == "postgres" {
            outage(&rt);
        }
    }
}
