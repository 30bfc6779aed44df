//! The district manager's dashboard, lists, exports, reassignment and access-log review, on
//! a fixture whose every indicator is counted by hand.

use crate::common::relative;
use crate::common::{self, TestApp};
use rocket::http::Status;
use samspill::domain::dates::format_date;
use samspill::domain::user::Role;

struct Fixture {
    app: TestApp,
    org: common::Org,
    manager: TestApp,
    /// The overdue follow-up (17 days) in unit A1.
    overdue: i64,
    p1: i64,
    t0: chrono::NaiveDate,
}

async fn add(app: &TestApp, patient: i64, name: &str, extra: &[(&str, &str)]) -> i64 {
    let r = app
        .post(
            &format!("/patients/{patient}/relatives"),
            &relative(name, extra),
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    app.scalar("SELECT MAX(id) FROM relatives").await
}

async fn followup(
    app: &TestApp,
    patient: i64,
    what: &str,
    due: chrono::NaiveDate,
    owner: &str,
) -> i64 {
    let r = app
        .post(
            &format!("/patients/{patient}/followups"),
            &[
                ("kind", "call"),
                ("concerns", what),
                ("due_on", &format_date(due)),
                ("owner_id", owner),
            ],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    app.scalar("SELECT MAX(id) FROM followups").await
}

/// Unit A1: P1 (Ola involved, mapped 8/13 and 20 h, active agreement; Kari involved,
/// unmapped, ended agreement), P2 (nothing), P3 (outcome "no relatives"), P4 (a child, not
/// involved, no child follow-up). Unit A2: P5 (Per involved with a contact person).
/// District B: P6. Then 20 days pass.
async fn fixture() -> Fixture {
    let app = common::start().await;
    let org = app.org().await;
    let t0 = app.clock.today();
    let w1 = app
        .user("ansatt1", Role::Worker, Some(org.unit_a1))
        .await
        .to_string();
    app.user("ansatt2", Role::Worker, Some(org.unit_a1)).await;
    let w3 = app
        .user("ansatt3", Role::Worker, Some(org.unit_a2))
        .await
        .to_string();
    app.user("ansattb", Role::Worker, Some(org.unit_b1)).await;
    app.user("leder1", Role::Manager, Some(org.unit_a1)).await;
    app.user("lederb", Role::Manager, Some(org.unit_b1)).await;
    app.login_as("ansatt1").await;

    let p1 = app.patient("Per En", "01.02.1940", org.unit_a1).await;
    let p2 = app.patient("Pia To", "01.02.1941", org.unit_a1).await;
    let p3 = app.patient("Pål Tre", "01.02.1942", org.unit_a1).await;
    let p4 = app.patient("Petra Fire", "01.02.1980", org.unit_a1).await;
    let _ = p2;
    let ola = add(&app, p1, "Ola En", &[]).await;
    let kari = add(&app, p1, "Kari En", &[("relation", "child")]).await;
    let r = app
        .post(
            &format!("/patients/{p3}/outcome"),
            &[
                ("outcome", "no_relatives"),
                ("outcome_on", &format_date(t0)),
                ("reason", "Ingen familie"),
            ],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    add(
        &app,
        p4,
        "Lille Fire",
        &[
            ("relation", "child"),
            ("age_group", "child"),
            ("involvement", "no"),
        ],
    )
    .await;

    // Ola: mapped with high strain and heavy tasks.
    let mapped_on = format_date(t0);
    let mut mapping: Vec<(&str, &str)> = vec![
        ("mapped_on", &mapped_on),
        ("roles", "caregiver"),
        ("hours_per_week", "20"),
        ("violence", "no"),
    ];
    let names = [
        "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12",
    ];
    for (i, n) in names.iter().enumerate() {
        mapping.push((n, if i < 8 { "1" } else { "0" }));
    }
    let r = app
        .post(&format!("/relatives/{ola}/mappings"), &mapping)
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);

    // Agreements: Ola's is active, Kari's was signed and then ended.
    let eval = format_date(t0.checked_add_months(chrono::Months::new(6)).unwrap());
    let today = format_date(t0);
    for rel in [ola, kari] {
        let r = app
            .post(
                &format!("/patients/{p1}/agreements"),
                &[
                    ("relative_ids", &rel.to_string()),
                    ("contact_rhythm", "as_needed"),
                    ("contact_id", &w1),
                    ("capacity", "can_consent"),
                    ("evaluation_on", &eval),
                ],
            )
            .await;
        assert_eq!(r.status, Status::SeeOther, "{}", r.body);
        let id = app.scalar("SELECT MAX(id) FROM agreements").await;
        let r = app
            .post(
                &format!("/agreements/{id}/sign"),
                &[
                    ("relative_signed_on", &today),
                    ("service_signed_on", &today),
                    ("patient_signed_on", &today),
                ],
            )
            .await;
        assert!(r.redirects_to(&format!("/agreements/{id}")), "{}", r.body);
        if rel == kari {
            let r = app
                .post(
                    &format!("/agreements/{id}/end"),
                    &[("ended_on", &today), ("end_reason", "Ønsket ikke avtale")],
                )
                .await;
            assert!(r.redirects_to(&format!("/agreements/{id}")));
        }
    }

    // Follow-ups: one will be 17 days overdue, one due on the day itself, one later.
    let overdue = followup(&app, p1, "Ring Ola", t0 + chrono::Duration::days(3), &w1).await;
    followup(
        &app,
        p1,
        "Due the day",
        t0 + chrono::Duration::days(20),
        &w1,
    )
    .await;
    followup(&app, p4, "Later", t0 + chrono::Duration::days(40), &w1).await;

    // Unit A2.
    let other = app.browser().await;
    other.login_as("ansatt3").await;
    let p5 = other.patient("Pelle Fem", "01.02.1950", org.unit_a2).await;
    add(&other, p5, "Per Fem", &[("contact_person_id", &w3)]).await;
    // District B.
    let b = app.browser().await;
    b.login_as("ansattb").await;
    let p6 = b.patient("Bent Seks", "01.02.1950", org.unit_b1).await;
    add(&b, p6, "Berit Seks", &[]).await;
    // Identification asks about minor children or siblings: answered for each patient but
    // Pia To, who stays not identified.
    for (who, p, answer) in [
        (&app, p1, "no"),
        (&app, p3, "no"),
        (&app, p4, "yes"),
        (&other, p5, "no"),
        (&b, p6, "no"),
    ] {
        let r = who
            .post(
                &format!("/patients/{p}/children"),
                &[("minor_children", answer)],
            )
            .await;
        assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    }

    app.clock.advance_days(20);
    app.login_as("ansatt1").await;
    let manager = app.browser().await;
    manager.login_as("leder1").await;
    Fixture {
        app,
        org,
        manager,
        overdue,
        p1,
        t0,
    }
}

/// The text of the cell in `row` (a unit's name) under column `col` of the indicator table.
fn cell(body: &str, row: &str, col: usize) -> String {
    let at = body
        .find(&format!("<th scope=\"row\">{row}</th>"))
        .unwrap_or_else(|| panic!("no row {row}"));
    let rest = &body[at..body[at..].find("</tr>").map(|e| at + e).unwrap()];
    let cells: Vec<&str> = rest.split("<td>").skip(1).collect();
    let c = cells[col];
    let c = &c[..c.find("</td>").unwrap()];
    // Drop the link and the screen-reader text.
    let text = c.split("<span").next().unwrap();
    let text = match text.find('>') {
        Some(i) if text.starts_with("<a") => &text[i + 1..],
        _ => text,
    };
    text.trim_end_matches("</a>").to_string()
}

#[rocket::async_test]
async fn every_indicator_equals_the_hand_count() {
    let fx = fixture().await;
    let page = fx.manager.get("/dashboard").await;
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    let a1 = "Hjemmetjenesten Frogner nord";
    let expected_a1 = [
        "4",                   // patients
        "75 % (3 av 4)",       // P1, P3, P4 identified; P2 not
        "50 % (1 av 2)",       // Ola mapped, Kari not
        "100 % (1 av 1)",      // Ola heavy with active agreement
        "50 % (1 av 2)",       // Kari's agreement ended
        "50 % (1 av 2)",       // contact person via Ola's agreement only
        "100 % (1 av 1)",      // parties to agreements not ended: Ola
        "1 (eldste 17 dager)", // due today is not overdue
        "0",                   // no agreement past evaluation
        "1",                   // the child without follow-up
        "0",                   // meetings without next step
    ];
    for (i, want) in expected_a1.iter().enumerate() {
        assert_eq!(cell(&page.body, a1, i), *want, "A1 column {i}");
    }
    let a2 = "Hjemmetjenesten Frogner sør";
    let expected_a2 = [
        "1",
        "100 % (1 av 1)",
        "0 % (0 av 1)",
        "–",
        "0 % (0 av 1)",
        "100 % (1 av 1)",
        "–",
        "0",
        "0",
        "0",
        "0",
    ];
    for (i, want) in expected_a2.iter().enumerate() {
        assert_eq!(cell(&page.body, a2, i), *want, "A2 column {i}");
    }
    let total = "Hele Bydel Frogner";
    assert_eq!(cell(&page.body, total, 0), "5");
    assert_eq!(cell(&page.body, total, 1), "80 % (4 av 5)");
    assert_eq!(cell(&page.body, total, 5), "67 % (2 av 3)");
    // District B is not on A's dashboard.
    assert!(!page.body.contains("Hjemmetjenesten Alna"));

    // The chart's data table for identification ends with the same share as the table.
    let chart = &page.body[page.body.find("id=\"chart-identified-data\"").unwrap()..];
    let last = &chart[..chart.find("</tbody>").unwrap()];
    assert!(
        last.trim_end().ends_with("<td>80 % (4 av 5)</td></tr>"),
        "{last}"
    );
    assert!(page.body.contains("<svg"));
    assert!(page.body.contains("role=\"img\""));
    // Definitions on demand.
    assert!(page.body.contains("Skal alltid være 0"));
    // Referrals per offer: none in the fixture.
    assert!(page.body.contains("Ingen henvisninger i perioden."));
}

#[rocket::async_test]
async fn the_period_moves_the_day_of_the_indicators() {
    let fx = fixture().await;
    let ten = format_date(fx.t0 + chrono::Duration::days(10));
    let from = format_date(fx.t0);
    let page = fx
        .manager
        .get(&format!("/dashboard?from={from}&to={ten}"))
        .await;
    assert_eq!(page.status, Status::Ok);
    let a1 = "Hjemmetjenesten Frogner nord";
    // At day 10 the follow-up is 7 days overdue and the child only ten days registered.
    assert_eq!(cell(&page.body, a1, 7), "1 (eldste 7 dager)");
    assert_eq!(cell(&page.body, a1, 9), "0");
    // Before anything existed.
    let before = format_date(fx.t0 - chrono::Duration::days(1));
    let page = fx
        .manager
        .get(&format!("/dashboard?from={before}&to={before}"))
        .await;
    assert_eq!(cell(&page.body, a1, 0), "0");
    // A period ending in the future is refused with a message.
    let future = format_date(fx.t0 + chrono::Duration::days(400));
    let page = fx
        .manager
        .get(&format!("/dashboard?from={from}&to={future}"))
        .await;
    assert!(page.body.contains("Perioden kan ikke slutte etter i dag."));
}

#[rocket::async_test]
async fn lists_behind_the_numbers_are_paged_filtered_and_export_the_same_rows() {
    let fx = fixture().await;
    let m = &fx.manager;
    let list = m
        .get("/dashboard/list/patients?filter=not_identified")
        .await;
    assert_eq!(list.status, Status::Ok);
    assert!(list.body.contains("Pia To"));
    assert!(!list.body.contains("Per En"));
    let list = m
        .get(&format!(
            "/dashboard/list/patients?unit={}&sort=name",
            fx.org.unit_a1
        ))
        .await;
    let order: Vec<usize> = ["Per En", "Petra Fire", "Pia To", "Pål Tre"]
        .iter()
        .map(|n| list.body.find(n).unwrap_or_else(|| panic!("{n}")))
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "Norwegian order: Pål after Pia"
    );
    let rel = m
        .get("/dashboard/list/relatives?filter=children_without_followup")
        .await;
    assert!(rel.body.contains("Lille Fire"));
    let overdue = m.get("/dashboard/list/followups?filter=overdue").await;
    assert!(overdue.body.contains("Ring Ola") && !overdue.body.contains("Due the day"));

    // CSV: BOM, semicolons, Norwegian dates; the same rows as the page.
    let csv = m
        .get("/dashboard/list/followups?filter=overdue&format=csv")
        .await;
    assert_eq!(csv.status, Status::Ok);
    let text = String::from_utf8(csv.bytes.clone()).unwrap();
    assert!(text.starts_with("\u{feff}Frist;Dager på overtid;Gjelder;"));
    let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 2);
    let due = format_date(fx.t0 + chrono::Duration::days(3));
    assert!(
        lines[1].starts_with(&format!(
            "{due};17;Ring Ola;Telefonsamtale;Per En;;Test ansatt1;Hjemmetjenesten Frogner nord"
        )),
        "{}",
        lines[1]
    );
    // XLSX parses back to the same rows.
    let xlsx = m
        .get("/dashboard/list/followups?filter=overdue&format=xlsx")
        .await;
    assert_eq!(xlsx.status, Status::Ok);
    use calamine::Data;
    let rows = common::xlsx_rows(&xlsx.bytes);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][0], Data::String("Frist".into()));
    assert_eq!(rows[1][1], Data::Float(17.0));
    assert_eq!(rows[1][2], Data::String("Ring Ola".into()));
    match &rows[1][0] {
        Data::DateTime(d) => {
            let (y, mo, da, ..) = d.to_ymd_hms_milli();
            assert_eq!(format!("{da:02}.{mo:02}.{y}"), due);
        }
        other => panic!("a date, not {other:?}"),
    }
    // Exports are in the access log.
    assert_eq!(
        fx.app
            .scalar(
                "SELECT COUNT(*) FROM access_log WHERE action = 'export' AND username = 'leder1'"
            )
            .await,
        2
    );
    let dash = m.get("/dashboard?format=csv").await;
    let text = String::from_utf8(dash.bytes).unwrap();
    assert!(text.contains("Hjemmetjenesten Frogner nord;4;75 % (3 av 4);"));
}

#[rocket::async_test]
async fn workers_get_403_and_other_districts_404() {
    let fx = fixture().await;
    for path in [
        "/dashboard".to_string(),
        "/dashboard/list/followups?filter=overdue".into(),
        format!("/dashboard/followups/{}/reassign", fx.overdue),
        "/audit".into(),
        "/audit/top-viewers".into(),
        "/audit/outside-unit".into(),
    ] {
        assert_eq!(fx.app.get(&path).await.status, Status::Forbidden, "{path}");
    }
    let b = fx.app.browser().await;
    b.login_as("lederb").await;
    assert_eq!(
        b.get(&format!("/dashboard/list/patients?unit={}", fx.org.unit_a1))
            .await
            .status,
        Status::NotFound
    );
    assert_eq!(
        b.get(&format!("/dashboard/followups/{}/reassign", fx.overdue))
            .await
            .status,
        Status::NotFound
    );
    let r = b
        .post(
            &format!("/dashboard/followups/{}/reassign", fx.overdue),
            &[("owner_id", "1"), ("reason", "x")],
        )
        .await;
    assert_eq!(r.status, Status::NotFound);
    assert_eq!(
        b.get(&format!("/patients/{}", fx.p1)).await.status,
        Status::NotFound
    );
    assert_eq!(
        b.get(&format!("/patients/{}/access-history", fx.p1))
            .await
            .status,
        Status::NotFound
    );
    let page = b.get("/dashboard").await;
    assert!(page.body.contains("Hjemmetjenesten Alna"));
    assert!(!page.body.contains("Frogner nord"));
}

#[rocket::async_test]
async fn a_manager_reassigns_an_overdue_followup_with_a_reason() {
    let fx = fixture().await;
    let m = &fx.manager;
    let w2 = fx
        .app
        .scalar("SELECT id FROM users WHERE username = 'ansatt2'")
        .await
        .to_string();
    let w3 = fx
        .app
        .scalar("SELECT id FROM users WHERE username = 'ansatt3'")
        .await
        .to_string();
    let path = format!("/dashboard/followups/{}/reassign", fx.overdue);
    let page = m.get(&path).await;
    assert!(page.body.contains("17 dager på overtid"));
    // Another unit's worker and a missing reason are refused, with what was typed.
    let r = m.post(&path, &[("owner_id", &w3), ("reason", "")]).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(
        crate::common::error_for(&r.body, "owner_id"),
        "Velg en ansatt på samme enhet som oppfølgingen hører til."
    );
    assert_eq!(
        crate::common::error_for(&r.body, "reason"),
        "Skriv hvorfor oppfølgingen får ny ansvarlig."
    );
    let r = m
        .post(&path, &[("owner_id", &w2), ("reason", "Ansatt1 har ferie")])
        .await;
    assert!(
        r.redirects_to("/dashboard/list/followups?filter=overdue"),
        "{}",
        r.body
    );
    let owner = fx
        .app
        .scalar(&format!(
            "SELECT owner_id FROM followups WHERE id = {}",
            fx.overdue
        ))
        .await;
    assert_eq!(owner.to_string(), w2);
    assert_eq!(
        fx.app.text(&format!("SELECT reason FROM followup_changes WHERE followup_id = {} AND change = 'reassigned'", fx.overdue)).await,
        "Ansatt1 har ferie"
    );
    assert_eq!(
        fx.app.scalar(&format!("SELECT COUNT(*) FROM access_log WHERE username = 'leder1' AND action = 'update' AND entity = 'followup' AND entity_id = {}", fx.overdue)).await,
        1
    );
    // Managers read but do not change anything else.
    let later = fx.app.date_in(400);
    let r = m
        .post(
            &format!("/patients/{}/followups", fx.p1),
            &[
                ("kind", "call"),
                ("concerns", "x"),
                ("due_on", &later),
                ("owner_id", &w2),
            ],
        )
        .await;
    assert_eq!(r.status, Status::Forbidden);
}

#[rocket::async_test]
async fn the_access_log_is_reviewed_and_a_patient_gets_their_history() {
    let fx = fixture().await;
    let m = &fx.manager;
    // ansatt1 reads P1 three times.
    for _ in 0..3 {
        fx.app.get(&format!("/patients/{}", fx.p1)).await;
    }
    let log = m
        .get(&format!("/audit?user=ansatt1&patient={}", fx.p1))
        .await;
    assert_eq!(log.status, Status::Ok);
    assert!(log.body.contains("Lest"));
    let top = m.get("/audit/top-viewers").await;
    assert!(top.body.contains("ansatt1"));
    let outside = m.get("/audit/outside-unit").await;
    assert!(outside.body.contains("Ingen oppslag utenfor egen enhet"));
    // A view outside the worker's own unit stands out (it cannot happen through the app, so
    // the entry is written as a faulty integration would).
    let w3 = fx
        .app
        .scalar("SELECT id FROM users WHERE username = 'ansatt3'")
        .await;
    samspill::db::on_db!(&fx.app.db, |p| sqlx::query(
        "INSERT INTO access_log (at, user_id, username, action, entity, entity_id, patient_id, unit_id, detail)
         VALUES ($1, $2, 'ansatt3', 'view', 'patient', $3, $3, $4, '')"
    )
    .bind(fx.app.clock.now())
    .bind(w3)
    .bind(fx.p1)
    .bind(fx.org.unit_a1)
    .execute(p)
    .await
    .map(|_| ()))
    .unwrap();
    let outside = m.get("/audit/outside-unit").await;
    assert!(
        outside.body.contains("1 oppslag utenfor egen enhet"),
        "{}",
        outside.body
    );
    // The patient's own history, printed.
    let history = m.get(&format!("/patients/{}/access-history", fx.p1)).await;
    assert!(history.body.contains("ansatt1"));
    let pdf = m
        .get(&format!("/patients/{}/access-history?format=pdf", fx.p1))
        .await;
    assert_eq!(pdf.status, Status::Ok);
    assert!(pdf.bytes.starts_with(b"%PDF"));
    let csv = m.get("/audit?format=csv").await;
    assert!(String::from_utf8(csv.bytes)
        .unwrap()
        .starts_with("\u{feff}Tidspunkt;Bruker;Handling"));
}

#[rocket::async_test]
async fn registering_and_archiving_a_patient_show_on_the_dashboard_at_once() {
    let fx = fixture().await;
    let a1 = "Hjemmetjenesten Frogner nord";
    assert_eq!(cell(&fx.manager.get("/dashboard").await.body, a1, 0), "4");
    let new = fx
        .app
        .patient("Nina Nyregistrert", "03.03.1950", fx.org.unit_a1)
        .await;
    assert_eq!(cell(&fx.manager.get("/dashboard").await.body, a1, 0), "5");
    let archived = fx
        .app
        .post(
            &format!("/patients/{new}/archive"),
            &[("archive_reason", "no_services")],
        )
        .await;
    assert_eq!(archived.status, Status::SeeOther, "{}", archived.body);
    assert_eq!(cell(&fx.manager.get("/dashboard").await.body, a1, 0), "4");
}

/// Figures are kept per unit and only the units a change touched are counted again: a
/// follow-up still counts in the unit it was registered in after its patient and its owner
/// have both moved on, and closing it there shows at once.
#[rocket::async_test]
async fn a_change_counts_again_in_every_unit_it_touches() {
    let fx = fixture().await;
    let a1 = "Hjemmetjenesten Frogner nord";
    let a2 = "Hjemmetjenesten Frogner sør";
    let page = fx.manager.get("/dashboard").await;
    assert_eq!(cell(&page.body, a1, 7), "1 (eldste 17 dager)");
    assert_eq!(cell(&page.body, a2, 0), "1");

    // P1 moves to A2, and its follow-ups with it: they belong to the patient's unit.
    let unit_a2 = fx.org.unit_a2.to_string();
    let moved = fx
        .app
        .post(
            &format!("/patients/{}", fx.p1),
            &[
                ("full_name", "Per En"),
                ("birth_date", "01.02.1940"),
                ("unit_id", unit_a2.as_str()),
            ],
        )
        .await;
    assert_eq!(moved.status, Status::SeeOther, "{}", moved.body);
    let page = fx.manager.get("/dashboard").await;
    assert_eq!(cell(&page.body, a1, 0), "3");
    assert_eq!(cell(&page.body, a2, 0), "2");
    // Ola and Kari count where their patient now is: the relatives' figures are read
    // through the unit kept on each relative.
    assert_eq!(cell(&page.body, a1, 1), "67 % (2 av 3)");
    assert_eq!(cell(&page.body, a2, 1), "100 % (2 av 2)");
    assert_eq!(cell(&page.body, a1, 2), "–");
    assert_eq!(cell(&page.body, a2, 2), "33 % (1 av 3)");
    assert_eq!(cell(&page.body, a2, 6), "100 % (1 av 1)");
    assert_eq!(cell(&page.body, a1, 7), "0");
    assert_eq!(cell(&page.body, a2, 7), "1 (eldste 17 dager)");
    assert_eq!(cell(&page.body, "Hele Bydel Frogner", 0), "5");

    // The owner, ansatt1, moves to A2 as well, and half a year passes: Ola's agreement is
    // due for evaluation, its follow-up in A2 with the patient and owned in A2.
    fx.app
        .exec(&format!(
            "UPDATE users SET unit_id = {} WHERE username = 'ansatt1'",
            fx.org.unit_a2
        ))
        .await;
    fx.app.clock.advance_days(200);
    fx.manager.login_as("leder1").await;
    let page = fx.manager.get("/dashboard").await;
    assert_eq!(cell(&page.body, a1, 7), "1 (eldste 180 dager)");
    assert_eq!(cell(&page.body, a2, 7), "3 (eldste 217 dager)");
    assert_eq!(
        cell(&page.body, "Hele Bydel Frogner", 7),
        "4 (eldste 217 dager)"
    );

    // A worker of A2 ends the agreement, which cancels its evaluation follow-up: A2's count
    // follows, A1's stays.
    let a2_worker = fx.app.browser().await;
    a2_worker.login_as("ansatt3").await;
    let agreement = fx.app.scalar("SELECT MIN(id) FROM agreements").await;
    let today = format_date(fx.app.clock.today());
    let ended = a2_worker
        .post(
            &format!("/agreements/{agreement}/end"),
            &[("ended_on", today.as_str()), ("end_reason", "Flyttet")],
        )
        .await;
    assert!(
        ended.redirects_to(&format!("/agreements/{agreement}")),
        "{}",
        ended.body
    );
    let page = fx.manager.get("/dashboard").await;
    assert_eq!(cell(&page.body, a1, 7), "1 (eldste 180 dager)");
    assert_eq!(cell(&page.body, a2, 7), "2 (eldste 217 dager)");
    assert_eq!(
        cell(&page.body, "Hele Bydel Frogner", 7),
        "3 (eldste 217 dager)"
    );
}

/// The latest mapping by the day decides whether a relative's care is heavy.
#[rocket::async_test]
async fn the_latest_mapping_decides_whether_care_is_heavy() {
    let fx = fixture().await;
    let a1 = "Hjemmetjenesten Frogner nord";
    assert_eq!(
        cell(&fx.manager.get("/dashboard").await.body, a1, 3),
        "100 % (1 av 1)"
    );
    let ola = fx
        .app
        .scalar("SELECT id FROM relatives WHERE full_name = 'Ola En'")
        .await;
    let today = format_date(fx.app.clock.today());
    let mut mapping: Vec<(&str, &str)> = vec![
        ("mapped_on", today.as_str()),
        ("roles", "caregiver"),
        ("hours_per_week", "2"),
        ("violence", "no"),
    ];
    let names = [
        "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12",
    ];
    for n in names {
        mapping.push((n, "0"));
    }
    let r = fx
        .app
        .post(&format!("/relatives/{ola}/mappings"), &mapping)
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let page = fx.manager.get("/dashboard").await;
    // No heavy care left in A1; Ola is still mapped.
    assert_eq!(cell(&page.body, a1, 3), "–");
    assert_eq!(cell(&page.body, a1, 2), "50 % (1 av 2)");
}

/// A unit's figures are kept per shard of its patients: a change to one patient counts only
/// that patient's shard again (`db::changes::shard_of`), and what the page shows then is what
/// counting the whole district from scratch shows.
#[rocket::async_test]
async fn a_change_to_one_patient_counts_again_only_that_patients_shard() {
    let fx = fixture().await;
    let computed = |t: &TestApp| {
        t.client
            .rocket()
            .state::<samspill::web::dashboard::Cache>()
            .expect("the dashboard's cache")
            .computed_shards()
    };
    let main = |body: &str| {
        let from = body.find("<main").expect("a main element");
        body[from..body.find("</main>").expect("its end")].to_string()
    };
    let units = fx
        .app
        .scalar(&format!(
            "SELECT COUNT(*) FROM units WHERE district_id = (SELECT district_id FROM units WHERE id = {})",
            fx.org.unit_a1
        ))
        .await as usize;
    assert!(units >= 2, "{units}");

    // The first view counts every shard of every unit of the district, the second none.
    let first = fx.manager.get("/dashboard").await;
    assert_eq!(first.status, Status::Ok, "{}", first.body);
    assert_eq!(computed(&fx.manager), samspill::db::changes::SHARDS * units);
    fx.manager.get("/dashboard").await;
    assert_eq!(computed(&fx.manager), samspill::db::changes::SHARDS * units);

    // A patient registered in A1: one shard of A1 is counted again.
    fx.app
        .patient("Nina Nyregistrert", "03.03.1950", fx.org.unit_a1)
        .await;
    let after = fx.manager.get("/dashboard").await;
    assert_eq!(
        computed(&fx.manager),
        samspill::db::changes::SHARDS * units + 1
    );
    let a1 = "Hjemmetjenesten Frogner nord";
    assert_eq!(
        (cell(&first.body, a1, 0), cell(&after.body, a1, 0)),
        ("4".to_string(), "5".to_string())
    );

    // A manager on another instance counts everything from scratch and sees the same page.
    let fresh = fx.app.browser().await;
    fresh.login_as("leder1").await;
    let scratch = fresh.get("/dashboard").await;
    assert_eq!(computed(&fresh), samspill::db::changes::SHARDS * units);
    assert_eq!(main(&after.body), main(&scratch.body));
}
