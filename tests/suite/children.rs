//! Children, asked every time: the answer about minor children or siblings completes
//! identification, a child's follow-up is repeated at least yearly, and a death with
//! children who are relatives gives the bereaved children's follow-up (§ 10 b).

use crate::common::{error_for, relative, setup, TestApp};
use rocket::http::Status;

async fn child(app: &TestApp, patient: i64, name: &str) -> i64 {
    let r = app
        .post(
            &format!("/patients/{patient}/relatives"),
            &relative(
                name,
                &[
                    ("relation", "child"),
                    ("age_group", "child"),
                    ("involvement", "no"),
                ],
            ),
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    app.scalar("SELECT MAX(id) FROM relatives").await
}

async fn follow_up(app: &TestApp, id: i64, fields: &[(&str, &str)]) -> crate::common::Reply {
    let mut all = vec![
        ("informed", "yes"),
        ("follower", "Helsesykepleier ved skolen"),
        ("concern", "no"),
    ];
    all.extend_from_slice(fields);
    app.post(&format!("/relatives/{id}/child-followup"), &all)
        .await
}

#[rocket::async_test]
async fn a_childs_follow_up_records_care_tasks_and_is_repeated_yearly() {
    let (app, _org, patient) = setup().await;
    let ida = child(&app, patient, "Ida Nordmann").await;
    let task = format!("/relatives/{ida}/child-followup\">Registrer oppfølgingen av Ida Nordmann");
    assert!(app.get("/today").await.body.contains(&task));

    // Care tasks are asked about; a child with care tasks needs a word on what is done.
    let bad = follow_up(&app, ida, &[("care_tasks", "yes")]).await;
    assert_eq!(bad.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&bad.body, "care_tasks_note"),
        "Skriv hvilke omsorgsoppgaver barnet har, og hva som gjøres for å avlaste barnet."
    );
    let ok = follow_up(
        &app,
        ida,
        &[
            ("care_tasks", "yes"),
            ("care_tasks_note", "Lager middag til faren; avlastning søkt"),
        ],
    )
    .await;
    assert_eq!(ok.status, Status::SeeOther, "{}", ok.body);
    assert_eq!(
        app.text(&format!(
            "SELECT care_tasks || ': ' || care_tasks_note FROM child_followups WHERE relative_id = {ida}"
        ))
        .await,
        "yes: Lager middag til faren; avlastning søkt"
    );
    assert!(!app.get("/today").await.body.contains(&task));

    // Just short of a year later it still counts; a year later it is due again.
    app.clock.advance_days(364);
    app.login_as("ansatt1").await;
    assert!(!app.get("/today").await.body.contains(&task));
    app.clock.advance_days(1);
    app.login_as("ansatt1").await;
    assert!(app.get("/today").await.body.contains(&task));
    assert!(app
        .get(&format!("/patients/{patient}/steps/identify"))
        .await
        .body
        .contains("Oppfølging av barnet mangler"));
}

#[rocket::async_test]
async fn archiving_after_a_death_gives_the_bereaved_childrens_follow_up() {
    let (app, _org, patient) = setup().await;
    child(&app, patient, "Ida Nordmann").await;
    child(&app, patient, "Jon Nordmann").await;
    let archived = app
        .post(
            &format!("/patients/{patient}/archive"),
            &[("archive_reason", "died")],
        )
        .await;
    assert!(archived.redirects_to(&format!("/patients/{patient}")));
    assert_eq!(
        app.text(&format!(
            "SELECT archive_reason FROM patients WHERE id = {patient}"
        ))
        .await,
        "died"
    );
    let owner = app
        .scalar("SELECT id FROM users WHERE username = 'ansatt1'")
        .await;
    assert_eq!(
        app.text(&format!(
            "SELECT kind || ' ' || CAST(owner_id AS TEXT) || ' ' || concerns FROM followups WHERE patient_id = {patient}"
        ))
        .await,
        format!(
            "child {owner} Oppfølging av etterlatte barn: Ida Nordmann, Jon Nordmann (helsepersonelloven § 10 b)"
        )
    );
    assert!(app
        .get("/followups")
        .await
        .body
        .contains("Oppfølging av etterlatte barn: Ida Nordmann, Jon Nordmann"));

    // Moving away gives none.
    let (app, _org, patient) = setup().await;
    child(&app, patient, "Ida Nordmann").await;
    app.post(
        &format!("/patients/{patient}/archive"),
        &[("archive_reason", "moved")],
    )
    .await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM followups").await, 0);
}
