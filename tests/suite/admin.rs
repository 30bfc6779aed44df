//! Administration of districts, units and accounts.

use crate::common::{self, PASSWORD};
use rocket::http::Status;
use samspill::domain::user::Role;

#[rocket::async_test]
async fn an_administrator_builds_the_organisation_and_adds_staff() {
    let app = common::start().await;
    app.user("admin", Role::Admin, None).await;
    app.login_as("admin").await;

    let empty = app.post("/admin/districts", &[("name", "  ")]).await;
    assert_eq!(empty.status, Status::UnprocessableEntity);
    assert!(empty.body.contains("Skriv inn navnet på bydelen."));
    assert!(app
        .post("/admin/districts", &[("name", "Bydel  Frogner")])
        .await
        .redirects_to("/admin/districts"));
    let dup = app
        .post("/admin/districts", &[("name", "Bydel Frogner")])
        .await;
    assert!(dup
        .body
        .contains("Det finnes allerede en bydel med dette navnet."));
    let district = app
        .scalar("SELECT id FROM districts WHERE name = 'Bydel Frogner'")
        .await
        .to_string();

    let no_district = app
        .post(
            "/admin/units",
            &[("name", "Hjemmetjenesten Frogner"), ("district_id", "")],
        )
        .await;
    assert!(no_district
        .body
        .contains("Velg bydelen tjenestestedet hører til."));
    assert!(no_district
        .body
        .contains("value=\"Hjemmetjenesten Frogner\""));
    assert!(app
        .post(
            "/admin/units",
            &[
                ("name", "Hjemmetjenesten Frogner"),
                ("district_id", &district)
            ]
        )
        .await
        .redirects_to("/admin/units"));
    let unit = app.scalar("SELECT id FROM units").await.to_string();

    let bad = app
        .post(
            "/admin/users",
            &[
                ("username", "kari nordmann"),
                ("name", "Kari"),
                ("role", "worker"),
                ("unit_id", ""),
                ("password", "kort"),
            ],
        )
        .await;
    assert_eq!(bad.status, Status::UnprocessableEntity);
    assert!(bad.body.contains("Brukernavnet kan bare inneholde"));
    assert!(bad.body.contains("Velg tjenestested."));
    assert!(bad.body.contains("Passordet må ha minst 12 tegn."));
    let created = app
        .post(
            "/admin/users",
            &[
                ("username", "kari"),
                ("name", "Kari Nordmann"),
                ("role", "worker"),
                ("unit_id", &unit),
                ("phone", "91234567"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(created.status, Status::SeeOther, "{}", created.body);
    let taken = app
        .post(
            "/admin/users",
            &[
                ("username", "Kari"),
                ("name", "Kari To"),
                ("role", "worker"),
                ("unit_id", &unit),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert!(taken.body.contains("Brukernavnet er allerede i bruk."));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM access_log WHERE entity = 'user' AND action = 'create'")
            .await,
        1
    );

    let kari = app.browser().await;
    kari.login_as("kari").await;
    assert!(kari
        .get("/patients")
        .await
        .body
        .contains("Hjemmetjenesten Frogner"));
}

#[rocket::async_test]
async fn an_administrator_resets_a_password_and_the_user_is_logged_out() {
    let app = common::start().await;
    let org = app.org().await;
    let id = app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
    app.user("admin", Role::Admin, None).await;
    let worker = app.browser().await;
    worker.login_as("ansatt1").await;
    app.login_as("admin").await;
    let short = app
        .post(
            &format!("/admin/users/{id}/password"),
            &[("new_password", "kort")],
        )
        .await;
    assert!(short.body.contains("Passordet må ha minst 12 tegn."));
    let ok = app
        .post(
            &format!("/admin/users/{id}/password"),
            &[("new_password", "helt-nytt-passord-1")],
        )
        .await;
    assert!(ok.redirects_to(&format!("/admin/users/{id}")));
    assert!(worker
        .get("/patients")
        .await
        .location
        .unwrap()
        .starts_with("/login"));
    assert!(worker
        .login("ansatt1", "helt-nytt-passord-1")
        .await
        .redirects_to("/"));
}

#[rocket::async_test]
async fn changing_a_users_unit_takes_effect_at_once() {
    let app = common::start().await;
    let org = app.org().await;
    let id = app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
    app.user("admin", Role::Admin, None).await;
    app.login_as("admin").await;
    let unit = org.unit_b1.to_string();
    let reply = app
        .post(
            &format!("/admin/users/{id}"),
            &[
                ("name", "Test ansatt1"),
                ("role", "manager"),
                ("unit_id", &unit),
            ],
        )
        .await;
    assert!(
        reply.redirects_to(&format!("/admin/users/{id}")),
        "{}",
        reply.body
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM users WHERE id = {id} AND role = 'manager'"
        ))
        .await,
        1
    );
    let me = app
        .scalar("SELECT id FROM users WHERE username = 'admin'")
        .await;
    let demote = app
        .post(
            &format!("/admin/users/{me}"),
            &[("name", "Admin"), ("role", "worker"), ("unit_id", &unit)],
        )
        .await;
    assert!(demote
        .body
        .contains("Du kan ikke ta fra deg selv administratorrollen."));
}
