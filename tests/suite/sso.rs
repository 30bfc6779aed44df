//! Signing in through the municipality's identity provider (OpenID Connect), against a
//! provider on loopback that the test controls (`common::oidc`).

use crate::common::oidc::{fixture, Grant, Provider, CLIENT_ID, CLIENT_SECRET};
use crate::common::{error_for, start_with, Org, TestApp, PASSWORD};
use openidconnect::url::Url;
use rocket::http::Status;
use samspill::config::Settings;
use samspill::domain::user::Role;
use serde_json::{json, Value};
use std::collections::HashMap;

fn configure(provider: &Provider, s: &mut Settings) {
    s.oidc_issuer = Some(provider.issuer.clone());
    s.oidc_client_id = Some(CLIENT_ID.into());
    s.oidc_client_secret = Some(CLIENT_SECRET.into());
    s.oidc_display_name = Some("Kommunens innlogging".into());
    s.public_url = Some("http://samspill.test".into());
}

async fn app_with(provider: &Provider, change: impl FnOnce(&mut Settings)) -> (TestApp, Org) {
    let app = start_with(|s| {
        configure(provider, s);
        change(s);
    })
    .await;
    let org = app.org().await;
    app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
    // A patient of the worker's unit, registered while the password form is open to her.
    if app.login("ansatt1", PASSWORD).await.redirects_to("/") {
        app.patient("Per Nordmann", "01.02.1940", org.unit_a1).await;
        app.logout().await;
    }
    (app, org)
}

/// Links `username` to the provider's `subject`, as the administrator's form does (tested
/// on its own below).
async fn link(app: &TestApp, provider: &Provider, username: &str, subject: &str) {
    app.exec(&format!(
        "INSERT INTO user_identities (issuer, subject, user_id, linked_at)
         SELECT '{}', '{subject}', id, created_at FROM users WHERE username = '{username}'",
        provider.issuer
    ))
    .await;
}

/// The sign-in started at Samspill: the provider's address and its query.
struct Started {
    location: Url,
    query: HashMap<String, String>,
}

async fn begin(app: &TestApp) -> Started {
    let reply = app.get("/login/sso").await;
    assert_eq!(reply.status, Status::SeeOther, "{}", reply.body);
    let location = Url::parse(reply.location.as_deref().unwrap()).unwrap();
    let query = location.query_pairs().into_owned().collect();
    Started { location, query }
}

/// A parameter of the authorization request: in the browser's address, or in the request
/// pushed to the provider when the address carries only its reference.
fn param(started: &Started, provider: &Provider, name: &str) -> String {
    match started.query.get("request_uri") {
        Some(uri) => provider.pushed(uri).unwrap()[name].clone(),
        None => started.query[name].clone(),
    }
}

/// Valid claims for `subject` in this sign-in, on the application's clock.
fn claims(app: &TestApp, provider: &Provider, started: &Started, subject: &str) -> Value {
    let now = app.clock.now().timestamp();
    json!({
        "iss": provider.issuer,
        "aud": CLIENT_ID,
        "sub": subject,
        "iat": now,
        "exp": now + 300,
        "nonce": param(started, provider, "nonce"),
        "name": "Kari Nordmann",
        "email": "kari.nordmann@kommune.no",
    })
}

/// Comes back from the provider with `code`, which the provider answers with `claims`.
async fn come_back(
    app: &TestApp,
    provider: &Provider,
    started: &Started,
    code: &str,
    claims: Value,
    tamper: bool,
) -> crate::common::Reply {
    provider.grant(
        code,
        Grant {
            claims,
            code_challenge: param(started, provider, "code_challenge"),
            tamper,
        },
    );
    let state = param(started, provider, "state");
    app.get(&format!("/login/sso/callback?code={code}&state={state}"))
        .await
}

async fn sign_in(app: &TestApp, provider: &Provider, subject: &str) -> crate::common::Reply {
    let started = begin(app).await;
    let c = claims(app, provider, &started, subject);
    come_back(app, provider, &started, "code-ok", c, false).await
}

async fn signed_in(app: &TestApp) -> bool {
    app.get("/account/password").await.status == Status::Ok
}

async fn count(app: &TestApp, action: &str) -> i64 {
    app.scalar(&format!(
        "SELECT COUNT(*) FROM access_log WHERE action = '{action}'"
    ))
    .await
}

#[rocket::async_test]
async fn a_worker_signs_in_through_the_provider_and_lands_on_their_start_page() {
    let provider = Provider::start();
    let (app, org) = app_with(&provider, |_| {}).await;
    link(&app, &provider, "ansatt1", "kari-1").await;

    // The login page offers the provider first, the password form below it.
    let page = app.get("/login").await;
    let button = page.body.find("Logg inn med Kommunens innlogging").unwrap();
    let form = page.body.find("name=\"password\"").unwrap();
    assert!(button < form);

    let started = begin(&app).await;
    assert_eq!(
        started.location.as_str().split('?').next(),
        Some(format!("{}/auth", provider.issuer).as_str())
    );
    assert_eq!(started.query["response_type"], "code");
    assert_eq!(started.query["client_id"], CLIENT_ID);
    assert_eq!(started.query["code_challenge_method"], "S256");
    assert_eq!(
        started.query["redirect_uri"],
        "http://samspill.test/login/sso/callback"
    );
    assert!(started.query["scope"].split(' ').any(|s| s == "openid"));
    assert!(started.query["state"].len() >= 16 && started.query["nonce"].len() >= 16);

    let c = claims(&app, &provider, &started, "kari-1");
    let back = come_back(&app, &provider, &started, "code-1", c, false).await;
    assert_eq!(back.status, Status::Ok, "{}", back.body);
    assert!(back
        .body
        .contains("<meta http-equiv=\"refresh\" content=\"0;url=/\">"));
    assert!(signed_in(&app).await);
    let home = app.get("/").await;
    assert!(home.redirects_to("/today"), "{:?}", home.location);
    assert!(app.get("/today").await.body.contains("Test ansatt1"));
    // The code was exchanged with the secret and the PKCE verifier (the provider checks both).
    assert_eq!(provider.refused(), Vec::<String>::new());
    assert_eq!(provider.token_requests().len(), 1);
    assert_eq!(
        app.text("SELECT detail FROM access_log WHERE action = 'login' ORDER BY id DESC LIMIT 1")
            .await,
        "innlogget via Kommunens innlogging"
    );

    // Logging out ends the session here and sends the browser on to end the provider's.
    let out = app.logout().await;
    let to = Url::parse(out.location.as_deref().unwrap()).unwrap();
    assert_eq!(
        to.as_str().split('?').next(),
        Some(format!("{}/session/end", provider.issuer).as_str())
    );
    let q: HashMap<String, String> = to.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(
        q["post_logout_redirect_uri"],
        "http://samspill.test/login?reason=ended"
    );
    assert!(!signed_in(&app).await);
    // The district's manager finds the sign-in and the logout in the access log review.
    app.user("leder", Role::Manager, Some(org.unit_a1)).await;
    app.login_as("leder").await;
    let review = app.get("/audit?user=ansatt1").await;
    assert!(
        review.body.contains("innlogget via Kommunens innlogging"),
        "{}",
        review.body
    );
    assert!(review
        .body
        .contains("logget ut, også hos identitetsleverandøren"));
    assert_eq!(
        app.text("SELECT detail FROM access_log WHERE action = 'logout' AND username = 'ansatt1' ORDER BY id DESC LIMIT 1")
            .await,
        "logget ut, også hos identitetsleverandøren"
    );
}

#[rocket::async_test]
async fn tokens_that_do_not_hold_up_are_refused_and_logged() {
    let provider = Provider::start();
    let other = Provider::start();
    let (app, _org) = app_with(&provider, |_| {}).await;
    link(&app, &provider, "ansatt1", "kari-1").await;
    let now = app.clock.now().timestamp();
    let logins = count(&app, "login").await;
    type Spoil = fn(&mut Value, i64, &str);
    let cases: [(&str, Spoil, bool); 5] = [
        ("tampered", |_, _, _| {}, true),
        (
            "wrong audience",
            |c, _, _| c["aud"] = json!("another-app"),
            false,
        ),
        (
            "expired",
            |c, now, _| {
                c["iat"] = json!(now - 900);
                c["exp"] = json!(now - 600);
            },
            false,
        ),
        (
            "wrong nonce",
            |c, _, _| c["nonce"] = json!("not-this-sign-in"),
            false,
        ),
        ("other issuer", |c, _, other| c["iss"] = json!(other), false),
    ];
    for (i, (what, spoil, tamper)) in cases.into_iter().enumerate() {
        let started = begin(&app).await;
        let mut c = claims(&app, &provider, &started, "kari-1");
        spoil(&mut c, now, &other.issuer);
        let failed_before = count(&app, "login_failed").await;
        let back = come_back(&app, &provider, &started, &format!("code-{i}"), c, tamper).await;
        assert_eq!(back.status, Status::Forbidden, "{what}");
        assert!(
            back.body.contains("Innloggingen ble ikke fullført"),
            "{what}"
        );
        assert!(!signed_in(&app).await, "{what}");
        assert_eq!(
            count(&app, "login_failed").await,
            failed_before + 1,
            "{what}"
        );
    }
    assert_eq!(count(&app, "login").await, logins);

    // A state that was used once, or never issued, finds nothing.
    let started = begin(&app).await;
    let c = claims(&app, &provider, &started, "kari-1");
    let ok = come_back(&app, &provider, &started, "code-ok", c, false).await;
    assert_eq!(ok.status, Status::Ok);
    app.exec("UPDATE sessions SET ended_at = created_at").await;
    // Replayed with the state's cookie put back, as an attacker who kept both would.
    let used = param(&started, &provider, "state");
    let again = app
        .client
        .get(format!("/login/sso/callback?code=code-again&state={used}"))
        .private_cookie(
            rocket::http::Cookie::build(("samspill_sso", used.clone())).path("/login/sso"),
        )
        .dispatch()
        .await;
    assert_eq!(again.status(), Status::Forbidden);
    assert!(!signed_in(&app).await);
    let forged = app.get("/login/sso/callback?code=x&state=made-up").await;
    assert_eq!(forged.status, Status::Forbidden);
    let details: Vec<String> = {
        let n = count(&app, "login_failed").await;
        let mut v = Vec::new();
        for i in 0..n {
            v.push(
                app.text(&format!(
                    "SELECT detail FROM access_log WHERE action = 'login_failed' ORDER BY id LIMIT 1 OFFSET {i}"
                ))
                .await,
            );
        }
        v
    };
    assert_eq!(details.len(), 7, "{details:?}");
    assert!(details[1].contains("aud"), "{details:?}");
    assert!(details[2].contains("Expired"), "{details:?}");
    assert!(details[3].contains("nonce"), "{details:?}");
    assert!(details[4].contains("issuer"), "{details:?}");
    assert!(details[5].contains("state er brukt"), "{details:?}");
    assert!(details[6].contains("state stemmer ikke"), "{details:?}");
}

#[rocket::async_test]
async fn an_unknown_person_gets_no_patient_data_and_waits_for_an_administrator() {
    let provider = Provider::start();
    let (app, org) = app_with(&provider, |s| s.oidc_pending_accounts = true).await;
    let patient = app.scalar("SELECT MAX(id) FROM patients").await;
    let reply = sign_in(&app, &provider, "ola-9").await;
    assert_eq!(reply.status, Status::Forbidden);
    assert!(reply
        .body
        .contains("Du har ikke tilgang ennå — kontakt administrator"));
    assert!(!signed_in(&app).await);
    for path in ["/patients", &format!("/patients/{patient}")] {
        let r = app.get(path).await;
        assert_eq!(r.status, Status::SeeOther, "{path}");
        assert!(!r.body.contains("Per Nordmann"));
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM pending_identities").await,
        1
    );

    // The administrator gives a role and unit; the person then signs in.
    app.user("admin", Role::Admin, None).await;
    app.login_as("admin").await;
    // The refused sign-in is in the administrators' security log, with its reason.
    let security = app.get("/admin/security").await;
    assert!(
        security
            .body
            .contains("innlogging via Kommunens innlogging: ingen konto for «Kari Nordmann» (ola-9); venter på godkjenning"),
        "{}",
        security.body
    );
    let list = app.get("/admin/sso").await;
    assert!(list.body.contains("ola-9") && list.body.contains("Kari Nordmann"));
    let pending = app.scalar("SELECT id FROM pending_identities").await;
    let unit = org.unit_a1.to_string();
    let bad = app
        .post(
            &format!("/admin/sso/pending/{pending}"),
            &[
                ("username", "ansatt1"),
                ("name", "Kari Nordmann"),
                ("role", "worker"),
                ("unit_id", &unit),
                ("phone", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&bad.body, "username"),
        "Brukernavnet er allerede i bruk."
    );
    assert!(bad.body.contains("value=\"Kari Nordmann\""));
    let ok = app
        .post(
            &format!("/admin/sso/pending/{pending}"),
            &[
                ("username", "kari"),
                ("name", "Kari Nordmann"),
                ("role", "worker"),
                ("unit_id", &unit),
                ("phone", ""),
            ],
        )
        .await;
    assert!(ok.redirects_to("/admin/sso"), "{}", ok.body);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM pending_identities").await,
        0
    );
    app.logout().await;
    // No password opens the new account.
    assert_eq!(
        app.login("kari", "").await.status,
        Status::UnprocessableEntity
    );
    let reply = sign_in(&app, &provider, "ola-9").await;
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    assert!(app.get("/patients").await.body.contains("Per Nordmann"));
}

#[rocket::async_test]
async fn an_administrator_links_a_local_account_to_an_identity() {
    let provider = Provider::start();
    let (app, _org) = app_with(&provider, |_| {}).await;
    app.user("admin", Role::Admin, None).await;
    app.login_as("admin").await;
    let kari = app
        .scalar("SELECT id FROM users WHERE username = 'ansatt1'")
        .await
        .to_string();
    let empty = app
        .post("/admin/sso/links", &[("user_id", &kari), ("subject", "")])
        .await;
    assert_eq!(empty.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&empty.body, "subject"),
        "Skriv inn identiteten hos leverandøren."
    );
    let ok = app
        .post(
            "/admin/sso/links",
            &[("user_id", &kari), ("subject", "kari-1")],
        )
        .await;
    assert!(ok.redirects_to("/admin/sso"), "{}", ok.body);
    assert!(app
        .text("SELECT detail FROM access_log WHERE entity = 'user' ORDER BY id DESC LIMIT 1")
        .await
        .contains("knyttet kontoen ansatt1 til identiteten «kari-1»"));
    app.logout().await;
    assert_eq!(sign_in(&app, &provider, "kari-1").await.status, Status::Ok);
    assert!(signed_in(&app).await);
    // The local password still works for a linked account.
    app.logout().await;
    app.login_as("ansatt1").await;
    app.logout().await;
    // A deactivated account is refused at the provider's door as at the password form.
    app.exec("UPDATE users SET active = FALSE WHERE username = 'ansatt1'")
        .await;
    let refused = sign_in(&app, &provider, "kari-1").await;
    assert_eq!(refused.status, Status::Forbidden);
    assert!(!signed_in(&app).await);
    assert!(app
        .text(
            "SELECT detail FROM access_log WHERE action = 'login_failed' ORDER BY id DESC LIMIT 1"
        )
        .await
        .ends_with("kontoen er deaktivert"));
}

#[rocket::async_test]
async fn the_provider_rotating_its_signing_key_does_not_break_sign_in() {
    let provider = Provider::start();
    let (app, _org) = app_with(&provider, |_| {}).await;
    link(&app, &provider, "ansatt1", "kari-1").await;
    assert_eq!(sign_in(&app, &provider, "kari-1").await.status, Status::Ok);
    app.logout().await;
    provider.rotate_key();
    let reply = sign_in(&app, &provider, "kari-1").await;
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    assert!(signed_in(&app).await);
}

#[rocket::async_test]
async fn pushed_requests_and_a_signed_client_assertion_when_the_provider_asks_for_them() {
    let provider = Provider::start_with(true, true);
    let key = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(key.path(), fixture("client")).unwrap();
    let path = key.path().display().to_string();
    let (app, _org) = app_with(&provider, |s| {
        s.oidc_client_secret = None;
        s.oidc_client_key_file = Some(path);
    })
    .await;
    link(&app, &provider, "ansatt1", "kari-1").await;
    let started = begin(&app).await;
    // The browser carries only the client and the pushed request's reference.
    let mut keys: Vec<&String> = started.query.keys().collect();
    keys.sort();
    assert_eq!(keys, ["client_id", "request_uri"]);
    let pushed = provider.pushed(&started.query["request_uri"]).unwrap();
    assert_eq!(pushed["code_challenge_method"], "S256");
    assert!(pushed.contains_key("client_assertion"));
    let c = claims(&app, &provider, &started, "kari-1");
    let back = come_back(&app, &provider, &started, "code-par", c, false).await;
    assert_eq!(back.status, Status::Ok, "{}", back.body);
    assert_eq!(provider.refused(), Vec::<String>::new());
    let token = &provider.token_requests()[0];
    assert!(token.contains_key("client_assertion"));
    assert_eq!(token["client_id"], CLIENT_ID);
    assert!(signed_in(&app).await);
}

#[rocket::async_test]
async fn with_local_login_off_only_the_break_glass_administrator_uses_a_password() {
    let provider = Provider::start();
    let (app, _org) = app_with(&provider, |s| {
        s.local_login = false;
        s.break_glass_admin = Some("nodadmin".into());
    })
    .await;
    app.user("nodadmin", Role::Admin, None).await;
    let page = app.get("/login").await;
    assert!(page.body.contains("Nødtilgang for administrator"));
    let refused = app.login("ansatt1", PASSWORD).await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&refused.body, "username"),
        "Innlogging med passord er slått av. Logg inn med Kommunens innlogging."
    );
    assert!(!signed_in(&app).await);
    assert_eq!(
        app.text("SELECT detail FROM access_log WHERE action = 'login_failed'")
            .await,
        "innlogging med passord er slått av"
    );
    app.login_as("nodadmin").await;
    assert!(signed_in(&app).await);
}
