//! The access log is complete: refused requests for existing records, a fødselsnummer that
//! belongs to a patient elsewhere, failed and locked logins, account changes, and every list
//! and export with the patients it contained.

use crate::common::{self, call_followup, error_for, setup, Bind, TestApp};
use rocket::http::Status;
use samspill::domain::user::Role;

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.scalar(sql).await
}

/// A fødselsnummer that belongs to a patient elsewhere: the answer says nothing of where, and
/// the attempt is in that patient's access history and in the report of access outside the
/// user's unit.
#[rocket::async_test]
async fn a_taken_fodselsnummer_outside_the_unit_reveals_nothing_and_is_logged() {
    let app = common::start().await;
    let org = app.org().await;
    app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
    app.user("ansatt2", Role::Worker, Some(org.unit_a2)).await;
    app.user("ansatt3", Role::Worker, Some(org.unit_b1)).await;
    app.user("leder1", Role::Manager, Some(org.unit_a1)).await;
    app.login_as("ansatt1").await;
    let fnr = "15038512363";
    let made = app
        .post(
            "/patients",
            &[
                ("full_name", "Kari Nordmann"),
                ("birth_date", "15.03.1985"),
                ("fnr", fnr),
                ("unit_id", &org.unit_a1.to_string()),
            ],
        )
        .await;
    let kari: i64 = made
        .location
        .as_deref()
        .and_then(|l| l.trim_start_matches("/patients/").parse().ok())
        .expect("registered");
    let elsewhere =
        "Pasienten kan ikke registreres her. Kontakt leder dersom pasienten skal flyttes til din enhet.";
    for (username, unit) in [("ansatt3", org.unit_b1), ("ansatt2", org.unit_a2)] {
        let other = app.browser().await;
        other.login_as(username).await;
        let tried = other
            .post(
                "/patients",
                &[
                    ("full_name", "Hvem som helst"),
                    ("birth_date", "15.03.1985"),
                    ("fnr", fnr),
                    ("unit_id", &unit.to_string()),
                ],
            )
            .await;
        assert_eq!(tried.status, Status::UnprocessableEntity, "{username}");
        assert_eq!(error_for(&tried.body, "fnr"), elsewhere);
        assert!(!tried.body.contains("allerede registrert"));
        assert!(tried.body.contains("value=\"Hvem som helst\""));
        // Editing one's own patient to the number answers the same.
        let own = other.patient("Ola Hansen", "01.01.1950", unit).await;
        let edited = other
            .post(
                &format!("/patients/{own}"),
                &[
                    ("full_name", "Ola Hansen"),
                    ("birth_date", "15.03.1985"),
                    ("fnr", fnr),
                    ("unit_id", &unit.to_string()),
                ],
            )
            .await;
        assert_eq!(edited.status, Status::UnprocessableEntity);
        assert_eq!(error_for(&edited.body, "fnr"), elsewhere);
    }
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM access_log WHERE action = 'refused' AND patient_id = {kari} AND username IN ('ansatt2', 'ansatt3')"
            )
        )
        .await,
        4
    );
    let manager = app.browser().await;
    manager.login_as("leder1").await;
    let history = manager
        .get(&format!("/patients/{kari}/access-history"))
        .await;
    assert!(
        history
            .body
            .contains("<td>Test ansatt3 (helsepersonell)</td><td>Forsøkt lest, avvist</td>"),
        "{}",
        history.body
    );
    let outside = manager.get("/audit/outside-unit").await;
    assert!(outside
        .body
        .contains("<td>ansatt3</td><td>Hjemmetjenesten Alna</td>"));
    assert!(outside
        .body
        .contains("<td>ansatt2</td><td>Hjemmetjenesten Frogner sør</td>"));
}

/// Refused requests for existing records, failed logins and lock-outs are reviewable; lists
/// and exports name the patients they contained; an export that failed is not logged; account
/// changes are security events.
#[rocket::async_test]
async fn refusals_logins_lists_and_exports_are_in_the_access_log() {
    let (app, org, patient) = setup().await;
    app.user("ansatt3", Role::Worker, Some(org.unit_a2)).await;
    app.user("leder1", Role::Manager, Some(org.unit_a1)).await;
    app.user("admin", Role::Admin, None).await;

    // Another unit asks for the patient, and for a patient that does not exist.
    let other = app.browser().await;
    other.login_as("ansatt3").await;
    assert_eq!(
        other.get(&format!("/patients/{patient}")).await.status,
        Status::NotFound
    );
    assert_eq!(other.get("/patients/999999").await.status, Status::NotFound);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM access_log WHERE action = 'refused'"
        )
        .await,
        1
    );
    // The administrator has no access to patient data at all.
    let admin = app.browser().await;
    admin.login_as("admin").await;
    assert_eq!(
        admin.get(&format!("/patients/{patient}")).await.status,
        Status::Forbidden
    );

    // Failed logins, then a lock-out, of a known account; one of an unknown name.
    let stranger = app.browser().await;
    for _ in 0..5 {
        stranger.login("ansatt2", "feil-passord-her").await;
    }
    stranger.login("finnes.ikke", "feil-passord-her").await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM access_log WHERE action = 'login_failed' AND entity = 'login' AND username = 'ansatt2'").await,
        4
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM access_log WHERE action = 'locked' AND username = 'ansatt2'"
        )
        .await,
        1
    );

    let manager = app.browser().await;
    manager.login_as("leder1").await;
    let report = manager.get("/audit/refused").await;
    assert_eq!(report.status, Status::Ok);
    assert!(
        report
            .body
            .contains("<td>ansatt3</td><td>Hjemmetjenesten Frogner sør</td><td>Avvist</td>"),
        "{}",
        report.body
    );
    assert!(report
        .body
        .contains(&format!("avvist (404): GET &#x2F;patients&#x2F;{patient}")));
    assert!(report.body.contains("<td>Mislykket innlogging</td>"));
    assert!(report
        .body
        .contains("<td>Sperret etter mislykkede innlogginger</td>"));
    assert!(
        !report.body.contains("finnes.ikke"),
        "outside the district's staff"
    );
    // ansatt3's 404, the administrator's 403, four failed logins and the lock-out.
    assert!(
        report.body.contains("7 avviste forsøk i perioden"),
        "{}",
        report.body
    );

    // The administrator changes an account: a security event, with the unknown login.
    let target = app
        .scalar("SELECT id FROM users WHERE username = 'ansatt2'")
        .await;
    let deactivated = admin
        .post(&format!("/admin/users/{target}/deactivate"), &[])
        .await;
    assert_eq!(deactivated.status, Status::SeeOther, "{}", deactivated.body);
    let events = admin.get("/admin/security").await;
    assert_eq!(events.status, Status::Ok);
    assert!(
        events
            .body
            .contains("<td>finnes.ikke</td><td>Mislykket innlogging</td>"),
        "{}",
        events.body
    );
    assert!(events.body.contains(&format!(
        "<a href=\"/admin/users/{target}\">konto {target}</a>"
    )));
    assert_eq!(
        manager.get("/admin/security").await.status,
        Status::Forbidden
    );

    // A list shown and an export made name the patient; an unknown format is no export.
    app.get("/patients").await;
    let before_exports = count(
        &app,
        "SELECT COUNT(*) FROM access_log WHERE action = 'export'",
    )
    .await;
    assert_eq!(
        manager
            .get("/dashboard/list/patients?filter=all&format=pdf")
            .await
            .status,
        Status::NotFound
    );
    assert_eq!(
        manager.get("/audit?format=doc").await.status,
        Status::NotFound
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM access_log WHERE action = 'export'"
        )
        .await,
        before_exports
    );
    let export = manager
        .get("/dashboard/list/patients?filter=all&format=csv")
        .await;
    assert_eq!(export.status, Status::Ok);
    let history = manager
        .get(&format!("/patients/{patient}/access-history"))
        .await;
    assert!(
        history.body.contains(
            "<td>Test leder1 (leder)</td><td>Med i en eksport</td><td>Oversikt for ledere</td>"
        ),
        "{}",
        history.body
    );
    assert!(history.body.contains(
        "<td>Test ansatt1 (helsepersonell)</td><td>Vist i en liste</td><td>Pasientliste</td>"
    ));
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM access_log_patients l JOIN access_log a ON a.id = l.access_id WHERE l.patient_id = {patient} AND a.action = 'export'")
        )
        .await,
        1
    );
}

/// Each view of the follow-up list is in the patient's access history. A view that shows
/// the same patients as the worker's last one names that listing instead of listing them
/// again; a changed list lists its patients anew.
#[rocket::async_test]
async fn every_view_of_the_follow_up_list_is_in_the_patients_history() {
    let (app, org, patient) = setup().await;
    app.user("leder1", Role::Manager, Some(org.unit_a1)).await;
    call_followup(&app, patient, "Ring datteren", 3).await;
    // With the flash message, then three times more: each view is built from the database.
    for _ in 0..4 {
        assert!(app.get("/followups").await.body.contains("Ring datteren"));
    }
    let views = "SELECT COUNT(*) FROM access_log WHERE entity = 'followup_list'";
    assert_eq!(count(&app, views).await, 4);
    // The first view lists its patients; the three that showed the same patients name it.
    let listed = format!(
        "SELECT COUNT(*) FROM access_log_patients l JOIN access_log a ON a.id = l.access_id
         WHERE a.entity = 'followup_list' AND l.patient_id = {patient}"
    );
    assert_eq!(count(&app, &listed).await, 1, "the first view lists them");
    let named = "SELECT COUNT(*) FROM access_log a JOIN access_log first ON first.id = a.listing_id
         WHERE a.entity = 'followup_list' AND first.entity = 'followup_list'";
    assert_eq!(count(&app, named).await, 3, "the others name it");
    // A new follow-up changes the list: that view lists its patients again.
    let other = app.patient("Ola Hansen", "03.04.1938", org.unit_a1).await;
    call_followup(&app, other, "Ring sønnen", 5).await;
    app.get("/followups").await;
    assert_eq!(count(&app, &listed).await, 2);
    assert_eq!(count(&app, named).await, 3);
    let manager = app.browser().await;
    manager.login_as("leder1").await;
    let history = manager
        .get(&format!("/patients/{patient}/access-history"))
        .await;
    assert_eq!(
        history
            .body
            .matches("<td>Test ansatt1 (helsepersonell)</td><td>Vist i en liste</td><td>Oppfølgingsliste</td>")
            .count(),
        5
    );
}

/// The printed history names people and their roles, never codes or usernames, as a tagged
/// table, dated "Utskrift", in bokmål, nynorsk and English.
#[rocket::async_test]
async fn the_printed_access_history_names_people_and_what_they_saw_in_three_languages() {
    let (app, _org, patient) = setup().await;
    let kari = crate::common::agreement::add_relative(&app, patient, "Kari Nordmann", &[]).await;
    crate::common::agreement::draft(&app, patient, kari, &[]).await;
    let agreement = app.scalar("SELECT MAX(id) FROM agreements").await;
    assert_eq!(
        app.get(&format!("/agreements/{agreement}/pdf"))
            .await
            .status,
        Status::Ok
    );
    let print = |lang: &'static str| {
        let app = &app;
        async move {
            let reply = app
                .get(&format!(
                    "/patients/{patient}/access-history?format=pdf&lang={lang}"
                ))
                .await;
            assert_eq!(reply.status, Status::Ok);
            reply.bytes
        }
    };
    let nb = print("nb").await;
    let text = crate::common::agreement::pdftotext(&nb);
    assert!(text.contains("Hvem har lest journalen din"));
    assert!(text.contains("Utskrift"));
    assert!(!text.contains("Utskrevet"));
    assert!(text.contains("Test ansatt1 (helsepersonell)"), "{text}");
    assert!(text.contains("Pårørendeavtale"));
    for code in ["(agreement)", "agreement", "patient_list", "ansatt1\n"] {
        assert!(!text.contains(code), "{code} in {text}");
    }
    assert_eq!(crate::common::pdf::untagged_text(&nb), Vec::<String>::new());
    let roles = crate::common::pdf::structure(&nb);
    for role in ["Table", "TR", "TH", "TD"] {
        assert!(roles.iter().any(|r| r == role), "no {role}");
    }
    let nn = crate::common::agreement::pdftotext(&print("nn").await);
    assert!(nn.contains("Kven har lese journalen din") && nn.contains("Pårørandeavtale"));
    let en = crate::common::agreement::pdftotext(&print("en").await);
    let en = en.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(en.contains("Who has read your record") && en.contains("Relatives' agreement"));
    assert!(en.contains("Test ansatt1 (health worker)") && en.contains("Printed"));
    assert_eq!(
        app.get(&format!(
            "/patients/{patient}/access-history?format=pdf&lang=de"
        ))
        .await
        .status,
        Status::NotFound
    );
}

/// A long access history is shown a hundred entries at a time, newest first, with how many
/// there are in all; the print for the patient has all of them.
/// A patient's history is counted, and its page chosen, from the indexes: its own entries by
/// patient and time, the views of its listings by listing. Only the page shown is read in
/// full (a history of 14 600 entries took 53 ms to count and 54 ms to page when every entry
/// was read).
#[rocket::async_test]
async fn an_access_history_is_counted_and_paged_in_the_indexes() {
    let (app, _org, patient) = setup().await;
    let binds = [Bind::Int(patient), Bind::Int(100), Bind::Int(0)];
    let count = app
        .plan(
            &samspill::db::access_log::PATIENT_HISTORY_COUNT,
            &binds[..1],
        )
        .await;
    let page = app
        .plan(&samspill::db::access_log::PATIENT_HISTORY_PAGE, &binds)
        .await;
    if common::is_postgres() {
        for plan in [&count, &page] {
            assert!(!plan.contains("Seq Scan on access_log"), "{plan}");
        }
    } else {
        for index in [
            "access_log_patient (patient_id=?)",
            "access_log_listing (listing_id=?)",
        ] {
            assert!(
                count.contains(&format!("USING COVERING INDEX {index}")),
                "{index}: {count}"
            );
        }
        assert!(
            page.contains("USING COVERING INDEX access_log_patient (patient_id=?)"),
            "{page}"
        );
        for plan in [&count, &page] {
            assert!(!plan.contains("SCAN a"), "{plan}");
            assert!(!plan.contains("SCAN access_log"), "{plan}");
        }
    }
}

#[rocket::async_test]
async fn a_long_access_history_comes_in_pages() {
    let (app, _org, patient) = setup().await;
    for _ in 0..120 {
        assert_eq!(
            app.get(&format!("/patients/{patient}")).await.status,
            Status::Ok
        );
    }
    let rows = |body: &str| body.matches("<tr><td>").count();
    let first = app
        .get(&format!("/patients/{patient}/access-history"))
        .await;
    let total: usize = first
        .body
        .split(" oppføringer, 100 på denne siden.")
        .next()
        .and_then(|head| head.rsplit("<p>").next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{}", first.body));
    assert!(total > 120, "{total}");
    assert_eq!(rows(&first.body), 100);
    assert!(first.body.contains(&format!(
        "<a href=\"&#x2F;patients&#x2F;{patient}&#x2F;access-history?&amp;page=2\" rel=\"next\">"
    )));
    // The first page's view is in the history now, newest first.
    let second = app
        .get(&format!("/patients/{patient}/access-history?page=2"))
        .await;
    assert!(second.body.contains(&format!(
        "<p>{} oppføringer, {} på denne siden.</p>",
        total + 1,
        total + 1 - 100
    )));
    assert_eq!(rows(&second.body), total + 1 - 100);
    assert!(second.body.contains("Side 2 av 2"));
    let print = app
        .get(&format!("/patients/{patient}/access-history?format=pdf"))
        .await;
    assert_eq!(print.status, Status::Ok);
    // Every entry, the two pages' views included, each by the one worker.
    assert_eq!(
        common::agreement::pdftotext(&print.bytes)
            .matches("Test ansatt1")
            .count(),
        total + 2
    );
}

/// The managers' reports on the log ask for one action in a district's units over a month:
/// they read the index by action, unit and time, which narrows to the district (by action
/// and time alone they read every unit's views), and the views are counted in the index
/// without reading the log's rows.
#[rocket::async_test]
async fn the_district_reports_read_the_log_by_action_unit_and_time() {
    let (app, org, _patient) = setup().await;
    let now = app.clock.now();
    let binds = [
        Bind::Int(org.district_a),
        Bind::Time(now - chrono::Duration::days(30)),
        Bind::Time(now),
    ];
    let engine = if common::is_postgres() {
        samspill::db::Engine::Postgres
    } else {
        samspill::db::Engine::Sqlite
    };
    let viewers = app
        .plan(&samspill::db::access_log::top_viewers_sql(engine), &binds)
        .await;
    let refused = app.plan(samspill::db::access_log::REFUSED, &binds).await;
    if common::is_postgres() {
        assert!(
            viewers.contains("Index Only Scan using access_log_action"),
            "{viewers}"
        );
        assert!(refused.contains("access_log_action"), "{refused}");
        for plan in [&viewers, &refused] {
            assert!(!plan.contains("Seq Scan on access_log"), "{plan}");
        }
    } else {
        assert!(
            viewers.contains(
                "SEARCH a USING COVERING INDEX access_log_action (action=? AND unit_id=? AND at>? AND at<?)"
            ),
            "{viewers}"
        );
        assert!(
            refused.contains(
                "USING INDEX access_log_action (action=? AND unit_id=? AND at>? AND at<?)"
            ),
            "{refused}"
        );
    }
}

/// Who viewed most a day counts a day as a day in Oslo, as the report's period and the log
/// each row links to do: a view at 23:30 UTC belongs to the next day in Oslo, summer or
/// winter, and one at 21:30 UTC to the same day.
#[rocket::async_test]
async fn the_top_viewers_count_days_in_oslo() {
    let (app, org, patient) = setup().await;
    let worker = app
        .scalar("SELECT id FROM users WHERE username = 'ansatt1'")
        .await;
    let day = app.clock.today() - chrono::Duration::days(3);
    let evening = day.and_hms_opt(21, 30, 0).unwrap().and_utc();
    let night = day.and_hms_opt(23, 30, 0).unwrap().and_utc();
    for at in [evening, night, night] {
        samspill::db::on_db!(&app.db, |p| sqlx::query(
            "INSERT INTO access_log (at, user_id, username, action, entity, entity_id, patient_id, unit_id, detail)
             VALUES ($1, $2, 'nattevakt', 'view', 'patient', $3, $3, $4, '')"
        )
        .bind(at)
        .bind(worker)
        .bind(patient)
        .bind(org.unit_a1)
        .execute(p)
        .await
        .map(|_| ()))
        .unwrap();
    }
    let manager = app.browser().await;
    app.user("leder1", Role::Manager, Some(org.unit_a1)).await;
    manager.login_as("leder1").await;
    let from = samspill::domain::dates::format_date(day - chrono::Duration::days(1));
    let body = manager
        .get(&format!("/audit/top-viewers?from={from}&to={from}"))
        .await
        .body;
    assert!(body.contains("Ingen oppslag i perioden."), "{body}");
    let to = samspill::domain::dates::format_date(day + chrono::Duration::days(1));
    let body = manager
        .get(&format!("/audit/top-viewers?from={from}&to={to}"))
        .await
        .body;
    let row = |d: chrono::NaiveDate, views: i64| {
        let d = samspill::domain::dates::format_date(d);
        format!(
            "<tr><td><a href=\"/audit?user=nattevakt&amp;from={d}&amp;to={d}\">nattevakt</a></td><td>{d}</td><td>{views}</td><td>1</td></tr>"
        )
    };
    assert!(
        body.contains(&row(day + chrono::Duration::days(1), 2)),
        "{body}"
    );
    assert!(body.contains(&row(day, 1)), "{body}");
}
