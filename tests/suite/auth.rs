//! Login, logout, lock-out, CSRF, session expiry and the first-start setup link.

use crate::common::{self, PASSWORD};
use chrono::Duration;
use rocket::http::{Header, Status};
use samspill::domain::user::Role;

#[rocket::async_test]
async fn login_and_logout() {
    let app = common::start().await;
    let org = app.org().await;
    app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;

    let page = app.get("/login").await;
    assert_eq!(page.status, Status::Ok);
    assert!(page.body.contains("<html lang=\"nb\">"));
    assert!(page.body.contains("name=\"username\"") && page.body.contains("name=\"password\""));

    let reply = app.login("ansatt1", PASSWORD).await;
    assert!(reply.redirects_to("/"));
    assert!(app.get("/").await.redirects_to("/today"));
    assert_eq!(app.get("/patients").await.status, Status::Ok);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM sessions WHERE ended_at IS NULL")
            .await,
        1
    );

    let out = app.logout().await;
    assert!(out.redirects_to("/login"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM sessions WHERE ended_at IS NULL")
            .await,
        0
    );
    assert!(app.get("/patients").await.redirects_to("/login"));
}

#[rocket::async_test]
async fn the_session_cookie_is_private_http_only_and_strict() {
    let app = common::start().await;
    let org = app.org().await;
    app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
    let page = app.get("/login").await;
    let token = common::scrape_csrf(&page.body).unwrap();
    let res = app
        .client
        .post("/login")
        .header(rocket::http::ContentType::Form)
        .body(common::form_body(&[
            ("username", "ansatt1"),
            ("password", PASSWORD),
            ("csrf_token", &token),
        ]))
        .dispatch()
        .await;
    let cookie = res
        .headers()
        .get("Set-Cookie")
        .find(|c| c.starts_with("samspill_session="))
        .expect("session cookie")
        .to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    // The value is encrypted: the session id in the database does not appear in it.
    let id: String =
        samspill::db::on_db!(&app.db, |p| sqlx::query_scalar("SELECT id FROM sessions")
            .fetch_one(p)
            .await)
        .unwrap();
    assert!(!cookie.contains(&id));
}

#[rocket::async_test]
async fn a_wrong_password_is_refused_with_a_message() {
    let app = common::start().await;
    let org = app.org().await;
    app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
    let reply = app.login("ansatt1", "feil-passord-123").await;
    assert_eq!(reply.status, Status::UnprocessableEntity);
    assert!(reply.body.contains("Feil brukernavn eller passord."));
    assert!(
        reply.body.contains("value=\"ansatt1\""),
        "the username is kept"
    );
    let unknown = app.login("finnesikke", "feil-passord-123").await;
    assert!(unknown.body.contains("Feil brukernavn eller passord."));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM sessions").await, 0);
}

#[rocket::async_test]
async fn five_failures_lock_the_username_for_fifteen_minutes() {
    let app = common::start().await;
    let org = app.org().await;
    app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
    for _ in 0..4 {
        let r = app.login("ansatt1", "feil-passord-123").await;
        assert!(r.body.contains("Feil brukernavn eller passord."));
    }
    let fifth = app.login("ansatt1", "feil-passord-123").await;
    assert!(
        fifth.body.contains("For mange mislykkede innlogginger"),
        "{}",
        fifth.body
    );
    assert!(fifth.body.contains("vente 15 minutter"));
    // Even the right password waits.
    let right = app.login("ansatt1", PASSWORD).await;
    assert_eq!(right.status, Status::UnprocessableEntity);
    assert!(right.body.contains("For mange mislykkede innlogginger"));
    app.clock.advance(Duration::minutes(14));
    assert!(app
        .login("ansatt1", PASSWORD)
        .await
        .body
        .contains("For mange mislykkede innlogginger"));
    app.clock.advance(Duration::minutes(2));
    assert!(app.login("ansatt1", PASSWORD).await.redirects_to("/"));
}

#[rocket::async_test]
async fn a_missing_or_wrong_csrf_token_is_refused_and_changes_nothing() {
    let app = common::start().await;
    let org = app.org().await;
    app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
    app.login_as("ansatt1").await;
    let unit = org.unit_a1.to_string();
    let fields = [
        ("full_name", "Kari Nordmann"),
        ("birth_date", "01.01.1940"),
        ("unit_id", unit.as_str()),
    ];

    let missing = app.post_raw("/patients", &common::form_body(&fields)).await;
    assert_eq!(missing.status, Status::Forbidden);
    assert!(missing.body.contains("Ingen tilgang"));
    let mut wrong = fields.to_vec();
    wrong.push(("csrf_token", "feil"));
    assert_eq!(
        app.post_raw("/patients", &common::form_body(&wrong))
            .await
            .status,
        Status::Forbidden
    );
    let cross = app
        .post_with_header(
            "/patients",
            &fields,
            Header::new("Sec-Fetch-Site", "cross-site"),
        )
        .await;
    assert_eq!(cross.status, Status::Forbidden);
    let foreign = app
        .post_with_header(
            "/patients",
            &fields,
            Header::new("Origin", "https://evil.example"),
        )
        .await;
    assert_eq!(foreign.status, Status::Forbidden);
    // A hidden origin counts only when the browser says the form came from this site.
    let hidden = app
        .post_with_header("/patients", &fields, Header::new("Origin", "null"))
        .await;
    assert_eq!(hidden.status, Status::Forbidden);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM patients").await, 0);
    let same_site = app
        .post_with_headers(
            "/patients",
            &fields,
            vec![
                Header::new("Origin", "null"),
                Header::new("Sec-Fetch-Site", "same-origin"),
            ],
        )
        .await;
    assert_eq!(same_site.status, Status::SeeOther);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM patients").await, 1);

    // Logging in needs the token too.
    let other = app.browser().await;
    let body = common::form_body(&[("username", "ansatt1"), ("password", PASSWORD)]);
    assert_eq!(
        other.post_raw("/login", &body).await.status,
        Status::Forbidden
    );
    // Logout without a token does not end the session.
    assert_eq!(app.post_raw("/logout", "").await.status, Status::Forbidden);
    assert_eq!(app.get("/patients").await.status, Status::Ok);

    assert!(app.post("/patients", &fields).await.location.is_some());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM patients").await, 2);
}

#[rocket::async_test]
async fn an_idle_session_expires_after_thirty_minutes() {
    let app = common::start().await;
    let org = app.org().await;
    app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
    app.login_as("ansatt1").await;
    app.clock.advance(Duration::minutes(29));
    assert_eq!(app.get("/patients").await.status, Status::Ok);
    app.clock.advance(Duration::minutes(31));
    let reply = app.get("/patients").await;
    assert!(
        reply.redirects_to("/login?reason=idle"),
        "{:?}",
        reply.location
    );
    let login = app.get("/login?reason=idle").await;
    assert!(login.body.contains("du ikke har vært aktiv på en stund"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM sessions WHERE end_reason = 'idle timeout'")
            .await,
        1
    );
    assert!(app.get("/patients").await.redirects_to("/login"));
}

#[rocket::async_test]
async fn a_session_ends_twelve_hours_after_login_however_active() {
    let app = common::start().await;
    let org = app.org().await;
    app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
    app.login_as("ansatt1").await;
    // Active every 20 minutes up to 11 h 59 min after login (a minute's margin for the
    // seconds the test itself takes)…
    for _ in 0..35 {
        app.clock.advance(Duration::minutes(20));
        assert_eq!(app.get("/patients").await.status, Status::Ok);
    }
    app.clock.advance(Duration::minutes(19));
    assert_eq!(app.get("/patients").await.status, Status::Ok);
    // …and still out once twelve hours have passed.
    app.clock.advance(Duration::minutes(2));
    assert!(app
        .get("/patients")
        .await
        .redirects_to("/login?reason=expired"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM sessions WHERE end_reason = 'absolute timeout'")
            .await,
        1
    );
}

#[rocket::async_test]
async fn changing_the_password_ends_every_session() {
    let app = common::start().await;
    let org = app.org().await;
    app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
    app.login_as("ansatt1").await;
    let other = app.browser().await;
    other.login_as("ansatt1").await;

    let short = app
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new_password", "kort"),
                ("confirm", "kort"),
            ],
        )
        .await;
    assert_eq!(short.status, Status::UnprocessableEntity);
    assert!(short.body.contains("Passordet må ha minst 12 tegn."));
    let wrong = app
        .post(
            "/account/password",
            &[
                ("current", "feil-passord-1"),
                ("new_password", "et-nytt-langt-passord"),
                ("confirm", "et-nytt-langt-passord"),
            ],
        )
        .await;
    assert!(wrong.body.contains("Nåværende passord er feil."));

    let ok = app
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new_password", "et-nytt-langt-passord"),
                ("confirm", "et-nytt-langt-passord"),
            ],
        )
        .await;
    assert!(ok.redirects_to("/login"));
    assert!(app
        .get("/patients")
        .await
        .location
        .unwrap()
        .starts_with("/login"));
    assert!(other
        .get("/patients")
        .await
        .location
        .unwrap()
        .starts_with("/login"));
    assert_eq!(
        app.login("ansatt1", PASSWORD).await.status,
        Status::UnprocessableEntity
    );
    assert!(app
        .login("ansatt1", "et-nytt-langt-passord")
        .await
        .redirects_to("/"));
}

#[rocket::async_test]
async fn the_setup_link_creates_the_first_administrator_once() {
    let app = common::start().await;
    assert_eq!(app.get("/setup").await.status, Status::NotFound);
    assert_eq!(
        app.get("/setup?token=gjetting").await.status,
        Status::NotFound
    );
    samspill::db::setup::issue(&app.db, "engangs-token-123", app.clock.now())
        .await
        .unwrap();
    let page = app.get("/setup?token=engangs-token-123").await;
    assert_eq!(page.status, Status::Ok);
    assert!(page.body.contains("Opprett første administrator"));

    let bad = app
        .post(
            "/setup",
            &[
                ("token", "engangs-token-123"),
                ("name", ""),
                ("username", "Admin"),
                ("password", "kort"),
                ("confirm", "kort"),
            ],
        )
        .await;
    assert_eq!(bad.status, Status::UnprocessableEntity);
    assert!(bad.body.contains("Skriv inn fullt navn."));
    assert!(bad.body.contains("Passordet må ha minst 12 tegn."));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users").await, 0);

    let wrong_token = app
        .post(
            "/setup",
            &[
                ("token", "annet"),
                ("name", "Ada Admin"),
                ("username", "admin"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong_token.status, Status::NotFound);

    let ok = app
        .post(
            "/setup",
            &[
                ("token", "engangs-token-123"),
                ("name", "Ada Admin"),
                ("username", "Admin"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert!(ok.redirects_to("/admin"), "{}", ok.body);
    assert_eq!(app.get("/admin").await.status, Status::Ok);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM users WHERE username = 'admin' AND role = 'admin'")
            .await,
        1
    );
    let again = app.browser().await;
    assert_eq!(
        again.get("/setup?token=engangs-token-123").await.status,
        Status::NotFound
    );
}

#[rocket::async_test]
async fn security_headers_are_on_every_response() {
    let app = common::start().await;
    for path in ["/login", "/healthz", "/finnes-ikke", "/static/style.css"] {
        let res = app.client.get(path).dispatch().await;
        let h = res.headers();
        let csp = h.get_one("Content-Security-Policy").unwrap_or_default();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(h.get_one("X-Content-Type-Options"), Some("nosniff"));
        assert_eq!(h.get_one("Referrer-Policy"), Some("same-origin"));
    }
}

#[rocket::async_test]
async fn a_deactivated_user_is_logged_out_and_cannot_log_in() {
    let app = common::start().await;
    let org = app.org().await;
    let id = app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
    app.user("admin", Role::Admin, None).await;
    let worker = app.browser().await;
    worker.login_as("ansatt1").await;
    app.login_as("admin").await;
    assert!(app
        .post(&format!("/admin/users/{id}/deactivate"), &[])
        .await
        .location
        .is_some());
    assert!(worker
        .get("/patients")
        .await
        .location
        .unwrap()
        .starts_with("/login"));
    assert_eq!(
        worker.login("ansatt1", PASSWORD).await.status,
        Status::UnprocessableEntity
    );
}
