//! The command line: backup and demo data.

use crate::common;
use samspill::db::Db;
use samspill::domain::user::Role;
use std::process::Command;

async fn dump(db: &Db) -> Vec<(String, String, Option<String>, i64)> {
    samspill::db::on_db!(db, |p| sqlx::query_as::<
        _,
        (String, String, Option<String>, i64),
    >(
        "SELECT full_name, CAST(birth_date AS TEXT), fnr, unit_id FROM patients ORDER BY id"
    )
    .fetch_all(p)
    .await)
    .unwrap()
}

async fn users(db: &Db) -> Vec<(String, String, String)> {
    samspill::db::on_db!(db, |p| sqlx::query_as::<_, (String, String, String)>(
        "SELECT username, name, role FROM users ORDER BY id"
    )
    .fetch_all(p)
    .await)
    .unwrap()
}

async fn routine_dump(db: &Db) -> Vec<String> {
    let relatives: Vec<(i64, String, String, String)> =
        samspill::db::on_db!(db, |p| sqlx::query_as(
            "SELECT patient_id, full_name, relation, involvement FROM relatives ORDER BY id"
        )
        .fetch_all(p)
        .await)
        .unwrap();
    let followups: Vec<(i64, String, String, String)> =
        samspill::db::on_db!(db, |p| sqlx::query_as(
            "SELECT patient_id, CAST(due_on AS TEXT), status, kind FROM followups ORDER BY id"
        )
        .fetch_all(p)
        .await)
        .unwrap();
    relatives
        .iter()
        .map(|r| format!("{r:?}"))
        .chain(followups.iter().map(|f| format!("{f:?}")))
        .collect()
}

#[rocket::async_test]
async fn backup_copies_a_database_in_use() {
    let app = common::start().await;
    let org = app.org().await;
    app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
    app.login_as("ansatt1").await;
    app.patient("Kari Nordmann", "01.02.1940", org.unit_a1)
        .await;
    app.patient("Åse Ås", "03.04.1945", org.unit_a1).await;
    let target = app.dir.path().join("kopi.db");
    let out = Command::new(env!("CARGO_BIN_EXE_samspill"))
        .arg("backup")
        .arg(&target)
        .env("DATABASE_URL", &app.url)
        .env("ROCKET_SECRET_KEY", "c2Ftc3BpbGwtdGVzdC1zZWNyZXQta2V5LXRoYXQtaXMtbG9uZy1lbm91Z2gtZm9yLXJvY2tldC0xMjM0NTY3OA==")
        .output()
        .unwrap();
    if common::is_postgres() {
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
        return;
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // While the application still has the original open.
    assert_eq!(app.get("/patients").await.status, rocket::http::Status::Ok);
    let copy = Db::connect(&format!("sqlite://{}", target.display()), 1)
        .await
        .unwrap();
    assert_eq!(dump(&copy).await, dump(&app.db).await);
    assert_eq!(dump(&copy).await.len(), 2);
    assert_eq!(users(&copy).await, users(&app.db).await);
    let ok: String = samspill::db::on_db!(&copy, |p| sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(p)
        .await)
    .unwrap();
    assert_eq!(ok, "ok");
    // Never overwrites.
    let again = Command::new(env!("CARGO_BIN_EXE_samspill"))
        .arg("backup")
        .arg(&target)
        .env("DATABASE_URL", &app.url)
        .output()
        .unwrap();
    assert!(!again.status.success());
}

async fn generated(seed: u64, patients: u32) -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = common::fresh_database_url(dir.path()).await;
    let db = Db::connect(&url, 2).await.unwrap();
    db.migrate().await.unwrap();
    let options = samspill::demo::Options {
        patients,
        seed,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        password: common::PASSWORD.into(),
    };
    let summary = samspill::demo::generate(&db, &options).await.unwrap();
    assert!(summary.contains("admin: administrator"));
    assert!(summary.contains("leder1: bydelsleder, Bydel Frogner"));
    assert!(summary.contains("ansatt1–"));
    (db, dir)
}

#[rocket::async_test]
async fn demo_data_is_deterministic_for_a_seed() {
    let (a, _da) = generated(7, 300).await;
    let (b, _db) = generated(7, 300).await;
    let (c, _dc) = generated(8, 300).await;
    let rows = dump(&a).await;
    assert_eq!(rows.len(), 300);
    assert_eq!(rows, dump(&b).await);
    assert_eq!(users(&a).await, users(&b).await);
    assert_ne!(rows, dump(&c).await);
    let routine = routine_dump(&a).await;
    assert_eq!(routine, routine_dump(&b).await);
    assert_ne!(routine, routine_dump(&c).await);
    // Realistic proportions: relatives for most patients, children among them, some overdue.
    let scalar = |sql: &str| {
        let db = a.clone();
        let sql = sql.to_string();
        async move {
            samspill::db::on_db!(&db, |p| sqlx::query_scalar::<_, i64>(&sql)
                .fetch_one(p)
                .await)
            .unwrap()
        }
    };
    // The demo is generated around the real day.
    let today = samspill::clock::Clock::default().today();
    let relatives = scalar("SELECT COUNT(*) FROM relatives").await;
    assert!(
        (500..=900).contains(&relatives),
        "{relatives} relatives for 300 patients"
    );
    assert!(scalar("SELECT COUNT(*) FROM relatives WHERE age_group = 'child'").await > 0);
    assert!(scalar("SELECT COUNT(*) FROM mappings").await > 100);
    assert!(scalar("SELECT COUNT(*) FROM meetings WHERE status = 'completed'").await > 50);
    assert!(scalar("SELECT COUNT(*) FROM followups").await >= 300 * 6);
    assert!(
        scalar(&format!(
            "SELECT COUNT(*) FROM followups WHERE status = 'open' AND due_on < '{today}'"
        ))
        .await
            > 0
    );
    // Every completed demo meeting has a next step.
    assert_eq!(
        scalar("SELECT COUNT(*) FROM meetings m WHERE m.status = 'completed' AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.meeting_id = m.id)").await,
        0
    );
    // Agreements in every state, some overdue for evaluation, some with several versions;
    // each one in force has its evaluation on the contact person's list.
    for state in ["draft", "active", "evaluated", "ended"] {
        let sql: &'static str = match state {
            "draft" => "SELECT COUNT(*) FROM agreements WHERE status = 'draft'",
            "active" => "SELECT COUNT(*) FROM agreements WHERE status = 'active'",
            "evaluated" => "SELECT COUNT(*) FROM agreements WHERE status = 'evaluated'",
            _ => "SELECT COUNT(*) FROM agreements WHERE status = 'ended'",
        };
        assert!(scalar(sql).await > 0, "no {state} agreement");
    }
    assert!(scalar(&format!("SELECT COUNT(*) FROM agreements WHERE status IN ('active', 'evaluated') AND evaluation_on < '{today}'")).await > 0);
    assert!(scalar("SELECT COUNT(*) FROM agreements WHERE current_version > 1").await > 0);
    assert_eq!(
        scalar("SELECT COUNT(*) FROM agreements a WHERE status IN ('active', 'evaluated') AND NOT EXISTS
                (SELECT 1 FROM followups f WHERE f.agreement_id = a.id AND f.status = 'open'
                 AND f.due_on = a.evaluation_on AND f.owner_id = a.contact_person_id)").await,
        0
    );
    assert_eq!(
        scalar("SELECT COUNT(*) FROM agreements a WHERE current_version <> (SELECT COUNT(*) FROM agreement_versions v WHERE v.agreement_id = a.id)").await,
        0
    );
    // Every generated fødselsnummer is valid and agrees with the birth date.
    for (_, birth, fnr, _) in &rows {
        if let Some(f) = fnr {
            let parsed = samspill::domain::fnr::Fodselsnummer::parse(f).unwrap();
            assert_eq!(parsed.birth_date().to_string(), birth[..10]);
        }
    }
    if a.engine() == samspill::db::Engine::Postgres {
        // Vacuumed and analysed once loaded, so autovacuum does not come by in the first
        // minutes of use.
        assert_eq!(
            scalar("SELECT COUNT(*) FROM pg_stat_user_tables WHERE relname IN ('patients', 'relatives', 'followups')
                    AND last_vacuum IS NOT NULL AND last_analyze IS NOT NULL").await,
            3
        );
    }
    let names: Vec<String> = users(&a).await.into_iter().map(|u| u.0).collect();
    for expected in ["admin", "leder1", "ansatt1"] {
        assert!(names.contains(&expected.to_string()));
    }
    // A database with data is refused.
    let options = samspill::demo::Options {
        patients: 10,
        seed: 7,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        password: common::PASSWORD.into(),
    };
    assert!(samspill::demo::generate(&a, &options)
        .await
        .unwrap_err()
        .contains("not empty"));
}

#[rocket::async_test]
async fn demo_accounts_log_in_with_the_given_password() {
    let (db, dir) = generated(1, 200).await;
    let url = match db.engine() {
        samspill::db::Engine::Sqlite => {
            format!("sqlite://{}/samspill.db?mode=rwc", dir.path().display())
        }
        samspill::db::Engine::Postgres => String::new(),
    };
    let clock = samspill::clock::Clock::default();
    let client = common::client_for(&db, &clock, &url).await;
    let app = common::TestApp::from_client(client, db, clock, url);
    app.login_as("ansatt1").await;
    let list = app.get("/patients").await;
    assert!(list.body.contains("Side 1 av"));
    // The demo worker finds agreements among the first patients of the list.
    let shown: Vec<i64> = list
        .body
        .match_indices("href=\"/patients/")
        .filter_map(|(at, m)| {
            let rest = &list.body[at + m.len()..];
            rest[..rest.find('"')?].parse().ok()
        })
        .collect();
    assert!(shown.len() >= 10, "{shown:?}");
    let mut with_agreement = 0;
    for id in &shown {
        with_agreement += app
            .scalar(&format!(
                "SELECT COUNT(*) FROM agreements WHERE patient_id = {id}"
            ))
            .await;
    }
    assert!(
        with_agreement >= 3,
        "{with_agreement} agreements on the first page"
    );
    let manager = app.browser().await;
    manager.login_as("leder1").await;
    assert_eq!(
        manager.get("/patients").await.status,
        rocket::http::Status::Ok
    );
}

#[rocket::async_test]
async fn user_add_creates_an_account_that_can_log_in() {
    let app = common::start().await;
    let org = app.org().await;
    let _ = org;
    let run = |args: &[&str], password: &str| {
        Command::new(env!("CARGO_BIN_EXE_samspill"))
            .args(args)
            .env("DATABASE_URL", &app.url)
            .env("SAMSPILL_PASSWORD", password)
            .env("ROCKET_SECRET_KEY", "c2Ftc3BpbGwtdGVzdC1zZWNyZXQta2V5LXRoYXQtaXMtbG9uZy1lbm91Z2gtZm9yLXJvY2tldC0xMjM0NTY3OA==")
            .output()
            .unwrap()
    };
    let short = run(
        &[
            "user",
            "add",
            "--username",
            "kari",
            "--name",
            "Kari Nordmann",
            "--role",
            "worker",
            "--unit",
            "Hjemmetjenesten Frogner nord",
        ],
        "kort",
    );
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("Passordet må ha minst 12 tegn."));
    let unknown = run(
        &[
            "user",
            "add",
            "--username",
            "kari",
            "--name",
            "Kari",
            "--role",
            "worker",
            "--unit",
            "Finnes ikke",
        ],
        common::PASSWORD,
    );
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no unit is named"));
    let ok = run(
        &[
            "user",
            "add",
            "--username",
            "Kari",
            "--name",
            "Kari Nordmann",
            "--role",
            "worker",
            "--unit",
            "Hjemmetjenesten Frogner nord",
        ],
        common::PASSWORD,
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    app.login_as("kari").await;
    assert!(app
        .get("/patients")
        .await
        .body
        .contains("Hjemmetjenesten Frogner nord"));
}

/// `demo-data` fills a SQLite file with its journal in memory (the pages are written once,
/// not to the log and then again into the file), and leaves the file in WAL mode, as every
/// connection of the server opens it.
#[test]
fn demo_data_leaves_a_sqlite_file_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    let out = Command::new(env!("CARGO_BIN_EXE_samspill"))
        .args(["demo-data", "--patients", "40", "--seed", "3"])
        .current_dir(dir.path())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", path.display()),
        )
        .env("SAMSPILL_PASSWORD", common::PASSWORD)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("40 patients"));
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("write-ahead log"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The file format's write and read versions (bytes 18 and 19 of the header): 2 is WAL,
    // 1 a rollback journal.
    let header = std::fs::read(&path).unwrap();
    assert_eq!(&header[18..20], &[2, 2]);
}
