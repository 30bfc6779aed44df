//! The contact rhythm of an agreement keeps itself: signing puts the next meeting and the
//! first contact on the contact person's list, completing a contact schedules the next,
//! and ending the agreement takes them off.

use crate::common::agreement::{add_relative, draft, pdftotext, sign};
use crate::common::{error_for, setup, TestApp};
use rocket::http::Status;
use samspill::domain::dates::format_date;

/// The open follow-ups of an agreement of one kind, as (due date, owner's username).
async fn open(app: &TestApp, agreement: i64, kind: &str) -> Vec<(String, String)> {
    let rows = app
        .text(&format!(
            "SELECT COALESCE(STRING_AGG(CAST(f.due_on AS TEXT) || ' ' || u.username, ',' ORDER BY f.id), '')
             FROM followups f JOIN users u ON u.id = f.owner_id
             WHERE f.agreement_id = {agreement} AND f.kind = '{kind}' AND f.status = 'open'"
        ))
        .await;
    rows.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (d, u) = s.split_once(' ').unwrap();
            (d.to_string(), u.to_string())
        })
        .collect()
}

fn iso(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[rocket::async_test]
async fn the_rhythm_puts_each_next_contact_on_the_contact_persons_list() {
    let (app, _org, patient) = setup().await;
    let kari = add_relative(&app, patient, "Kari Nordmann", &[("consent_scope", "full")]).await;
    let today = app.clock.today();
    let meeting_on = today + chrono::Duration::days(10);

    // The rhythm is a choice; anything else is refused at the field, with what was typed.
    let bad = app
        .post(
            &format!("/patients/{patient}/agreements"),
            &[
                ("relative_ids", &kari.to_string()),
                ("contact_rhythm", "daily"),
                ("contact_frequency", "Helst på ettermiddagen"),
            ],
        )
        .await;
    assert_eq!(bad.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&bad.body, "contact_rhythm"),
        "Velg hvor ofte dere holder kontakten."
    );
    assert!(bad.body.contains("Helst på ettermiddagen"));

    let id = draft(
        &app,
        patient,
        kari,
        &[
            ("contact_rhythm", "monthly"),
            ("contact_frequency", "Helst på ettermiddagen"),
            ("next_meeting_on", &format_date(meeting_on)),
        ],
    )
    .await;
    // A draft plans nothing yet.
    assert!(open(&app, id, "call").await.is_empty());
    let signed = sign(&app, id).await;
    assert_eq!(signed.status, Status::SeeOther, "{}", signed.body);

    let month = today.checked_add_months(chrono::Months::new(1)).unwrap();
    assert_eq!(
        open(&app, id, "meeting").await,
        [(iso(meeting_on), "ansatt1".to_string())]
    );
    assert_eq!(
        open(&app, id, "call").await,
        [(iso(month), "ansatt1".to_string())]
    );
    let concerns = app
        .text(&format!(
            "SELECT concerns FROM followups WHERE agreement_id = {id} AND kind = 'call'"
        ))
        .await;
    assert_eq!(
        concerns,
        "Kontakt med Kari Nordmann etter pårørendeavtalen (hver måned)"
    );

    // The printed copy says the rhythm in the copy's language, then the worker's words.
    let pdf = app
        .client
        .get(format!(
            "/agreements/{id}/pdf?lang=nn&recipient=party-{kari}"
        ))
        .dispatch()
        .await;
    let text = pdftotext(&pdf.into_bytes().await.unwrap());
    assert!(
        text.contains("Kvar månad. Helst på ettermiddagen"),
        "{text}"
    );

    // A contact made a week early schedules the next a month after it was made.
    let call = app
        .scalar(&format!(
            "SELECT id FROM followups WHERE agreement_id = {id} AND kind = 'call' AND status = 'open'"
        ))
        .await;
    app.clock.advance_days(24);
    app.login_as("ansatt1").await;
    let made_on = app.clock.today();
    let done = app
        .post(
            &format!("/followups/{call}/done"),
            &[("note", "Ringte Kari"), ("done_on", &format_date(made_on))],
        )
        .await;
    assert_eq!(done.status, Status::SeeOther, "{}", done.body);
    let next = made_on.checked_add_months(chrono::Months::new(1)).unwrap();
    assert_eq!(
        open(&app, id, "call").await,
        [(iso(next), "ansatt1".to_string())]
    );
    assert_eq!(
        app.text(&format!("SELECT status FROM followups WHERE id = {call}"))
            .await,
        "done"
    );

    // Ending the agreement takes its contacts and its evaluation off the list.
    let ended = app
        .post(
            &format!("/agreements/{id}/end"),
            &[
                ("ended_on", &format_date(made_on)),
                ("end_reason", "Kari ønsker ikke avtale lenger"),
            ],
        )
        .await;
    assert_eq!(ended.status, Status::SeeOther, "{}", ended.body);
    assert!(open(&app, id, "call").await.is_empty());
    assert!(open(&app, id, "meeting").await.is_empty());
    assert!(open(&app, id, "evaluation").await.is_empty());
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM followups WHERE agreement_id = {id} AND status = 'cancelled' AND kind IN ('call', 'meeting')"
        ))
        .await,
        2
    );
}

#[rocket::async_test]
async fn when_needed_plans_no_contact_and_a_new_version_replaces_the_plan() {
    let (app, _org, patient) = setup().await;
    let kari = add_relative(&app, patient, "Kari Nordmann", &[("consent_scope", "full")]).await;
    let id = draft(&app, patient, kari, &[("contact_rhythm", "as_needed")]).await;
    assert_eq!(sign(&app, id).await.status, Status::SeeOther);
    assert!(open(&app, id, "call").await.is_empty());
    assert!(open(&app, id, "meeting").await.is_empty());

    // A new version every week, signed: the list follows the version in force.
    let lock = app
        .scalar(&format!(
            "SELECT lock_version FROM agreements WHERE id = {id}"
        ))
        .await
        .to_string();
    let contact = app
        .scalar("SELECT id FROM users WHERE username = 'ansatt2'")
        .await
        .to_string();
    let eval = crate::common::agreement::in_months(&app, 6);
    let saved = app
        .post(
            &format!("/agreements/{id}"),
            &[
                ("lock", lock.as_str()),
                ("relative_ids", &kari.to_string()),
                ("contact_rhythm", "weekly"),
                ("contact_id", &contact),
                ("capacity", "can_consent"),
                ("evaluation_on", &eval),
            ],
        )
        .await;
    assert_eq!(saved.status, Status::SeeOther, "{}", saved.body);
    assert_eq!(sign(&app, id).await.status, Status::SeeOther);
    let week = app.clock.today() + chrono::Duration::days(7);
    assert_eq!(
        open(&app, id, "call").await,
        [(iso(week), "ansatt2".to_string())]
    );
}
