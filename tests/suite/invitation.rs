//! The invitation to a first conversation: a letter to an invited relative in their
//! language, with the same document quality as the agreement.

use crate::common::agreement::{add_relative, pdftotext};
use crate::common::{id_from, pdf, setup, TestApp};
use rocket::http::Status;
use samspill::domain::user::Role;

pub(crate) async fn planned_meeting(
    app: &TestApp,
    patient: i64,
    relative: i64,
    place: &str,
) -> i64 {
    let day = app.date_in(7);
    let r = app
        .post(
            &format!("/patients/{patient}/meetings"),
            &[
                ("kind", "first"),
                ("date", day.as_str()),
                ("time", "13:30"),
                ("place", place),
                ("relative_ids", &relative.to_string()),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    id_from(&r.location, "/meetings/")
}

async fn letter(app: &TestApp, path: &str) -> (Status, Vec<u8>) {
    let res = app.client.get(path.to_string()).dispatch().await;
    let status = res.status();
    (status, res.into_bytes().await.unwrap_or_default())
}

#[rocket::async_test]
async fn an_invited_relative_gets_a_letter_in_their_language() {
    let (app, org, patient) = setup().await;
    let kari = add_relative(&app, patient, "Kari Nordmann", &[("consent_scope", "full")]).await;
    let ola = add_relative(&app, patient, "Ola Nordmann", &[("consent_scope", "full")]).await;
    let m = planned_meeting(&app, patient, kari, "Tjenestestedet, Frognerveien 12").await;
    let page = app.get(&format!("/meetings/{m}")).await.body;
    assert!(page.contains(&format!(
        "<form method=\"get\" action=\"/meetings/{m}/invitation\""
    )));

    let (status, nn) = letter(
        &app,
        &format!("/meetings/{m}/invitation?relative={kari}&lang=nn"),
    )
    .await;
    assert_eq!(status, Status::Ok);
    let text = pdftotext(&nn);
    let day = app.date_in(7);
    for expected in [
        "Invitasjon til ein første samtale",
        "Til: Kari Nordmann",
        &format!("Dato: {day}"),
        "Klokkeslett: 13:30",
        "Stad: Tjenestestedet, Frognerveien 12",
        "Det er frivillig å delta",
        "kva du kan og vil gjere for Per Nordmann",
        "Kontakt: Test ansatt1",
    ] {
        assert!(text.contains(expected), "{expected} in:\n{text}");
    }
    let (_, nb) = letter(&app, &format!("/meetings/{m}/invitation?relative={kari}")).await;
    assert!(pdftotext(&nb).contains("Invitasjon til en første samtale"));
    let (_, en) = letter(
        &app,
        &format!("/meetings/{m}/invitation?relative={kari}&lang=en"),
    )
    .await;
    assert!(pdftotext(&en).contains("Taking part is voluntary"));
    assert_eq!(
        app.text("SELECT detail FROM access_log WHERE action = 'print' AND entity = 'meeting' ORDER BY id LIMIT 1")
            .await,
        "Invitasjon til Kari Nordmann (nn)"
    );

    // Only an invited relative, a known language, a meeting not yet held, in the unit.
    for path in [
        format!("/meetings/{m}/invitation?relative={ola}"),
        format!("/meetings/{m}/invitation?relative={kari}&lang=sv"),
        format!("/meetings/{m}/invitation"),
    ] {
        assert_eq!(letter(&app, &path).await.0, Status::NotFound, "{path}");
    }
    let other = app.browser().await;
    app.user("ansatt3", Role::Worker, Some(org.unit_a2)).await;
    other.login_as("ansatt3").await;
    let path = format!("/meetings/{m}/invitation?relative={kari}");
    assert_eq!(letter(&other, &path).await.0, Status::NotFound);
    // Once the day has passed, the meeting is no longer planned.
    app.clock.advance_days(8);
    app.login_as("ansatt1").await;
    assert_eq!(letter(&app, &path).await.0, Status::NotFound);
    assert!(!app
        .get(&format!("/meetings/{m}"))
        .await
        .body
        .contains("/invitation\""));

    // Tagged and archival like the agreement, in each language.
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<std::path::PathBuf> = [("nb", &nb), ("nn", &nn), ("en", &en)]
        .iter()
        .map(|(l, bytes)| {
            let f = dir.path().join(format!("invitation-{l}.pdf"));
            std::fs::write(&f, bytes).unwrap();
            f
        })
        .collect();
    let refs: Vec<&std::path::Path> = files.iter().map(|f| f.as_path()).collect();
    pdf::assert_accessible_and_archival(&refs);
}

#[rocket::async_test]
async fn the_minutes_go_to_a_relative_who_took_part_within_their_consent() {
    let (app, _org, patient) = setup().await;
    let kari = add_relative(&app, patient, "Kari Nordmann", &[("consent_scope", "full")]).await;
    let ola = add_relative(&app, patient, "Ola Nordmann", &[("consent_scope", "none")]).await;
    let per = add_relative(&app, patient, "Per Nabo", &[("consent_scope", "full")]).await;
    let today = app.date_in(0);
    let due = app.date_in(14);
    let owner = app
        .scalar("SELECT id FROM users WHERE username = 'ansatt1'")
        .await
        .to_string();
    let (k, o) = (kari.to_string(), ola.to_string());
    let r = app
        .post(
            &format!("/patients/{patient}/meetings"),
            &[
                ("kind", "followup"),
                ("date", today.as_str()),
                ("time", "09:00"),
                ("relative_ids", k.as_str()),
                ("relative_ids", o.as_str()),
                ("staff", "Test ansatt1"),
                (
                    "minutes",
                    "Per har fått mer hjelp om kvelden og sover bedre.",
                ),
                ("next_due", due.as_str()),
                ("next_owner_id", owner.as_str()),
                ("next_kind", "call"),
                ("next_concerns", "Ring om kveldsbesøkene"),
                ("action", "complete"),
            ],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let m = id_from(&r.location, "/meetings/");
    assert!(app
        .get(&format!("/meetings/{m}"))
        .await
        .body
        .contains(&format!("action=\"/meetings/{m}/minutes\"")));

    let (status, full) = letter(&app, &format!("/meetings/{m}/minutes?relative={kari}")).await;
    assert_eq!(status, Status::Ok);
    let text = pdftotext(&full);
    assert!(text.contains("Referat fra møte"), "{text}");
    assert!(text.contains("Til: Kari Nordmann"));
    assert!(text.contains("Til stede: Kari Nordmann, Ola Nordmann, Test ansatt1"));
    assert!(text.contains("Per har fått mer hjelp om kvelden og sover bedre."));
    assert!(text.contains(&format!("Ring om kveldsbesøkene (innen {due})")));

    // Ola has no consent: neither the minutes nor what was agreed about the patient.
    let (_, none) = letter(
        &app,
        &format!("/meetings/{m}/minutes?relative={ola}&lang=en"),
    )
    .await;
    let text = pdftotext(&none);
    assert!(text.contains("Minutes of a meeting"));
    assert!(
        !text.contains("sover bedre") && !text.contains("kveldsbesøkene"),
        "{text}"
    );
    assert!(text.contains("The patient has not consented to you receiving such information"));
    assert_eq!(
        app.text("SELECT detail FROM access_log WHERE action = 'print' AND entity = 'meeting' ORDER BY id DESC LIMIT 1")
            .await,
        "Referat til Ola Nordmann (en, uten referatet: ikke fullt samtykke)"
    );
    // Only a relative who took part.
    assert_eq!(
        letter(&app, &format!("/meetings/{m}/minutes?relative={per}"))
            .await
            .0,
        Status::NotFound
    );
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<std::path::PathBuf> = [("full", &full), ("none", &none)]
        .iter()
        .map(|(l, bytes)| {
            let f = dir.path().join(format!("minutes-{l}.pdf"));
            std::fs::write(&f, bytes).unwrap();
            f
        })
        .collect();
    let refs: Vec<&std::path::Path> = files.iter().map(|f| f.as_path()).collect();
    pdf::assert_accessible_and_archival(&refs);
}
