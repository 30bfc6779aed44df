//! Patients: registration with field-level validation, search, paging, editing, archiving
//! and the access log.

use crate::common;
use rocket::http::Status;
use samspill::domain::user::Role;

async fn worker_app() -> (common::TestApp, common::Org) {
    let app = common::start().await;
    let org = app.org().await;
    app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
    app.login_as("ansatt1").await;
    (app, org)
}

fn patient_form<'a>(unit: &'a str, overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("full_name", "Kari Nordmann"),
        ("birth_date", "15.03.1985"),
        ("fnr", "15038512363"),
        ("phone", "912 34 567"),
        ("address", "Storgata 1\n0155 Oslo"),
        ("services", "Hjemmesykepleie morgen og kveld"),
        ("unit_id", unit),
    ];
    for (k, v) in overrides {
        if let Some(f) = fields.iter_mut().find(|(name, _)| name == k) {
            f.1 = v;
        }
    }
    fields
}

#[rocket::async_test]
async fn a_worker_registers_edits_and_archives_a_patient() {
    let (app, org) = worker_app().await;
    let unit = org.unit_a1.to_string();
    let created = app.post("/patients", &patient_form(&unit, &[])).await;
    assert_eq!(created.status, Status::SeeOther);
    let path = created.location.unwrap();
    let page = app.get(&path).await;
    assert_eq!(page.status, Status::Ok);
    assert!(page.body.contains("Kari Nordmann"));
    assert!(page.body.contains("15.03.1985"));
    assert!(page.body.contains("+47 91 23 45 67"));
    assert!(page.body.contains("Pasienten er registrert."));

    let edited = app
        .post(
            &path,
            &patient_form(
                &unit,
                &[
                    ("full_name", "Kari  Marie Nordmann"),
                    ("phone", "+46 70 123 45 67"),
                ],
            ),
        )
        .await;
    assert!(edited.redirects_to(&path));
    let page = app.get(&path).await;
    assert!(page.body.contains("Kari Marie Nordmann"));
    assert!(page.body.contains("+46701234567"));

    // Archiving asks why.
    let why = app.post(&format!("{path}/archive"), &[]).await;
    assert_eq!(why.status, Status::UnprocessableEntity);
    assert_eq!(
        crate::common::error_for(&why.body, "archive_reason"),
        "Velg hvorfor pasienten arkiveres."
    );
    assert!(!why.body.contains("<details id=\"ny-oppfolging\" open>"));
    assert!(app
        .post(&format!("{path}/archive"), &[("archive_reason", "moved")])
        .await
        .redirects_to(&path));
    assert!(app.get(&path).await.body.contains("Pasienten ble arkivert"));
    assert!(!app
        .get("/patients")
        .await
        .body
        .contains("Kari Marie Nordmann"));
    assert!(app
        .get("/patients?archived=1")
        .await
        .body
        .contains("Kari Marie Nordmann"));
    assert!(app
        .post(&format!("{path}/restore"), &[])
        .await
        .redirects_to(&path));
    assert!(app
        .get("/patients")
        .await
        .body
        .contains("Kari Marie Nordmann"));
    // Never deleted.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM patients").await, 1);
}

/// Posts the form with one field changed and returns the message shown for that field.
async fn message_for(app: &common::TestApp, unit: &str, field: &str, value: &str) -> String {
    let reply = app
        .post("/patients", &patient_form(unit, &[(field, value)]))
        .await;
    assert_eq!(reply.status, Status::UnprocessableEntity, "{field}={value}");
    let marker = format!("id=\"{field}-error\"><span class=\"visually-hidden\">Feil: </span>");
    let at = reply
        .body
        .find(&marker)
        .unwrap_or_else(|| panic!("no message for {field}={value}"));
    let rest = &reply.body[at + marker.len()..];
    let message = rest[..rest.find("</p>").unwrap()].to_string();
    // The error summary links to the field, and what was typed comes back.
    assert!(reply.body.contains(&format!("href=\"#{field}\"")));
    assert!(reply.body.contains("aria-invalid=\"true\""));
    message
}

#[rocket::async_test]
async fn every_bad_field_gets_a_norwegian_message_and_nothing_is_saved() {
    let (app, org) = worker_app().await;
    let unit = org.unit_a1.to_string();
    let tomorrow = app.date_in(1);
    let cases: Vec<(&str, &str, &str)> = vec![
        ("full_name", "   ", "Skriv inn pasientens fulle navn."),
        ("birth_date", "", "Skriv inn fødselsdato (dd.mm.åååå)."),
        ("birth_date", "31.02.1985", "Skriv fødselsdatoen som dd.mm.åååå, f.eks. 05.11.1948."),
        ("birth_date", tomorrow.as_str(), "Fødselsdatoen kan ikke være i fremtiden."),
        ("fnr", "1503851236", "Fødselsnummeret må bestå av nøyaktig 11 siffer."),
        ("fnr", "15038512364", "Fødselsnummeret er ikke gyldig (kontrollsifrene stemmer ikke)."),
        ("fnr", "01017012343", "Fødselsnummeret stemmer ikke med fødselsdatoen."),
        ("phone", "12345", "Skriv telefonnummeret med 8 siffer (f.eks. 912 34 567) eller med landkode (f.eks. +46 70 123 45 67)."),
        ("unit_id", "", "Velg tjenestestedet som gir pasienten tjenester."),
    ];
    for (field, value, expected) in cases {
        assert_eq!(
            message_for(&app, &unit, field, value).await,
            *expected,
            "{field}={value}"
        );
    }
    // A unit in another district cannot be chosen.
    let other = org.unit_b1.to_string();
    let reply = app.post("/patients", &patient_form(&other, &[])).await;
    assert_eq!(reply.status, Status::UnprocessableEntity);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM patients").await, 0);

    // What was typed comes back.
    let reply = app
        .post(
            "/patients",
            &patient_form(
                &unit,
                &[("fnr", "15038512364"), ("full_name", "Åse Ødegård")],
            ),
        )
        .await;
    assert!(reply.body.contains("value=\"Åse Ødegård\""));
    assert!(reply.body.contains("value=\"15038512364\""));
    assert!(reply.body.contains("Storgata 1\n0155 Oslo</textarea>"));
    assert!(reply.body.contains("<title>Feil i skjemaet"));
}

#[rocket::async_test]
async fn accepted_identity_numbers() {
    let (app, org) = worker_app().await;
    let unit = org.unit_a1.to_string();
    // An ordinary number, a synthetic test number (month + 80) and a D-number.
    for (fnr, birth) in [
        ("15038512363", "15.03.1985"),
        ("15898512379", "15.09.1985"),
        ("45038512386", "05.03.1985"),
    ] {
        let reply = app
            .post(
                "/patients",
                &patient_form(&unit, &[("fnr", fnr), ("birth_date", birth)]),
            )
            .await;
        assert_eq!(reply.status, Status::SeeOther, "{fnr}: {}", reply.body);
    }
    let duplicate = app.post("/patients", &patient_form(&unit, &[])).await;
    assert_eq!(duplicate.status, Status::UnprocessableEntity);
    assert!(duplicate
        .body
        .contains("Det er allerede registrert en pasient med dette fødselsnummeret."));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM patients").await, 3);
}

#[rocket::async_test]
async fn search_by_name_and_birth_date_in_norwegian_order_with_paging() {
    let (app, org) = worker_app().await;
    let names = ["Åse Ås", "Ola Ørn", "Per Ærø", "Eva Berg", "Anne Aas"];
    for name in names {
        app.patient(name, "01.01.1950", org.unit_a1).await;
    }
    app.patient("Berit Berg", "02.02.1945", org.unit_a1).await;
    let list = app.get("/patients").await;
    let order: Vec<usize> = ["Anne Aas", "Eva Berg", "Per Ærø", "Ola Ørn", "Åse Ås"]
        .iter()
        .map(|n| list.body.find(n).unwrap_or_else(|| panic!("{n} listed")))
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "Norwegian order: {order:?}"
    );

    let found = app.get("/patients?q=%C3%85SE").await;
    assert!(found.body.contains("Åse Ås") && !found.body.contains("Ola Ørn"));
    let by_birth = app.get("/patients?q=berg&born=02.02.1945").await;
    assert!(by_birth.body.contains("Berit Berg") && !by_birth.body.contains("Eva Berg"));
    let bad = app.get("/patients?born=32.13.1945").await;
    assert_eq!(bad.status, Status::Ok);
    assert!(bad.body.contains("Skriv fødselsdatoen som dd.mm.åååå."));
    // Searches are logged.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM access_log WHERE entity = 'patient_search'")
            .await,
        2
    );

    for i in 0..24 {
        app.patient(&format!("Test Person{i:02}"), "01.01.1960", org.unit_a1)
            .await;
    }
    let first = app.get("/patients").await;
    assert!(first.body.contains("Side 1 av 2 (30 treff)"));
    let second = app.get("/patients?q=&born=&page=2").await;
    assert!(second.body.contains("Side 2 av 2 (30 treff)"));
    assert_eq!(second.body.matches("<a href=\"/patients/").count(), 5);
    assert_eq!(app.get("/patients?page=abc").await.status, Status::Ok);
}

#[rocket::async_test]
async fn each_patient_view_writes_the_access_log() {
    let (app, org) = worker_app().await;
    let id = app
        .patient("Kari Nordmann", "01.02.1940", org.unit_a1)
        .await;
    let before = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM access_log WHERE patient_id = {id} AND action = 'view'"
        ))
        .await;
    app.get(&format!("/patients/{id}")).await;
    app.get(&format!("/patients/{id}")).await;
    let after = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM access_log WHERE patient_id = {id} AND action = 'view'"
        ))
        .await;
    assert_eq!(after - before, 2);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM access_log WHERE patient_id = {id} AND action = 'create'"
        ))
        .await,
        1
    );
    let who: String = samspill::db::on_db!(&app.db, |p| sqlx::query_scalar(
        "SELECT username FROM access_log WHERE action = 'view' ORDER BY id DESC LIMIT 1"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(who, "ansatt1");
    // The log cannot be changed or emptied.
    let update = samspill::db::on_db!(&app.db, |p| sqlx::query(
        "UPDATE access_log SET username = 'x'"
    )
    .execute(p)
    .await
    .map(|_| ()));
    assert!(update.is_err());
    let delete = samspill::db::on_db!(&app.db, |p| sqlx::query("DELETE FROM access_log")
        .execute(p)
        .await
        .map(|_| ()));
    assert!(delete.is_err());
}

#[rocket::async_test]
async fn a_large_form_gets_a_clear_413_page() {
    let (app, org) = worker_app().await;
    let unit = org.unit_a1.to_string();
    let huge = "x".repeat(5 * 1024 * 1024);
    let mut fields = patient_form(&unit, &[]);
    fields.push(("services", &huge));
    let reply = app.post("/patients", &fields).await;
    assert_eq!(reply.status, Status::PayloadTooLarge);
    assert!(reply.body.contains("For mye innhold"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM patients").await, 0);
}

/// The names a patient search lists, in order.
async fn found(app: &common::TestApp, q: &str) -> Vec<String> {
    let page = app.get(&format!("/patients?q={}", common::encode(q))).await;
    assert_eq!(page.status, Status::Ok, "{q}");
    page.body
        .split("<td><a href=\"/patients/")
        .skip(1)
        .filter_map(|rest| Some(rest.split_once('>')?.1.split_once("</a>")?.0.to_string()))
        .collect()
}

#[rocket::async_test]
async fn search_finds_the_start_of_any_word_of_a_name_whatever_case_and_accents() {
    let (app, org) = worker_app().await;
    let aase = app
        .patient("Åse Ødegård-Berg", "01.01.1950", org.unit_a1)
        .await;
    let haakon = app
        .patient("Haakon Sæther", "02.02.1950", org.unit_a1)
        .await;
    app.patient("Eva Bergsrud", "03.03.1950", org.unit_a1).await;

    assert_eq!(found(&app, "aase").await, ["Åse Ødegård-Berg"]);
    assert_eq!(found(&app, "ODEG").await, ["Åse Ødegård-Berg"]);
    assert_eq!(
        found(&app, "berg").await,
        ["Eva Bergsrud", "Åse Ødegård-Berg"]
    );
    assert_eq!(found(&app, "håkon saeth").await, ["Haakon Sæther"]);
    assert_eq!(found(&app, "Åse berg").await, ["Åse Ødegård-Berg"]);
    assert!(found(&app, "åse sæther").await.is_empty());
    // The start of a word, not any part of it.
    assert!(found(&app, "erg").await.is_empty());

    // A new name is found at once, the old one no longer.
    let unit = org.unit_a1.to_string();
    let renamed = app
        .post(
            &format!("/patients/{aase}"),
            &patient_form(
                &unit,
                &[
                    ("full_name", "Åse Lie"),
                    ("birth_date", "01.01.1950"),
                    ("fnr", ""),
                ],
            ),
        )
        .await;
    assert_eq!(renamed.status, Status::SeeOther, "{}", renamed.body);
    assert!(found(&app, "odeg").await.is_empty());
    assert_eq!(found(&app, "lie").await, ["Åse Lie"]);

    // Names registered before the index existed are indexed at start.
    app.exec("DELETE FROM patient_name_words").await;
    app.exec("UPDATE patient_name_backfill SET up_to = (SELECT MAX(id) FROM patients)")
        .await;
    assert!(found(&app, "lie").await.is_empty());
    let indexed = samspill::db::patients::index_missing_names(&app.db)
        .await
        .unwrap();
    assert_eq!(indexed, 3);
    assert_eq!(found(&app, "lie").await, ["Åse Lie"]);
    assert_eq!(
        samspill::db::patients::index_missing_names(&app.db)
            .await
            .unwrap(),
        0
    );

    // A patient moved to another unit is found there, and no longer here.
    let unit_a2 = org.unit_a2.to_string();
    let moved = app
        .post(
            &format!("/patients/{haakon}"),
            &patient_form(
                &unit_a2,
                &[
                    ("full_name", "Haakon Sæther"),
                    ("birth_date", "02.02.1950"),
                    ("fnr", ""),
                ],
            ),
        )
        .await;
    assert_eq!(moved.status, Status::SeeOther, "{}", moved.body);
    assert!(found(&app, "hakon").await.is_empty());
    app.user("ansatt2", Role::Worker, Some(org.unit_a2)).await;
    let there = app.browser().await;
    there.login_as("ansatt2").await;
    let page = there.get("/patients?q=hakon").await;
    assert!(page.body.contains(&format!(
        "<td><a href=\"/patients/{haakon}\">Haakon Sæther</a>"
    )));
    assert_eq!(page.body.matches("<td><a href=\"/patients/").count(), 1);
}
