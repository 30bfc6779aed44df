//! The relatives' feedback: a personal link read back from the printed copy, one answer per
//! link, expiry, a public form that shows no patient data, and answers that cannot be
//! joined back to anyone.

use crate::common::agreement::{add_relative, draft, pdftotext, sign};
use crate::common::{self, error_for, setup, TestApp};
use rocket::http::Status;
use samspill::domain::user::Role;

/// The feedback address printed on `relative`'s copy, if any (the path only).
async fn printed_link(app: &TestApp, agreement: i64, recipient: &str) -> Option<String> {
    let pdf = app
        .get(&format!(
            "/agreements/{agreement}/pdf?lang=nb&recipient={recipient}"
        ))
        .await;
    assert_eq!(pdf.status, Status::Ok, "{}", pdf.body);
    let text = pdftotext(&pdf.bytes);
    let line = text.lines().find(|l| l.contains("/t/"))?;
    let at = line.find("/t/").unwrap();
    Some(line[at..].trim().to_string())
}

/// A signed agreement with Kari; returns (agreement, Kari).
async fn agreement(app: &TestApp, patient: i64) -> (i64, i64) {
    let kari = add_relative(app, patient, "Kari Datter", &[("relation", "child")]).await;
    let id = draft(app, patient, kari, &[]).await;
    let r = sign(app, id).await;
    assert!(r.redirects_to(&format!("/agreements/{id}")), "{}", r.body);
    (id, kari)
}

fn csrf_of(body: &str) -> String {
    let at = body
        .find("name=\"csrf\" value=\"")
        .expect("the form's check")
        + 19;
    body[at..at + body[at..].find('"').unwrap()].to_string()
}

fn answers<'a>(csrf: &'a str, overall: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("lang", "nb"),
        ("respect", "5"),
        ("information", "4"),
        ("contact", "5"),
        ("asked", "3"),
        ("views", "skip"),
        ("relief", "2"),
        ("offers", "4"),
        ("overall", overall),
        ("improve", "Mer tid til samtaler"),
    ]
}

#[rocket::async_test]
async fn a_relative_answers_once_through_the_link_printed_on_their_copy() {
    let (app, _org, patient) = setup().await;
    let (id, kari) = agreement(&app, patient).await;
    let copy = format!("party-{kari}");
    let path = printed_link(&app, id, &copy)
        .await
        .expect("a feedback address");
    // The token is 26 characters in groups of four, and a reprint shows the same address.
    assert_eq!(path.len(), "/t/".len() + 26 + 6, "{path}");
    assert_eq!(
        printed_link(&app, id, &copy).await.as_deref(),
        Some(path.as_str())
    );
    // The unit's own file copy has none.
    assert_eq!(printed_link(&app, id, "file").await, None);
    // The address is also a QR code: a figure with a text alternative, and the copy stays
    // an accessible archival PDF.
    let pdf = app
        .get(&format!("/agreements/{id}/pdf?lang=nb&recipient={copy}"))
        .await;
    let structure = common::pdf::structure(&pdf.bytes);
    assert_eq!(structure.iter().filter(|s| *s == "Figure").count(), 1);
    let pages = pdftotext(&pdf.bytes).matches('\u{c}').count().max(1);
    let scanned = common::pdf::qr_text(&pdf.bytes, pages);
    assert!(scanned.ends_with(&path), "{scanned} is not {path}");
    assert!(scanned.starts_with("http"), "{scanned}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("relative.pdf");
    std::fs::write(&file, &pdf.bytes).unwrap();
    common::pdf::assert_accessible_and_archival(&[file.as_path()]);
    // The token is stored only as a hash.
    let token = path.trim_start_matches("/t/");
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM feedback_links WHERE token_hash = '{}'",
            samspill::security::token_hash(token)
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM feedback_links WHERE token_hash LIKE '%{token}%' OR salt = '{token}'"
        ))
        .await,
        0
    );

    // The relative, not logged in, on a phone.
    app.logout().await;
    let page = app.get(&path).await;
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    assert!(page.body.contains("<html lang=\"nb\">"));
    assert!(page.body.contains("Hjemmetjenesten Frogner nord"));
    assert!(page.body.contains("Jeg blir møtt med respekt."));
    assert!(!page.body.contains("Per Nordmann"));
    assert!(!page.body.contains("Kari Datter"));
    // Typed by hand, in small letters and without dashes, it is the same link.
    let typed = format!("/t/{}", token.replace('-', "").to_lowercase());
    let page = app.get(&typed).await;
    assert_eq!(page.status, Status::Ok);
    // The latest page's check is the one the form carries.
    let csrf = csrf_of(&page.body);

    // A question left out: the message at the question, in the relative's language, and
    // what was typed kept.
    let mut missing = answers(&csrf, "5");
    missing.retain(|(k, _)| *k != "offers");
    let r = app.post(&path, &missing).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&r.body, "offers"),
        "Velg et svar, eller «Vil ikke svare»."
    );
    assert!(r.body.contains(">Mer tid til samtaler</textarea>"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM feedback_answers").await, 0);
    // Without the form's check: refused, nothing written.
    let r = app.post(&path, &answers("forged", "5")).await;
    assert_eq!(r.status, Status::Forbidden);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM feedback_answers").await, 0);
    let csrf = csrf_of(&r.body);

    let r = app.post(&path, &answers(&csrf, "4")).await;
    assert!(
        r.redirects_to("/t/takk?lang=nb"),
        "{:?} {}",
        r.status,
        r.body
    );
    assert!(app
        .get("/t/takk?lang=nb")
        .await
        .body
        .contains("Takk for at du svarte!"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM feedback_answers").await, 1);
    assert_eq!(
        app.text("SELECT CAST(respect AS TEXT) || CAST(information AS TEXT) || CAST(relief AS TEXT) || CAST(overall AS TEXT) || COALESCE(CAST(views AS TEXT), '-') || improve FROM feedback_answers")
            .await,
        "5424-Mer tid til samtaler"
    );

    // A second answer on the same link: refused, and nothing written.
    let again = app.get(&path).await;
    assert_eq!(again.status, Status::Gone);
    assert!(again.body.contains("Denne lenken er allerede brukt."));
    let r = app.post(&path, &answers(&csrf, "1")).await;
    assert_eq!(r.status, Status::Gone);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM feedback_answers").await, 1);

    // Addresses that are no link: a clear page, never an error.
    for bad in [
        "/t/ABCD",
        "/t/%2e%2e%2fetc",
        "/t/0000-0000-0000-0000-0000-0000-00",
    ] {
        let r = app.get(bad).await;
        assert_eq!(r.status, Status::NotFound, "{bad}");
        assert!(r.body.contains("Vi finner ikke denne lenken."), "{bad}");
    }

    // The worker's next print: the relative has answered in this period, so no address.
    app.login_as("ansatt1").await;
    assert_eq!(printed_link(&app, id, &copy).await, None);
}

#[rocket::async_test]
async fn an_expired_link_takes_no_answer_and_a_new_print_gives_a_new_one() {
    let (app, _org, patient) = setup().await;
    let (id, kari) = agreement(&app, patient).await;
    let copy = format!("party-{kari}");
    let path = printed_link(&app, id, &copy).await.unwrap();
    app.clock.advance_days(55);
    app.login_as("ansatt1").await;
    // Until eight weeks have passed it works, and a reprint shows it again.
    assert_eq!(
        printed_link(&app, id, &copy).await.as_deref(),
        Some(path.as_str())
    );
    let page = app.get(&path).await;
    assert_eq!(page.status, Status::Ok);
    let csrf = csrf_of(&page.body);
    app.clock.advance_days(2);
    let r = app.post(&path, &answers(&csrf, "5")).await;
    assert_eq!(r.status, Status::Gone);
    assert!(r.body.contains("Denne lenken er utløpt"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM feedback_answers").await, 0);
    app.login_as("ansatt1").await;
    let fresh = printed_link(&app, id, &copy).await.unwrap();
    assert_ne!(fresh, path);
    // In English when the copy was printed in English.
    let english = app.get(&format!("{fresh}?lang=en")).await;
    assert!(english.body.contains("<html lang=\"en\">"));
    assert!(english.body.contains("I am treated with respect."));
}

#[rocket::async_test]
async fn no_stored_answer_can_be_joined_back_to_a_relative() {
    let app = common::start().await;
    let sql = if common::is_postgres() {
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'feedback_answers' ORDER BY ordinal_position"
    } else {
        "SELECT name FROM pragma_table_info('feedback_answers') ORDER BY cid"
    };
    let columns: Vec<String> =
        samspill::db::on_db!(&app.db, |p| sqlx::query_scalar(sql).fetch_all(p).await).unwrap();
    assert_eq!(
        columns,
        [
            "id",
            "unit_id",
            "month",
            "respect",
            "information",
            "contact",
            "asked",
            "views",
            "relief",
            "offers",
            "overall",
            "improve"
        ]
    );
    // The links say whether they were used, never when.
    let sql = if common::is_postgres() {
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'feedback_links' ORDER BY ordinal_position"
    } else {
        "SELECT name FROM pragma_table_info('feedback_links') ORDER BY cid"
    };
    let columns: Vec<String> =
        samspill::db::on_db!(&app.db, |p| sqlx::query_scalar(sql).fetch_all(p).await).unwrap();
    assert!(!columns
        .iter()
        .any(|c| c.contains("used_at") || c.contains("answer")));
}

/// The feedback table's cells for `row` (a unit's name).
fn feedback_row(body: &str, row: &str) -> Vec<String> {
    let table = &body[body.find("id=\"feedback-caption\"").unwrap()..];
    let at = table
        .find(&format!("<th scope=\"row\">{row}</th>"))
        .unwrap_or_else(|| panic!("no row {row}"));
    let rest = &table[at..at + table[at..].find("</tr>").unwrap()];
    rest.split("<td")
        .skip(1)
        .map(|c| {
            let c = &c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()];
            c.split("<span")
                .next()
                .unwrap()
                .trim_end_matches("</a>")
                .to_string()
        })
        .map(|c| match c.find('>') {
            Some(i) if c.starts_with("<a") => c[i + 1..].to_string(),
            _ => c,
        })
        .collect()
}

#[rocket::async_test]
async fn a_unit_shows_feedback_only_from_five_answers_and_then_the_exact_averages() {
    let (app, org, _patient) = setup().await;
    app.user("leder1", Role::Manager, Some(org.unit_a1)).await;
    let month = app.clock.today().format("%Y-%m").to_string();
    let answer = |unit: i64, scores: &str, improve: &str| {
        format!(
            "INSERT INTO feedback_answers (unit_id, month, respect, information, contact, asked, views, relief, offers, overall, improve)
             VALUES ({unit}, '{month}', {scores}, '{improve}')"
        )
    };
    let a1 = org.unit_a1;
    for (scores, improve) in [
        ("5, 4, 5, 3, NULL, 2, 4, 4", "Mer tid til samtaler"),
        ("4, 4, 5, 3, 3, 1, 5, 5", ""),
        ("5, 3, 4, 4, 4, 2, NULL, 4", ""),
        ("3, 4, 5, 2, 4, 3, 4, 3", ""),
    ] {
        app.exec(&answer(a1, scores, improve)).await;
    }
    app.exec(&answer(
        org.unit_a2,
        "5, 5, 5, 5, 5, 5, 5, 5",
        "Bedre informasjon",
    ))
    .await;
    let manager = app.browser().await;
    manager.login_as("leder1").await;
    let page = manager.get("/dashboard").await;
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    assert_eq!(
        feedback_row(&page.body, "Hjemmetjenesten Frogner nord"),
        ["4", "for få svar"]
    );
    assert!(!page.body.contains("Mer tid til samtaler"));

    app.exec(&answer(
        a1,
        "4, 5, 5, 3, 5, 2, 4, 5",
        "Avlastning i helgene",
    ))
    .await;
    let page = manager.get("/dashboard").await;
    let row = feedback_row(&page.body, "Hjemmetjenesten Frogner nord");
    assert_eq!(
        row[..10],
        ["5", "4,2", "4,0", "4,8", "3,0", "4,0", "2,0", "4,3", "4,2"][..]
            .iter()
            .map(|s| s.to_string())
            .chain(["Fritekstsvar".to_string()])
            .collect::<Vec<_>>()[..]
    );
    assert_eq!(
        feedback_row(&page.body, "Hjemmetjenesten Frogner sør"),
        ["1", "for få svar"]
    );
    let total = feedback_row(&page.body, "Hele Bydel Frogner");
    assert_eq!((total[0].as_str(), total[1].as_str()), ("6", "4,3"));
    // The distribution of "views": one 3, two 4s, one 5, one would rather not answer.
    let dist = &page.body[page
        .body
        .find(&format!("id=\"feedback-distribution-{a1}\""))
        .unwrap()..];
    let views = &dist[dist.find("Synspunkter tatt hensyn til</th>").unwrap()..];
    let views = &views[..views.find("</tr>").unwrap()];
    assert!(
        views.ends_with("<td>0</td><td>0</td><td>1</td><td>2</td><td>1</td><td>1</td>"),
        "{views}"
    );

    // Free texts past the threshold, in alphabetical order, without dates; not for A2.
    let texts = manager
        .get(&format!("/dashboard/feedback/texts?unit={a1}"))
        .await
        .body;
    let (first, second) = (
        texts.find("<li>Avlastning i helgene</li>").unwrap(),
        texts.find("<li>Mer tid til samtaler</li>").unwrap(),
    );
    assert!(first < second);
    let few = manager
        .get(&format!("/dashboard/feedback/texts?unit={}", org.unit_a2))
        .await
        .body;
    assert!(few.contains("For få svar"));
    assert!(!few.contains("Bedre informasjon"));
    let csv = manager
        .get(&format!("/dashboard/feedback/texts?unit={a1}&format=csv"))
        .await;
    assert_eq!(csv.status, Status::Ok);
    assert_eq!(csv.body.lines().count(), 3, "{}", csv.body);
    let refused = manager
        .get(&format!(
            "/dashboard/feedback/texts?unit={}&format=csv",
            org.unit_a2
        ))
        .await;
    assert_eq!(refused.status, Status::NotFound);
}

#[rocket::async_test]
async fn a_link_tried_too_often_is_refused_for_a_while() {
    let app = common::start().await;
    let path = "/t/0000-0000-0000-0000-0000-0000-00";
    for _ in 0..20 {
        assert_eq!(app.get(path).await.status, Status::NotFound);
    }
    let r = app.get(path).await;
    assert_eq!(r.status, Status::TooManyRequests);
    assert!(r.body.contains("for mange forsøk"));
    // Another link is not held up.
    assert_eq!(
        app.get("/t/1111-1111-1111-1111-1111-1111-11").await.status,
        Status::NotFound
    );
}

#[rocket::async_test]
async fn an_invitation_carries_the_address_of_a_relative_with_an_agreement_in_force() {
    let (app, _org, patient) = setup().await;
    let (id, kari) = agreement(&app, patient).await;
    let copy = printed_link(&app, id, &format!("party-{kari}"))
        .await
        .unwrap();
    let ola = add_relative(&app, patient, "Ola Sønn", &[("relation", "child")]).await;
    let text_of = |meeting: i64, relative: i64| {
        let app = &app;
        async move {
            let r = app
                .get(&format!(
                    "/meetings/{meeting}/invitation?relative={relative}&lang=nb"
                ))
                .await;
            assert_eq!(r.status, Status::Ok, "{}", r.body);
            pdftotext(&r.bytes)
        }
    };
    let meeting =
        crate::suite::invitation::planned_meeting(&app, patient, kari, "Helsehuset, rom 2").await;
    let letter = text_of(meeting, kari).await;
    assert!(letter.contains("Hva synes du om samarbeidet?"));
    assert!(letter.contains(&copy), "{letter}");
    // Ola has no agreement: his invitation has no address.
    let meeting =
        crate::suite::invitation::planned_meeting(&app, patient, ola, "Helsehuset, rom 2").await;
    assert!(!text_of(meeting, ola).await.contains("/t/"));
}
