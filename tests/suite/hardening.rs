//! What an outside security probe found, each closed: follow-ups after a patient moves,
//! formulas in exports, the outcome form, the password throttle, the idle timeout, passwords,
//! cookies, invisible characters and the headers of error answers. The access log's share is
//! in `access_log.rs`.

use crate::common::{self, call_followup, error_for, relative, setup, TestApp};
use rocket::http::{Header, Status};
use samspill::domain::dates::format_date;
use samspill::domain::user::Role;

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.scalar(sql).await
}

/// A follow-up of a patient who then moves from A1 to A2: it leaves A1 entirely and waits in
/// A2 for a new owner, with its history kept.
#[rocket::async_test]
async fn a_moved_patients_follow_ups_leave_the_old_unit_and_need_an_owner_in_the_new() {
    let (app, org, patient) = setup().await;
    app.user("ansatt3", Role::Worker, Some(org.unit_a2)).await;
    app.user("leder1", Role::Manager, Some(org.unit_a1)).await;
    let owner = app
        .scalar("SELECT id FROM users WHERE username = 'ansatt1'")
        .await
        .to_string();
    let f = call_followup(&app, patient, "Ring datteren om avlastning", 3).await;
    let unit_a2 = org.unit_a2.to_string();
    let moved = app
        .post(
            &format!("/patients/{patient}"),
            &[
                ("full_name", "Per Nordmann"),
                ("birth_date", "01.02.1940"),
                ("unit_id", unit_a2.as_str()),
            ],
        )
        .await;
    assert_eq!(moved.status, Status::SeeOther, "{}", moved.body);

    // The old owner in A1: nothing to read, download or change.
    for path in [
        format!("/followups/{f}"),
        format!("/followups/{f}/calendar.ics"),
    ] {
        let reply = app.get(&path).await;
        assert_eq!(reply.status, Status::NotFound, "{path}");
        assert!(!reply.body.contains("Per Nordmann") && !reply.body.contains("datteren"));
    }
    let today = format_date(app.clock.today());
    let later = format_date(app.clock.today() + chrono::Duration::days(9));
    for (path, fields) in [
        (
            format!("/followups/{f}/done"),
            vec![("note", "Ringt"), ("done_on", today.as_str())],
        ),
        (
            format!("/followups/{f}/move"),
            vec![("due_on", later.as_str()), ("reason", "Ferie")],
        ),
        (
            format!("/followups/{f}/cancel"),
            vec![("cancel_reason", "Flyttet")],
        ),
    ] {
        assert_eq!(
            app.post(&path, &fields).await.status,
            Status::NotFound,
            "{path}"
        );
    }
    assert_eq!(
        app.text(&format!(
            "SELECT status || ' ' || due_on FROM followups WHERE id = {f}"
        ))
        .await,
        format!(
            "open {}",
            (app.clock.today() + chrono::Duration::days(3)).format("%Y-%m-%d")
        )
    );
    assert!(!app.get("/followups").await.body.contains("datteren"));

    // The new unit reads it, sees it needs an owner, and the history names who had it.
    let a2 = app.browser().await;
    a2.login_as("ansatt3").await;
    let page = a2.get(&format!("/followups/{f}")).await;
    assert_eq!(page.status, Status::Ok);
    assert!(page.body.contains("Trenger ny ansvarlig"), "{}", page.body);
    assert!(page.body.contains(
        "Test ansatt1 er ikke lenger ansvarlig – Pasienten er flyttet til Hjemmetjenesten Frogner sør. Oppfølgingen trenger ny ansvarlig der. (registrert av Test ansatt1)"
    ), "{}", page.body);
    assert_eq!(
        a2.get(&format!("/followups/{f}/calendar.ics")).await.status,
        Status::Ok
    );

    // The manager's list of follow-ups needing an owner has it; the manager gives it to A2.
    let manager = app.browser().await;
    manager.login_as("leder1").await;
    let list = manager
        .get("/dashboard/list/followups?filter=needs_owner")
        .await;
    assert!(list.body.contains("Oppfølginger som trenger ny ansvarlig"));
    assert!(
        list.body.contains("Ring datteren om avlastning"),
        "{}",
        list.body
    );
    let overdue = manager
        .get("/dashboard/list/followups?filter=overdue")
        .await;
    assert!(!overdue.body.contains("Ring datteren om avlastning"));
    let a2_worker = app
        .scalar("SELECT id FROM users WHERE username = 'ansatt3'")
        .await
        .to_string();
    let form = manager
        .get(&format!("/dashboard/followups/{f}/reassign"))
        .await;
    assert!(form.body.contains(&format!("value=\"{a2_worker}\"")));
    assert!(!form.body.contains(&format!("value=\"{owner}\"")));
    let given = manager
        .post(
            &format!("/dashboard/followups/{f}/reassign"),
            &[
                ("owner_id", a2_worker.as_str()),
                ("reason", "Pasienten er flyttet"),
            ],
        )
        .await;
    assert_eq!(given.status, Status::SeeOther, "{}", given.body);
    let mine = a2.get("/followups").await;
    assert!(mine.body.contains("Ring datteren om avlastning"));
    assert!(!mine.body.contains("trenger ny ansvarlig ("));
    assert!(!manager
        .get("/dashboard/list/followups?filter=needs_owner")
        .await
        .body
        .contains("Ring datteren om avlastning"));
}

/// A patient named as a formula reaches no spreadsheet as one.
#[rocket::async_test]
async fn exports_carry_formulas_as_text() {
    let app = common::start().await;
    let org = app.org().await;
    app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
    app.user("leder1", Role::Manager, Some(org.unit_a1)).await;
    app.login_as("ansatt1").await;
    let formula = "=HYPERLINK(\"http://eksempel.no\",\"Ola\")";
    app.patient(formula, "01.02.1940", org.unit_a1).await;
    app.patient("=1+1", "02.02.1940", org.unit_a1).await;
    app.patient("@SUM(A1) Hansen", "03.02.1940", org.unit_a1)
        .await;
    let manager = app.browser().await;
    manager.login_as("leder1").await;
    let csv = manager
        .get("/dashboard/list/patients?filter=all&format=csv")
        .await;
    assert_eq!(csv.status, Status::Ok);
    let text = String::from_utf8(csv.bytes.clone()).unwrap();
    let firsts: Vec<&str> = text
        .trim_start_matches('\u{feff}')
        .split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split(';').next().unwrap_or(""))
        .collect();
    assert_eq!(
        firsts,
        [
            "'=1+1",
            "\"'=HYPERLINK(\"\"http://eksempel.no\"\",\"\"Ola\"\")\"",
            "'@SUM(A1) Hansen"
        ]
    );
    let xlsx = manager
        .get("/dashboard/list/patients?filter=all&format=xlsx")
        .await;
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let names: Vec<Data> = sheet.rows().skip(1).map(|r| r[0].clone()).collect();
    assert_eq!(
        names,
        [
            Data::String("=1+1".into()),
            Data::String(formula.into()),
            Data::String("@SUM(A1) Hansen".into())
        ]
    );
    let formulas = book.worksheet_formula(&book.sheet_names()[0]).unwrap();
    assert!(
        formulas.cells().all(|(_, _, f)| f.is_empty()),
        "no formula cells"
    );
}

/// The identification outcome form, posted badly when an outcome is already registered,
/// comes back with 422 and what was typed.
#[rocket::async_test]
async fn a_bad_outcome_form_comes_back_also_when_an_outcome_exists() {
    let (app, _org, patient) = setup().await;
    let today = format_date(app.clock.today());
    // A day that never exists, in the application's year.
    let impossible = format!("31.02.{}", chrono::Datelike::year(&app.clock.today()));
    let first = app
        .post(
            &format!("/patients/{patient}/outcome"),
            &[
                ("outcome", "no_relatives"),
                ("outcome_on", &today),
                ("reason", "Ingen familie"),
            ],
        )
        .await;
    assert_eq!(first.status, Status::SeeOther, "{}", first.body);
    for fields in [
        vec![
            ("outcome", "declines"),
            ("outcome_on", impossible.as_str()),
            ("reason", "Ombestemt seg"),
        ],
        vec![
            ("outcome", "ukjent"),
            ("outcome_on", today.as_str()),
            ("reason", "x"),
        ],
        vec![],
    ] {
        let bad = app
            .post(&format!("/patients/{patient}/outcome"), &fields)
            .await;
        assert_eq!(bad.status, Status::UnprocessableEntity, "{fields:?}");
        assert!(bad
            .body
            .contains("Registrert utfall: Pasienten har ingen pårørende"));
        assert!(bad.body.contains("name=\"outcome_on\""), "the form is back");
    }
    let bad = app
        .post(
            &format!("/patients/{patient}/outcome"),
            &[
                ("outcome", "declines"),
                ("outcome_on", impossible.as_str()),
                ("reason", "Ombestemt seg"),
            ],
        )
        .await;
    assert!(
        bad.body.contains(&format!("value=\"{impossible}\""))
            && bad.body.contains("Ombestemt seg</textarea>")
    );
    assert_eq!(
        app.text(&format!(
            "SELECT identify_outcome FROM patients WHERE id = {patient}"
        ))
        .await,
        "no_relatives"
    );
}

/// Guessing the current password when changing it: the same throttle as the login, and the
/// lock-out ends the session.
#[rocket::async_test]
async fn the_current_password_is_throttled_like_the_login() {
    let (app, _org, _patient) = setup().await;
    for n in 1..=4 {
        let wrong = app
            .post(
                "/account/password",
                &[
                    ("current", "gjetter-feil-passord"),
                    ("new_password", "blåbær-ørret-ærfugl"),
                    ("confirm", "blåbær-ørret-ærfugl"),
                ],
            )
            .await;
        assert_eq!(wrong.status, Status::UnprocessableEntity, "attempt {n}");
        assert_eq!(
            error_for(&wrong.body, "current"),
            "Nåværende passord er feil."
        );
    }
    let locked = app
        .post(
            "/account/password",
            &[
                ("current", "gjetter-feil-passord"),
                ("new_password", "blåbær-ørret-ærfugl"),
                ("confirm", "blåbær-ørret-ærfugl"),
            ],
        )
        .await;
    assert!(locked.redirects_to("/login"), "{:?}", locked.location);
    assert!(app.get("/followups").await.redirects_to("/login"));
    let page = app.get("/login").await;
    assert!(
        page.body.contains("For mange mislykkede innlogginger"),
        "{}",
        page.body
    );
    // The right password does not open the account while it is locked.
    let refused = app.login("ansatt1", common::PASSWORD).await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'ansatt1' AND s.ended_at IS NULL").await,
        0
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM access_log WHERE username = 'ansatt1' AND action IN ('login_failed', 'locked')").await,
        6
    );
    // After the lock-out the right password works again.
    app.clock.advance(chrono::Duration::minutes(16));
    assert!(app
        .login("ansatt1", common::PASSWORD)
        .await
        .redirects_to("/"));
}

/// A one-minute idle setting holds to within a few seconds: steady use keeps the session
/// open, a minute without requests ends it.
#[rocket::async_test]
async fn the_idle_timeout_holds_to_the_configured_time() {
    let app = common::start_with(|s| s.session_idle_minutes = 1).await;
    let org = app.org().await;
    app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
    app.login_as("ansatt1").await;
    for _ in 0..10 {
        app.clock.advance(chrono::Duration::seconds(55));
        let page = app.get("/followups").await;
        assert_eq!(
            page.status,
            Status::Ok,
            "a request every 55 s keeps the session"
        );
    }
    app.clock.advance(chrono::Duration::seconds(58));
    assert_eq!(app.get("/followups").await.status, Status::Ok);
    app.clock.advance(chrono::Duration::seconds(62));
    assert!(app
        .get("/followups")
        .await
        .redirects_to("/login?reason=idle"));
}

/// Guessable passwords, and passwords built from one's own name, are refused with a reason.
#[rocket::async_test]
async fn guessable_passwords_are_refused_with_a_reason() {
    let (app, _org, _patient) = setup().await;
    for (new, why) in [
        ("Sommer2026!!", "Passordet er for lett å gjette"),
        ("qwertyuiop123", "Passordet er for lett å gjette"),
        (
            "ansatt1ansatt1",
            "Passordet kan ikke inneholde brukernavnet eller navnet ditt.",
        ),
    ] {
        let reply = app
            .post(
                "/account/password",
                &[
                    ("current", common::PASSWORD),
                    ("new_password", new),
                    ("confirm", new),
                ],
            )
            .await;
        assert_eq!(reply.status, Status::UnprocessableEntity, "{new}");
        assert!(
            error_for(&reply.body, "new_password").starts_with(why),
            "{new}"
        );
    }
    let ok = app
        .post(
            "/account/password",
            &[
                ("current", common::PASSWORD),
                ("new_password", "blåbær-ørret-ærfugl"),
                ("confirm", "blåbær-ørret-ærfugl"),
            ],
        )
        .await;
    assert!(ok.redirects_to("/login"));
}

/// Every cookie is HttpOnly, and Secure behind TLS, where HSTS is sent too.
#[rocket::async_test]
async fn cookies_are_http_only_and_secure_behind_tls() {
    for behind_tls in [false, true] {
        let app = common::start_with(|s| s.behind_tls = behind_tls).await;
        let org = app.org().await;
        app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
        let page = app.client.get("/login").dispatch().await;
        let hsts = page
            .headers()
            .get_one("Strict-Transport-Security")
            .map(str::to_string);
        drop(page);
        assert_eq!(
            hsts.as_deref(),
            behind_tls.then_some("max-age=31536000; includeSubDomains"),
            "HSTS behind TLS: {behind_tls}"
        );
        let token = app.csrf().await;
        let res = app
            .client
            .post("/login")
            .header(rocket::http::ContentType::Form)
            .body(common::form_body(&[
                ("username", "ansatt1"),
                ("password", common::PASSWORD),
                ("csrf_token", &token),
            ]))
            .dispatch()
            .await;
        let cookies: Vec<String> = res
            .headers()
            .get("Set-Cookie")
            .map(str::to_string)
            .collect();
        drop(res);
        let flash = cookies
            .iter()
            .find(|c| c.starts_with("_flash="))
            .expect("the welcome message is a flash cookie");
        assert!(flash.contains("HttpOnly"), "{flash}");
        assert_eq!(flash.contains("Secure"), behind_tls, "{flash}");
        for c in &cookies {
            assert!(c.contains("HttpOnly"), "{c}");
            assert_eq!(c.contains("Secure"), behind_tls, "{c}");
        }
        // The flash message is still read and shown once.
        let home = app.get("/followups").await;
        assert!(
            home.body.contains("Velkommen, Test ansatt1."),
            "{}",
            home.body
        );
    }
}

/// Direction overrides and zero-width characters never reach a stored name.
#[rocket::async_test]
async fn invisible_direction_characters_are_stripped_from_names() {
    let (app, org, patient) = setup().await;
    let spoof = "Kari \u{202E}nnamdroN\u{202C}\u{200B}";
    let id = app.patient(spoof, "01.02.1950", org.unit_a1).await;
    assert_eq!(
        app.text(&format!("SELECT full_name FROM patients WHERE id = {id}"))
            .await,
        "Kari nnamdroN"
    );
    let r = app
        .post(
            &format!("/patients/{patient}/relatives"),
            &relative("\u{2066}Ola\u{2069} \u{200F}Hansen", &[]),
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    assert_eq!(
        app.text("SELECT full_name FROM relatives ORDER BY id DESC LIMIT 1")
            .await,
        "Ola Hansen"
    );
}

/// The answers of error catchers carry the security headers: a request Rocket cannot route
/// (400 through its catcher) and an address longer than Samspill answers (414).
#[rocket::async_test]
async fn long_addresses_get_a_414_page_with_the_headers() {
    let app = common::start().await;
    let long = format!("/patients?q={}", "a".repeat(9000));
    let res = app.client.get(long).dispatch().await;
    assert_eq!(res.status(), Status::UriTooLong);
    let h = res.headers();
    assert!(h
        .get_one("Content-Security-Policy")
        .is_some_and(|c| c.contains("frame-ancestors 'none'")));
    assert_eq!(h.get_one("X-Content-Type-Options"), Some("nosniff"));
    assert_eq!(h.get_one("X-Frame-Options"), Some("DENY"));
    let body = res.into_string().await.unwrap_or_default();
    assert!(body.contains("For lang adresse"), "{body}");
    // A long address on a post changes nothing and is answered the same.
    let res = app
        .client
        .post(format!("/patients?x={}", "a".repeat(9000)))
        .header(rocket::http::ContentType::Form)
        .header(Header::new("X-Test", "1"))
        .body("full_name=x")
        .dispatch()
        .await;
    assert_eq!(res.status(), Status::UriTooLong);
}

#[rocket::async_test]
async fn a_consent_or_an_outcome_dated_tomorrow_is_refused_with_what_was_typed() {
    let (app, _org, patient) = setup().await;
    let tomorrow = format_date(app.clock.today() + chrono::Duration::days(1));
    let today = format_date(app.clock.today());

    // Registering a relative with tomorrow's consent stores nothing.
    let fields = relative("Dina Datter", &[("consent_on", tomorrow.as_str())]);
    let r = app
        .post(&format!("/patients/{patient}/relatives"), &fields)
        .await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&r.body, "consent_on"),
        "Samtykkedatoen kan ikke være fram i tid."
    );
    assert!(r.body.contains("value=\"Dina Datter\""));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM relatives").await, 0);

    // A new consent for a registered relative, dated tomorrow.
    let ok = app
        .post(
            &format!("/patients/{patient}/relatives"),
            &relative("Dina Datter", &[]),
        )
        .await;
    assert_eq!(ok.status, Status::SeeOther, "{}", ok.body);
    let id = app.scalar("SELECT MAX(id) FROM relatives").await;
    let before = count(&app, "SELECT COUNT(*) FROM consents").await;
    let r = app
        .post(
            &format!("/relatives/{id}/consent"),
            &[
                ("scope", "limited"),
                ("topics", "Bare praktiske avtaler"),
                ("on", tomorrow.as_str()),
                ("how", "Muntlig"),
            ],
        )
        .await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&r.body, "on"),
        "Samtykkedatoen kan ikke være fram i tid."
    );
    assert!(r.body.contains("Bare praktiske avtaler"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM consents").await, before);

    // The identification's outcome, dated tomorrow, then today.
    let outcome = |on: String| {
        let app = &app;
        async move {
            app.post(
                &format!("/patients/{patient}/outcome"),
                &[
                    ("outcome", "declines"),
                    ("outcome_on", on.as_str()),
                    ("reason", "Ønsker ikke at familien involveres"),
                ],
            )
            .await
        }
    };
    let r = outcome(tomorrow.clone()).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&r.body, "outcome_on"),
        "Datoen for utfallet kan ikke være fram i tid."
    );
    assert!(r.body.contains("Ønsker ikke at familien involveres"));
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM patients WHERE id = {patient} AND identify_outcome IS NOT NULL")
        )
        .await,
        0
    );
    assert_eq!(outcome(today).await.status, Status::SeeOther);
}
