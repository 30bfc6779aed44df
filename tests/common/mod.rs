//! Starts the real application on a fresh database (SQLite in a temporary directory, or a new
//! PostgreSQL database when SAMSPILL_TEST_DATABASE_URL names a server), and drives it like a
//! browser: cookies kept, CSRF tokens read from the pages and sent with every form.
#![allow(dead_code)]

pub mod agreement;
pub mod fixtures;
pub mod http;
pub mod load;
pub mod oidc;
pub mod pdf;
pub mod server;

pub use fixtures::{call_followup, error_for, id_from, relative, setup};
pub use http::{encode, form_body, scrape_csrf};
use server::SECRET;

use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::Client;
use samspill::clock::Clock;
use samspill::config::Settings;
use samspill::db::{self, Db};
use samspill::domain::user::Role;
use samspill::App;
use std::sync::{Mutex, OnceLock};

pub const PASSWORD: &str = "riktig-hest-batteri-stift";

/// A date `days` from today on a fresh application clock (negative: before), as forms take
/// it. Tests never name a calendar date that will one day be in the past.
pub fn date_in(days: i64) -> String {
    samspill::domain::dates::format_date(Clock::default().today() + chrono::Duration::days(days))
}

/// A month before today, for field lists built without an application at hand.
pub fn a_month_ago() -> &'static str {
    static DAY: OnceLock<String> = OnceLock::new();
    DAY.get_or_init(|| date_in(-30))
}

pub fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| samspill::security::hash_password_sync(PASSWORD).expect("hash"))
}

pub fn is_postgres() -> bool {
    std::env::var("SAMSPILL_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty())
}

/// A new, empty database URL for one test.
pub async fn fresh_database_url(dir: &std::path::Path) -> String {
    match std::env::var("SAMSPILL_TEST_DATABASE_URL") {
        Ok(admin) if !admin.is_empty() => {
            let name = format!(
                "samspill_t_{}",
                samspill::security::random_token()
                    .to_lowercase()
                    .replace(['-', '_'], "")
            );
            let name = &name[..30];
            let pool = sqlx::PgPool::connect(&admin)
                .await
                .expect("connect to the PostgreSQL test server");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&pool)
                .await
                .expect("create database");
            pool.close().await;
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            format!("{base}/{name}")
        }
        _ => format!("sqlite://{}/samspill.db?mode=rwc", dir.display()),
    }
}

pub struct Org {
    pub district_a: i64,
    pub unit_a1: i64,
    pub unit_a2: i64,
    pub district_b: i64,
    pub unit_b1: i64,
}

/// A value for a query's placeholder, as `TestApp::plan` binds it.
#[derive(Debug, Clone, Copy)]
pub enum Bind {
    Int(i64),
    Date(chrono::NaiveDate),
    Time(chrono::DateTime<chrono::Utc>),
}

pub struct TestApp {
    pub client: Client,
    pub db: Db,
    pub clock: Clock,
    pub url: String,
    pub dir: tempfile::TempDir,
    csrf: Mutex<Option<String>>,
}

pub struct Reply {
    pub status: Status,
    pub body: String,
    pub location: Option<String>,
    pub content_type: Option<ContentType>,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn redirects_to(&self, path: &str) -> bool {
        self.status == Status::SeeOther && self.location.as_deref() == Some(path)
    }
}

pub fn figment() -> rocket::figment::Figment {
    samspill::config::rocket_figment()
        .merge(("secret_key", SECRET))
        .merge(("log_level", "off"))
        .merge(("cli_colors", false))
}

pub async fn start() -> TestApp {
    start_with(|_| {}).await
}

/// The application with some settings changed from the defaults.
pub async fn start_with(change: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = fresh_database_url(dir.path()).await;
    let db = Db::connect(&url, 5).await.expect("connect");
    db.migrate().await.expect("migrate");
    let clock = Clock::default();
    let mut settings = Settings {
        database_url: url.clone(),
        ..Settings::default()
    };
    change(&mut settings);
    let app = App {
        db: db.clone(),
        settings,
        clock: clock.clone(),
    };
    let client = Client::tracked(samspill::build_rocket(figment(), app))
        .await
        .expect("valid rocket");
    TestApp {
        client,
        db,
        clock,
        url,
        dir,
        csrf: Mutex::new(None),
    }
}

pub async fn client_for(db: &Db, clock: &Clock, url: &str) -> Client {
    let settings = Settings {
        database_url: url.to_string(),
        ..Settings::default()
    };
    let app = App {
        db: db.clone(),
        settings,
        clock: clock.clone(),
    };
    Client::tracked(samspill::build_rocket(figment(), app))
        .await
        .expect("valid rocket")
}

impl TestApp {
    pub fn from_client(client: Client, db: Db, clock: Clock, url: String) -> TestApp {
        TestApp {
            client,
            db,
            clock,
            url,
            dir: tempfile::tempdir().expect("tempdir"),
            csrf: Mutex::new(None),
        }
    }

    /// Another browser on the same application and database.
    pub async fn browser(&self) -> TestApp {
        let client = client_for(&self.db, &self.clock, &self.url).await;
        TestApp {
            client,
            db: self.db.clone(),
            clock: self.clock.clone(),
            url: self.url.clone(),
            dir: tempfile::tempdir().expect("tempdir"),
            csrf: Mutex::new(None),
        }
    }

    async fn reply(res: rocket::local::asynchronous::LocalResponse<'_>) -> Reply {
        let status = res.status();
        let location = res.headers().get_one("Location").map(str::to_string);
        let content_type = res.content_type();
        let bytes = res.into_bytes().await.unwrap_or_default();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        Reply {
            status,
            body,
            location,
            content_type,
            bytes,
        }
    }

    /// A date `days` from the application's day (negative: before), as forms take it.
    pub fn date_in(&self, days: i64) -> String {
        samspill::domain::dates::format_date(self.clock.today() + chrono::Duration::days(days))
    }

    pub async fn get(&self, path: &str) -> Reply {
        let res = self.client.get(path.to_string()).dispatch().await;
        let reply = Self::reply(res).await;
        if let Some(token) = scrape_csrf(&reply.body) {
            *self.csrf.lock().unwrap() = Some(token);
        }
        reply
    }

    /// The CSRF token this browser's forms carry (reads a page when none is known yet).
    pub async fn csrf(&self) -> String {
        if let Some(t) = self.csrf.lock().unwrap().clone() {
            return t;
        }
        let page = self.get("/login").await;
        if let Some(t) = scrape_csrf(&page.body) {
            return t;
        }
        let page = self.get("/account/password").await;
        scrape_csrf(&page.body).expect("a page with a CSRF token")
    }

    /// Posts a form with this browser's CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.post_raw(path, &form_body(&all)).await
    }

    /// Posts a multipart form with one file field, as a browser's file upload does, with
    /// this browser's CSRF token.
    pub async fn upload(&self, path: &str, field: &str, file_name: &str, bytes: &[u8]) -> Reply {
        let token = self.csrf().await;
        let boundary = "samspill-test-boundary";
        let mut body = Vec::new();
        body.extend(
            format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
        )
            .as_bytes(),
        );
        body.extend(format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        ).as_bytes());
        body.extend(bytes);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        let res = self
            .client
            .post(path.to_string())
            .header(ContentType::new("multipart", "form-data").with_params(("boundary", boundary)))
            .body(body)
            .dispatch()
            .await;
        Self::reply(res).await
    }

    pub async fn post_raw(&self, path: &str, body: &str) -> Reply {
        let res = self
            .client
            .post(path.to_string())
            .header(ContentType::Form)
            .body(body)
            .dispatch()
            .await;
        Self::reply(res).await
    }

    pub async fn post_with_header(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        header: Header<'static>,
    ) -> Reply {
        self.post_with_headers(path, fields, vec![header]).await
    }

    pub async fn post_with_headers(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        headers: Vec<Header<'static>>,
    ) -> Reply {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        let mut req = self.client.post(path.to_string()).header(ContentType::Form);
        for h in headers {
            req = req.header(h);
        }
        let res = req.body(form_body(&all)).dispatch().await;
        Self::reply(res).await
    }

    pub async fn login(&self, username: &str, password: &str) -> Reply {
        *self.csrf.lock().unwrap() = None;
        let page = self.get("/login").await;
        let token = scrape_csrf(&page.body).unwrap_or_default();
        let reply = self
            .post_raw(
                "/login",
                &form_body(&[
                    ("username", username),
                    ("password", password),
                    ("csrf_token", &token),
                ]),
            )
            .await;
        *self.csrf.lock().unwrap() = None;
        reply
    }

    /// Logs in and fails the test unless it worked.
    pub async fn login_as(&self, username: &str) {
        let reply = self.login(username, PASSWORD).await;
        assert!(
            reply.redirects_to("/"),
            "login as {username} failed: {} {}",
            reply.status,
            reply.body
        );
        let page = self.get("/account/password").await;
        assert_eq!(page.status, Status::Ok);
    }

    pub async fn logout(&self) -> Reply {
        let reply = self.post("/logout", &[]).await;
        *self.csrf.lock().unwrap() = None;
        reply
    }

    /// Two districts; A has two units, B one.
    pub async fn org(&self) -> Org {
        let now = self.clock.now();
        let mut tx = self.db.begin().await.unwrap();
        let district_a = db::org::insert_district(&mut tx, "Bydel Frogner", now)
            .await
            .unwrap();
        let district_b = db::org::insert_district(&mut tx, "Bydel Alna", now)
            .await
            .unwrap();
        let unit_a1 =
            db::org::insert_unit(&mut tx, district_a, "Hjemmetjenesten Frogner nord", now)
                .await
                .unwrap();
        let unit_a2 = db::org::insert_unit(&mut tx, district_a, "Hjemmetjenesten Frogner sør", now)
            .await
            .unwrap();
        let unit_b1 = db::org::insert_unit(&mut tx, district_b, "Hjemmetjenesten Alna", now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        Org {
            district_a,
            unit_a1,
            unit_a2,
            district_b,
            unit_b1,
        }
    }

    pub async fn user(&self, username: &str, role: Role, unit_id: Option<i64>) -> i64 {
        let mut tx = self.db.begin().await.unwrap();
        let new = db::users::NewUser {
            username,
            name: &format!("Test {username}"),
            role,
            unit_id,
            phone: Some("+47 91 23 45 67"),
            password_hash: password_hash(),
        };
        let id = db::users::insert(&mut tx, &new, self.clock.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        id
    }

    /// Registers a patient through the web as the logged-in worker; returns its id.
    pub async fn patient(&self, name: &str, birth: &str, unit_id: i64) -> i64 {
        let reply = self
            .post(
                "/patients",
                &[
                    ("full_name", name),
                    ("birth_date", birth),
                    ("unit_id", &unit_id.to_string()),
                ],
            )
            .await;
        let location = reply
            .location
            .clone()
            .unwrap_or_else(|| panic!("patient not created: {}", reply.body));
        location
            .trim_start_matches("/patients/")
            .parse()
            .expect("patient id")
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        samspill::db::on_db!(&self.db, |p| sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(p)
            .await)
        .expect(sql)
    }

    /// Runs a statement as an outside writer would (no counters, no log).
    pub async fn exec(&self, sql: &str) {
        samspill::db::on_db!(&self.db, |p| sqlx::query(sql).execute(p).await.map(|_| ()))
            .expect(sql)
    }

    /// How the engine would run `sql` with `binds` for $1, $2, …: SQLite's query plan, or
    /// PostgreSQL's with sequential scans made a last resort (its plans for the suite's few
    /// rows would scan anyway), one step a line.
    pub async fn plan(&self, sql: &str, binds: &[Bind]) -> String {
        let lines: Result<Vec<String>, sqlx::Error> = match &self.db {
            samspill::db::Db::Sqlite(p) => {
                let explain = format!("EXPLAIN QUERY PLAN {sql}");
                let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(&explain);
                for b in binds {
                    q = match *b {
                        Bind::Int(v) => q.bind(v),
                        Bind::Date(v) => q.bind(v),
                        Bind::Time(v) => q.bind(v),
                    };
                }
                q.fetch_all(p)
                    .await
                    .map(|rows| rows.into_iter().map(|r| r.3).collect())
            }
            samspill::db::Db::Postgres(p) => {
                let mut tx = p.begin().await.expect("begin");
                sqlx::query("SET LOCAL enable_seqscan = off")
                    .execute(&mut *tx)
                    .await
                    .expect("set");
                let explain = format!("EXPLAIN {sql}");
                let mut q = sqlx::query_scalar::<_, String>(&explain);
                for b in binds {
                    q = match *b {
                        Bind::Int(v) => q.bind(v),
                        Bind::Date(v) => q.bind(v),
                        Bind::Time(v) => q.bind(v),
                    };
                }
                q.fetch_all(&mut *tx).await
            }
            samspill::db::Db::Snapshot(_) => unreachable!("the suite's database is a pool"),
        };
        lines.expect(sql).join("\n")
    }

    pub async fn text(&self, sql: &str) -> String {
        samspill::db::on_db!(&self.db, |p| sqlx::query_scalar::<_, String>(sql)
            .fetch_one(p)
            .await)
        .expect(sql)
    }
}

/// The first sheet of an exported workbook, row by row.
pub fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<calamine::Data>> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an XLSX");
    let sheet = book
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("a readable sheet");
    sheet.rows().map(|r| r.to_vec()).collect()
}
