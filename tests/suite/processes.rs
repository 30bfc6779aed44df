//! The server as a real process: killed with SIGKILL under concurrent writes (no
//! acknowledged write lost, the SQLite file intact), a PostgreSQL outage (503 pages, then
//! recovery without a restart), and two instances on one PostgreSQL database (sessions,
//! lock-outs and writes shared). The fault benchmark runs the long versions of these.

use crate::common::http::Browser;
use crate::common::load::{self, register, write_until_killed};
use crate::common::server::{self, PrivatePg, Server};
use crate::common::{self, PASSWORD};
use samspill::db::Db;
use std::collections::BTreeMap;
use std::time::Duration;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn acknowledged(reply: &common::http::Response) -> Option<i64> {
    load::acknowledged(reply, "/patients/")
}

/// Each request is one JSON log line with its id (also sent back), the route's pattern, the
/// status, the latency and the user's id; the address requested, with its record id and
/// search words, is never logged.
#[test]
fn requests_are_logged_structured_without_the_addresses_requested() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let url = rt.block_on(common::fresh_database_url(dir.path()));
    let db = rt.block_on(Db::connect(&url, 2)).unwrap();
    let seed = rt.block_on(server::seed(&db, common::password_hash()));
    let server = Server::start(&url, dir.path());
    let mut browser = Browser::new(server.port);
    assert!(browser.login(seed.worker, PASSWORD).unwrap(), "login");
    let made = register(&mut browser, "Åse Ødegård", seed.unit_id).unwrap();
    let patient = acknowledged(&made).expect("registered");
    let page = browser.get(&format!("/patients/{patient}")).unwrap();
    assert_eq!(page.status, 200);
    let request_id = page
        .header("x-request-id")
        .expect("X-Request-Id")
        .to_string();
    browser.get("/patients?q=%C3%98deg%C3%A5rd").unwrap();
    let user_id: i64 = rt
        .block_on(async {
            samspill::db::on_db!(&db, |p| sqlx::query_scalar(
                "SELECT id FROM users WHERE username = 'ansatt1'"
            )
            .fetch_one(p)
            .await)
        })
        .unwrap();
    let log = server.log_text();
    server.kill();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let line = lines
        .iter()
        .find(|l| l["request_id"] == request_id.as_str())
        .unwrap_or_else(|| panic!("no line for {request_id} in {log}"));
    assert_eq!(line["route"], "/patients/<id>");
    assert_eq!(line["method"], "GET");
    assert_eq!(line["status"], 200);
    assert_eq!(line["user_id"], user_id);
    assert!(line["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0));
    assert!(lines
        .iter()
        .any(|l| l["route"] == "/patients" && l["user_id"] == user_id));
    assert!(!log.contains(&format!("/patients/{patient}")), "{log}");
    for private in ["Ødegård", "%C3%98deg", "Åse"] {
        assert!(!log.contains(private), "{private} in the log: {log}");
    }
}

#[test]
fn a_killed_server_loses_no_acknowledged_write() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let url = rt.block_on(common::fresh_database_url(dir.path()));
    let db = rt.block_on(Db::connect(&url, 2)).unwrap();
    let seed = rt.block_on(server::seed(&db, common::password_hash()));

    let mut server = Server::start(&url, dir.path());
    let mut browsers: Vec<Browser> = (0..6)
        .map(|_| {
            let mut b = Browser::new(server.port);
            assert!(b.login(seed.worker, PASSWORD).unwrap(), "login");
            b
        })
        .collect();
    let mut acknowledged: Vec<(String, i64)> = Vec::new();
    for round in 0..3 {
        let result = write_until_killed(server, &mut browsers, seed.unit_id, "Krasj", round, 25);
        assert!(
            result.unexpected.is_empty(),
            "answers that were neither an acknowledgement nor a broken connection: {:?}",
            result.unexpected
        );
        assert!(
            result.acknowledged.len() >= 25,
            "round {round}: {} writes acknowledged before the kill",
            result.acknowledged.len()
        );
        acknowledged.extend(result.acknowledged);
        server = Server::start(&url, dir.path());
    }

    // Every acknowledged write is there, under the id the client was given.
    let stored = rt.block_on(server::patients_named(&db, "Krasj "));
    let missing: Vec<&(String, i64)> = acknowledged
        .iter()
        .filter(|(name, id)| stored.get(name) != Some(id))
        .collect();
    assert_eq!(missing, Vec::<&(String, i64)>::new(), "lost writes");
    assert!(stored.len() >= acknowledged.len());

    // The sessions outlived the crashes, and the restarted server serves what was written.
    let (name, id) = acknowledged.last().unwrap().clone();
    let mut browser = browsers[0].clone();
    browser.port = server.port;
    let page = browser.get(&format!("/patients/{id}")).unwrap();
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&name));

    if !common::is_postgres() {
        server.kill();
        let check: String = rt
            .block_on(async {
                samspill::db::on_db!(&db, |p| sqlx::query_scalar("PRAGMA integrity_check")
                    .fetch_one(p)
                    .await)
            })
            .unwrap();
        assert_eq!(check, "ok");
    }
}

/// SQLite lives inside the process: there is no database server to lose.
#[test]
#[ignore = "PostgreSQL only: scripts/test runs it with SAMSPILL_TEST_DATABASE_URL and --include-ignored"]
fn a_database_outage_answers_503_and_the_server_recovers_by_itself() {
    assert!(
        common::is_postgres(),
        "PostgreSQL only: set SAMSPILL_TEST_DATABASE_URL to a PostgreSQL server"
    );
    let rt = runtime();
    let pg = PrivatePg::init();
    let url = pg.url();
    let db = rt.block_on(Db::connect(&url, 1)).unwrap();
    let seed = rt.block_on(server::seed(&db, common::password_hash()));
    rt.block_on(db.close());

    let mut server = Server::start(&url, pg.dir.path());
    let mut browser = Browser::new(server.port);
    assert!(browser.login(seed.worker, PASSWORD).unwrap());
    let before = register(&mut browser, "Brudd før", seed.unit_id).unwrap();
    assert!(acknowledged(&before).is_some(), "{}", before.body);

    pg.stop();
    let page = browser.get("/patients").unwrap();
    assert_eq!(page.status, 503);
    assert!(page.body.contains("Tjenesten er midlertidig utilgjengelig"));
    assert!(page.body.contains("lang=\"nb\""));
    assert_eq!(browser.get("/healthz").unwrap().status, 503);
    let during = register(&mut browser, "Brudd under", seed.unit_id).unwrap();
    assert_eq!(during.status, 503);
    assert!(server.alive(), "the server survived the outage");

    pg.start();
    let mut healthy = false;
    for _ in 0..300 {
        if browser.get("/healthz").is_ok_and(|r| r.status == 200) {
            healthy = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(healthy, "healthy again after the database came back");
    // The same session goes on, and writes work again, without restarting the server.
    assert_eq!(browser.get("/patients").unwrap().status, 200);
    let after = register(&mut browser, "Brudd etter", seed.unit_id).unwrap();
    assert!(acknowledged(&after).is_some(), "{}", after.body);

    let db = rt.block_on(Db::connect(&url, 1)).unwrap();
    let names: Vec<String> = rt
        .block_on(server::patients_named(&db, "Brudd "))
        .into_keys()
        .collect();
    assert_eq!(names, vec!["Brudd etter", "Brudd før"]);
    rt.block_on(db.close());
    drop(server);
}

/// Several instances need PostgreSQL; SQLite serves one process.
#[test]
#[ignore = "PostgreSQL only: scripts/test runs it with SAMSPILL_TEST_DATABASE_URL and --include-ignored"]
fn two_instances_share_sessions_lockouts_and_writes() {
    assert!(
        common::is_postgres(),
        "PostgreSQL only: set SAMSPILL_TEST_DATABASE_URL to a PostgreSQL server"
    );
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let url = rt.block_on(common::fresh_database_url(dir.path()));
    let db = rt.block_on(Db::connect(&url, 2)).unwrap();
    let seed = rt.block_on(server::seed(&db, common::password_hash()));
    let a = Server::start(&url, dir.path());
    let b = Server::start(&url, dir.path());

    // A session made through A is valid on B.
    let mut browser = Browser::new(a.port);
    assert!(browser.login(seed.worker, PASSWORD).unwrap());
    browser.port = b.port;
    let page = browser.get("/patients").unwrap();
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Test ansatt1"));

    // Writes through both, from several clients at once, are all there.
    let handles: Vec<_> = (0..4)
        .map(|w| {
            let mut client = browser.clone();
            let ports = [a.port, b.port];
            let unit_id = seed.unit_id;
            std::thread::spawn(move || {
                let mut done = Vec::new();
                for n in 0..10 {
                    client.port = ports[(w + n) % 2];
                    let name = format!("Begge w{w} n{n}");
                    let reply = register(&mut client, &name, unit_id).expect("answer");
                    let id = acknowledged(&reply)
                        .unwrap_or_else(|| panic!("{name}: {} {}", reply.status, reply.body));
                    done.push((name, id));
                }
                done
            })
        })
        .collect();
    let written: BTreeMap<String, i64> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("writer"))
        .collect();
    assert_eq!(written.len(), 40);
    assert_eq!(rt.block_on(server::patients_named(&db, "Begge ")), written);

    // Logging out on A ends the session on B too.
    browser.port = a.port;
    assert_eq!(browser.post("/logout", &[]).unwrap().status, 303);
    browser.port = b.port;
    let after = browser.get("/patients").unwrap();
    assert_eq!(after.status, 303);
    assert!(after.location().unwrap().starts_with("/login"));

    // Failed logins counted on both add up to one lock-out that both enforce.
    let mut guesser = Browser::new(a.port);
    for attempt in 0..samspill::web::auth::MAX_FAILURES {
        guesser.port = if attempt % 2 == 0 { a.port } else { b.port };
        assert!(!guesser.login(seed.worker, "feil-passord-123").unwrap());
    }
    for port in [a.port, b.port] {
        let mut right = Browser::new(port);
        right.get("/login").unwrap();
        let reply = right
            .post(
                "/login",
                &[("username", seed.worker), ("password", PASSWORD)],
            )
            .unwrap();
        assert_eq!(reply.status, 422, "refused on port {port}");
        assert!(
            reply.body.contains("For mange mislykkede innlogginger"),
            "locked on port {port}"
        );
    }
    rt.block_on(db.close());
}

/// Started from a folder with no Rocket.toml: Samspill's own defaults hold (the Server
/// header, the 4 MiB form limit, the templates), the database files are private, and a
/// request Rocket cannot route gets the error page with the security headers.
#[test]
fn the_server_keeps_its_settings_outside_the_source_tree() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let url = rt.block_on(common::fresh_database_url(dir.path()));
    let db = rt.block_on(Db::connect(&url, 2)).unwrap();
    let seed = rt.block_on(server::seed(&db, common::password_hash()));
    assert!(!dir.path().join("Rocket.toml").exists());
    let server = Server::start(&url, dir.path());
    let mut b = Browser::new(server.port);
    assert!(b.login(seed.worker, PASSWORD).unwrap(), "login");
    let page = b.get("/patients/new").unwrap();
    assert_eq!(page.status, 200);
    assert_eq!(page.header("server"), Some("Samspill"));
    // 120 kB of text is well within the form limit (Rocket's own default is 32 KiB).
    let long = "ø".repeat(60 * 1024);
    let unit = seed.unit_id.to_string();
    let reply = b
        .post(
            "/patients",
            &[
                ("full_name", "Lang Tekst"),
                ("birth_date", "01.01.1950"),
                ("services", &long),
                ("unit_id", &unit),
            ],
        )
        .unwrap();
    assert_ne!(
        reply.status,
        413,
        "{}",
        &reply.body[..reply.body.len().min(500)]
    );
    assert!(
        reply.status == 303 || reply.status == 422,
        "{}",
        reply.status
    );
    assert!(reply.status == 303 || reply.body.contains("Lang Tekst"));
    // A request target Rocket cannot read: its 400 page carries the headers.
    let bad = b.request("GET", "x", None).unwrap();
    assert_eq!(bad.status, 400);
    assert!(bad
        .header("content-security-policy")
        .is_some_and(|c| c.contains("frame-ancestors 'none'")));
    assert_eq!(bad.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(bad.header("x-frame-options"), Some("DENY"));
    assert!(bad.body.contains("Ugyldig forespørsel"));
    #[cfg(unix)]
    if !common::is_postgres() {
        use std::os::unix::fs::PermissionsExt;
        for name in ["samspill.db", "samspill.db-wal", "samspill.db-shm"] {
            let mode = std::fs::metadata(dir.path().join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
    }
}
