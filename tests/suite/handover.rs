//! Hand-over: deactivating a worker, or moving them to another unit, gives their open
//! follow-ups and contact-person roles to named colleagues in the same step, and an
//! agreement in force gets a new version naming the new contact person.

use crate::common::agreement::{add_relative, draft, sign};
use crate::common::{call_followup, error_for, setup, TestApp};
use rocket::http::Status;
use samspill::domain::user::Role;

async fn id_of(app: &TestApp, username: &str) -> i64 {
    app.scalar(&format!(
        "SELECT id FROM users WHERE username = '{username}'"
    ))
    .await
}

/// Relatives whose contact person is not an active worker of the relative's patient's unit.
async fn orphaned(app: &TestApp) -> i64 {
    app.scalar(
        "SELECT COUNT(*) FROM relatives r JOIN patients p ON p.id = r.patient_id
         JOIN users u ON u.id = r.contact_person_id
         WHERE u.active = FALSE OR u.unit_id <> p.unit_id",
    )
    .await
}

#[rocket::async_test]
async fn deactivating_a_worker_hands_over_followups_relatives_and_agreements() {
    let (app, org, patient) = setup().await;
    let w1 = id_of(&app, "ansatt1").await;
    let w2 = id_of(&app, "ansatt2").await;
    let leader = app.user("leder1", Role::Manager, Some(org.unit_a2)).await;
    app.user("admin", Role::Admin, None).await;

    // ansatt1 is Kari's contact person, contact person in her agreement in force, and owns
    // a follow-up of their own.
    let w1s = w1.to_string();
    let kari = add_relative(
        &app,
        patient,
        "Kari Nordmann",
        &[("consent_scope", "full"), ("contact_person_id", &w1s)],
    )
    .await;
    let agreement = draft(&app, patient, kari, &[("contact_rhythm", "monthly")]).await;
    assert_eq!(sign(&app, agreement).await.status, Status::SeeOther);
    let call = call_followup(&app, patient, "Ring Kari om avlastning", 5).await;
    assert_eq!(orphaned(&app).await, 0);

    app.logout().await;
    app.login_as("admin").await;
    let page = app.get(&format!("/admin/users/{w1}")).await;
    assert!(
        page.body.contains("Brukeren har 3 åpne oppfølginger, er kontaktperson for 1 pårørende og er kontaktperson eller stedfortreder i 1 pårørendeavtaler"),
        "{}",
        page.body
    );
    // Counts only: the administrator sees no patient data.
    assert!(!page.body.contains("Kari Nordmann") && !page.body.contains("Per Nordmann"));

    // Without a hand-over nothing happens.
    let refused = app
        .post(&format!("/admin/users/{w1}/deactivate"), &[])
        .await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&refused.body, "followups_to"),
        "Velg hvem som tar over de åpne oppfølgingene."
    );
    assert_eq!(
        error_for(&refused.body, "contacts_to"),
        "Velg hvilken kollega som blir ny kontaktperson for de pårørende."
    );
    // A colleague from another unit is no colleague.
    let outsider = app.user("ansatt9", Role::Worker, Some(org.unit_b1)).await;
    let refused = app
        .post(
            &format!("/admin/users/{w1}/deactivate"),
            &[
                ("followups_to", "manager"),
                ("contacts_to", &outsider.to_string()),
            ],
        )
        .await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&refused.body, "contacts_to"),
        "Velg hvilken kollega som blir ny kontaktperson for de pårørende."
    );
    assert!(refused.body.contains("<option value=\"manager\" selected>"));
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM users WHERE id = {w1} AND active"
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT contact_person_id FROM relatives WHERE id = {kari}"
        ))
        .await,
        w1
    );

    // The follow-ups of their own to the manager to assign, the contact roles to ansatt2.
    let done = app
        .post(
            &format!("/admin/users/{w1}/deactivate"),
            &[
                ("followups_to", "manager"),
                ("contacts_to", &w2.to_string()),
            ],
        )
        .await;
    assert_eq!(done.status, Status::SeeOther, "{}", done.body);
    let page = app.get(&format!("/admin/users/{w1}")).await;
    assert!(page.body.contains(
        "Overlevert: 1 åpne oppfølginger, kontaktpersonrollen for 1 pårørende og 1 pårørendeavtaler."
    ));
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM users WHERE id = {w1} AND active"
        ))
        .await,
        0
    );
    assert_eq!(orphaned(&app).await, 0);
    assert_eq!(
        app.scalar(&format!(
            "SELECT contact_person_id FROM relatives WHERE id = {kari}"
        ))
        .await,
        w2
    );
    assert_eq!(
        app.scalar(&format!("SELECT owner_id FROM followups WHERE id = {call}"))
            .await,
        leader
    );
    // The agreement's own follow-ups (evaluation, contact) go with the contact role.
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM followups WHERE agreement_id = {agreement} AND status = 'open' AND owner_id = {w2}"
        ))
        .await,
        2
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM followups WHERE owner_id = {w1} AND status = 'open'"
        ))
        .await,
        0
    );
    // A new version names ansatt2; it waits for signatures, and ansatt2 is asked to give
    // Kari a new copy.
    assert_eq!(
        app.scalar(&format!(
            "SELECT current_version FROM agreements WHERE id = {agreement}"
        ))
        .await,
        2
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT contact_person_id FROM agreements WHERE id = {agreement}"
        ))
        .await,
        w2
    );
    let content = app
        .text(&format!(
            "SELECT content FROM agreement_versions WHERE agreement_id = {agreement} AND number = 2"
        ))
        .await;
    let content: serde_json::Value = serde_json::from_str(&content).unwrap();
    assert_eq!(content["contact"]["name"], "Test ansatt2");
    assert_eq!(
        app.text(&format!(
            "SELECT concerns FROM followups WHERE kind = 'other' AND owner_id = {w2} AND status = 'open'"
        ))
        .await,
        "Ny kontaktperson: signer versjon 2 av pårørendeavtalen med Kari Nordmann og gi en ny kopi"
    );
    // Each change is in the patient's history, by the administrator.
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM events WHERE patient_id = {patient} AND author_name = 'Test admin'
             AND (summary LIKE 'Ny kontaktperson for Kari Nordmann%' OR summary LIKE 'Pårørendeavtalen har fått versjon 2%'
                  OR summary LIKE 'Oppfølging «Ring Kari om avlastning» overlevert til%')"
        ))
        .await,
        3
    );
}

#[rocket::async_test]
async fn moving_a_worker_to_another_unit_requires_the_hand_over_in_the_same_form() {
    let (app, org, patient) = setup().await;
    let w1 = id_of(&app, "ansatt1").await;
    let w2 = id_of(&app, "ansatt2").await;
    app.user("admin", Role::Admin, None).await;
    let w1s = w1.to_string();
    let kari = add_relative(
        &app,
        patient,
        "Kari Nordmann",
        &[("consent_scope", "full"), ("contact_person_id", &w1s)],
    )
    .await;
    app.logout().await;
    app.login_as("admin").await;
    let a2 = org.unit_a2.to_string();
    let profile = [
        ("name", "Test ansatt1"),
        ("role", "worker"),
        ("unit_id", a2.as_str()),
        ("phone", "91234567"),
    ];
    let refused = app.post(&format!("/admin/users/{w1}"), &profile).await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&refused.body, "contacts_to"),
        "Velg hvilken kollega som blir ny kontaktperson for de pårørende."
    );
    // What was typed comes back, and nothing was saved.
    assert!(refused
        .body
        .contains(&format!("<option value=\"{a2}\" selected>")));
    assert_eq!(
        app.scalar(&format!("SELECT unit_id FROM users WHERE id = {w1}"))
            .await,
        org.unit_a1
    );

    let w2s = w2.to_string();
    let mut with_handover = profile.to_vec();
    with_handover.push(("contacts_to", w2s.as_str()));
    let moved = app
        .post(&format!("/admin/users/{w1}"), &with_handover)
        .await;
    assert_eq!(moved.status, Status::SeeOther, "{}", moved.body);
    assert_eq!(
        app.scalar(&format!("SELECT unit_id FROM users WHERE id = {w1}"))
            .await,
        org.unit_a2
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT contact_person_id FROM relatives WHERE id = {kari}"
        ))
        .await,
        w2
    );
    assert_eq!(orphaned(&app).await, 0);

    // With nothing held, a move needs no hand-over.
    let back = app
        .post(
            &format!("/admin/users/{w1}"),
            &[
                ("name", "Test ansatt1"),
                ("role", "worker"),
                ("unit_id", &org.unit_a1.to_string()),
            ],
        )
        .await;
    assert_eq!(back.status, Status::SeeOther, "{}", back.body);
}
