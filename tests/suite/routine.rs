//! The collaboration routine end to end through HTTP: identify, map, involve, support, and
//! the follow-ups that carry it.

use crate::common::{self, error_for, id_from, relative, setup, TestApp};
use rocket::http::Status;
use samspill::domain::dates::format_date;
use samspill::domain::user::Role;

/// The relatives of the scenarios: Ola (spouse, nærmeste pårørende, full consent) and Kari
/// (daughter, second nærmeste pårørende by legal order, limited consent).
async fn ola_and_kari(app: &TestApp, patient: i64) -> (i64, i64) {
    let ola = app
        .post(
            &format!("/patients/{patient}/relatives"),
            &relative(
                "Ola Nordmann",
                &[
                    ("closest", "1"),
                    ("closest_basis", "patient_choice"),
                    ("phone", "98765432"),
                ],
            ),
        )
        .await;
    let ola = id_from(&ola.location, "/relatives/");
    let kari = app
        .post(
            &format!("/patients/{patient}/relatives"),
            &relative(
                "Kari Hansen",
                &[
                    ("relation", "child"),
                    ("closest", "1"),
                    ("closest_basis", "legal_order"),
                    ("confirm_closest", "1"),
                    ("consent_scope", "limited"),
                    ("consent_topics", "Timeavtaler"),
                ],
            ),
        )
        .await;
    (ola, id_from(&kari.location, "/relatives/"))
}

/// A mapping of `relative` with a need for relief; returns the mapping's id.
async fn map_with_relief(app: &TestApp, relative: i64) -> i64 {
    let day = app.date_in(-18);
    let fields = [
        ("mapped_on", day.as_str()),
        ("violence", "no"),
        ("support_needs", "relief"),
        ("hours_per_week", "25"),
    ];
    let made = app
        .post(&format!("/relatives/{relative}/mappings"), &fields)
        .await;
    id_from(&made.location, "/mappings/")
}

/// Identify: nærmeste pårørende, a child who can never be one, a second who needs
/// confirmation, and consent as recorded.
#[rocket::async_test]
async fn identify_records_closest_relatives_children_and_consent() {
    let (app, _org, patient) = setup().await;
    let page = app.get(&format!("/patients/{patient}")).await;
    assert!(page.body.contains("Ingen pårørende er registrert ennå."));

    // Identify: an adult who is nærmeste pårørende, with full consent.
    let ola = app
        .post(
            &format!("/patients/{patient}/relatives"),
            &relative(
                "Ola Nordmann",
                &[
                    ("closest", "1"),
                    ("closest_basis", "patient_choice"),
                    ("phone", "98765432"),
                ],
            ),
        )
        .await;
    let ola = id_from(&ola.location, "/relatives/");
    let page = app.get(&format!("/relatives/{ola}")).await;
    assert!(page.body.contains("Ola Nordmann"));
    assert!(page.body.contains("+47 98 76 54 32"));
    assert!(!page.body.contains("Samtykke mangler"));

    // A child can never be nærmeste pårørende; what was typed comes back.
    let eleven = app.date_in(-11 * 365);
    let refused = app
        .post(
            &format!("/patients/{patient}/relatives"),
            &relative(
                "Emma Nordmann",
                &[
                    ("relation", "grandchild"),
                    ("birth_date", eleven.as_str()),
                    ("age_group", "child"),
                    ("closest", "1"),
                    ("closest_basis", "patient_choice"),
                ],
            ),
        )
        .await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&refused.body, "closest"),
        "Et barn under 18 år kan ikke være nærmeste pårørende."
    );
    assert!(refused.body.contains("value=\"Emma Nordmann\""));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM relatives").await, 1);

    let emma = app
        .post(
            &format!("/patients/{patient}/relatives"),
            &relative(
                "Emma Nordmann",
                &[
                    ("relation", "grandchild"),
                    ("birth_date", eleven.as_str()),
                    ("age_group", "child"),
                    ("involvement", "no"),
                    ("consent_scope", "none"),
                ],
            ),
        )
        .await;
    let emma = id_from(&emma.location, "/relatives/");

    // A second nærmeste pårørende needs confirmation.
    let second = app
        .post(
            &format!("/patients/{patient}/relatives"),
            &relative(
                "Kari Hansen",
                &[
                    ("relation", "child"),
                    ("closest", "1"),
                    ("closest_basis", "legal_order"),
                    ("consent_scope", "limited"),
                    ("consent_topics", "Timeavtaler"),
                ],
            ),
        )
        .await;
    assert_eq!(second.status, Status::UnprocessableEntity);
    assert!(error_for(&second.body, "confirm_closest")
        .starts_with("Ola Nordmann er allerede registrert som nærmeste pårørende."));
    let kari = app
        .post(
            &format!("/patients/{patient}/relatives"),
            &relative(
                "Kari Hansen",
                &[
                    ("relation", "child"),
                    ("closest", "1"),
                    ("closest_basis", "legal_order"),
                    ("confirm_closest", "1"),
                    ("consent_scope", "limited"),
                    ("consent_topics", "Timeavtaler"),
                ],
            ),
        )
        .await;
    let kari = id_from(&kari.location, "/relatives/");
    assert!(app
        .get(&format!("/relatives/{kari}"))
        .await
        .body
        .contains("Begrenset samtykke: bare dette kan deles – Timeavtaler"));

    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM access_log WHERE entity = 'relative' AND action = 'create'"
        )
        .await,
        3
    );
    let _ = emma;
}

/// A child relative is a task on the worker's list until the child's follow-up is recorded.
#[rocket::async_test]
async fn a_child_relative_is_a_task_until_the_follow_up_is_recorded() {
    let (app, _org, patient) = setup().await;
    let eleven = app.date_in(-11 * 365);
    let emma = app
        .post(
            &format!("/patients/{patient}/relatives"),
            &relative(
                "Emma Nordmann",
                &[
                    ("relation", "grandchild"),
                    ("birth_date", eleven.as_str()),
                    ("age_group", "child"),
                    ("involvement", "no"),
                    ("consent_scope", "none"),
                ],
            ),
        )
        .await;
    let emma = id_from(&emma.location, "/relatives/");
    // The child raises a task on the worker's list until the child follow-up is recorded.
    let list = app.get("/followups").await;
    assert!(list
        .body
        .contains("Barn som pårørende uten registrert oppfølging"));
    assert!(list
        .body
        .contains(&format!("/relatives/{emma}/child-followup")));
    let missing = app
        .post(
            &format!("/relatives/{emma}/child-followup"),
            &[("informed", "yes"), ("concern", "yes")],
        )
        .await;
    assert_eq!(missing.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&missing.body, "follower"),
        "Skriv hvem som følger opp barnet."
    );
    assert_eq!(
        error_for(&missing.body, "care_tasks"),
        "Velg om barnet har omsorgsoppgaver."
    );
    assert!(missing.body.contains("opplysningsplikten"));
    let recorded = app
        .post(
            &format!("/relatives/{emma}/child-followup"),
            &[
                ("informed", "yes"),
                ("follower", "Helsesykepleier ved skolen"),
                ("services", "helsestasjon"),
                ("services", "skole"),
                ("concern", "no"),
                ("care_tasks", "no"),
            ],
        )
        .await;
    assert!(recorded.redirects_to(&format!("/relatives/{emma}")));
    assert!(!app
        .get("/followups")
        .await
        .body
        .contains("Barn som pårørende uten registrert oppfølging"));

    let page = app.get(&format!("/patients/{patient}")).await;
    assert!(page
        .body
        .contains("Pårørende registrert: Emma Nordmann (Barnebarn), barn under 18 år"));
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM access_log WHERE entity = 'child_followup' AND action = 'create'"
        )
        .await,
        1
    );
}

/// Map: the strain score, all or none of its questions, and every mapping kept.
#[rocket::async_test]
async fn mapping_scores_strain_and_keeps_every_mapping() {
    let (app, _org, patient) = setup().await;
    let (ola, _kari) = ola_and_kari(&app, patient).await;
    let page = app.get(&format!("/patients/{patient}")).await;
    assert!(page.body.contains("Ingen pårørende er kartlagt ennå."));
    // Map: strain 8 of 13 is high; a new mapping keeps the old one.
    let (first_day, second_day) = (app.date_in(-20), app.date_in(-18));
    let mut mapping: Vec<(&str, &str)> = vec![
        ("mapped_on", &first_day),
        ("roles", "caregiver"),
        ("tasks", "personal"),
        ("hours_per_week", "20"),
        ("violence", "no"),
        ("support_needs", "relief"),
        ("what_matters", "Å få sove om natta"),
    ];
    let names = [
        "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12",
    ];
    for (i, n) in names.iter().enumerate() {
        mapping.push((n, if i < 8 { "1" } else { "0" }));
    }
    let first = app
        .post(&format!("/relatives/{ola}/mappings"), &mapping)
        .await;
    let first_id = id_from(&first.location, "/mappings/");
    let shown = app.get(&format!("/mappings/{first_id}")).await;
    assert!(
        shown.body.contains("Høy belastning (8 av 13)"),
        "{}",
        shown.body
    );
    assert!(shown.body.contains("Å få sove om natta"));
    let incomplete: Vec<(&str, &str)> =
        vec![("mapped_on", &second_day), ("violence", "no"), ("s0", "1")];
    let bad = app
        .post(&format!("/relatives/{ola}/mappings"), &incomplete)
        .await;
    assert_eq!(
        error_for(&bad.body, "s0"),
        "Svar ja eller nei på alle 13 spørsmålene om belastning, eller la alle stå tomme."
    );
    let again: Vec<(&str, &str)> = vec![
        ("mapped_on", &second_day),
        ("violence", "no"),
        ("support_needs", "relief"),
        ("hours_per_week", "25"),
    ];
    let second_id = id_from(
        &app.post(&format!("/relatives/{ola}/mappings"), &again)
            .await
            .location,
        "/mappings/",
    );
    assert_ne!(first_id, second_id);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM mappings WHERE relative_id = {ola}"
        ))
        .await,
        2
    );
    assert!(app
        .get(&format!("/mappings/{first_id}"))
        .await
        .body
        .contains("Høy belastning (8 av 13)"));
    let map_step = app.get(&format!("/patients/{patient}/steps/map")).await;
    assert!(map_step.body.contains("Kari Hansen er ikke kartlagt."));

    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM access_log WHERE entity = 'mapping' AND action = 'create'"
        )
        .await,
        2
    );
}

/// Involve: a first meeting needs minutes, a next step and the relative's rights; then each
/// involved relative needs a contact person.
#[rocket::async_test]
async fn a_first_meeting_needs_minutes_a_next_step_and_rights_then_contact_persons() {
    let (app, _org, patient) = setup().await;
    let (ola, _kari) = ola_and_kari(&app, patient).await;
    // Involve: a first meeting cannot be completed without minutes and a next step.
    let today = format_date(app.clock.today());
    let meeting = [
        ("kind", "first"),
        ("date", today.as_str()),
        ("time", "10:00"),
        ("relative_ids", &ola.to_string()),
        ("staff", "Test ansatt1"),
        ("action", "complete"),
    ];
    let refused = app
        .post(&format!("/patients/{patient}/meetings"), &meeting)
        .await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&refused.body, "minutes"),
        "Skriv referat før møtet fullføres. Et møte skal alltid ha referat."
    );
    assert!(
        error_for(&refused.body, "next_due").starts_with("Avtal et neste steg før møtet fullføres")
    );
    assert!(refused.body.contains("value=\"Test ansatt1\""));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM meetings").await, 0);

    // A draft can be saved; it is then missing minutes.
    let mut draft = meeting.to_vec();
    draft.retain(|(k, _)| *k != "action");
    draft.push(("action", "save"));
    let draft_id = id_from(
        &app.post(&format!("/patients/{patient}/meetings"), &draft)
            .await
            .location,
        "/meetings/",
    );
    let involve = app.get(&format!("/patients/{patient}/steps/involve")).await;
    assert!(
        involve
            .body
            .contains(&format!("Møtet {} mangler referat.", &today[..5])),
        "{}",
        involve.body
    );

    let due = format_date(app.clock.today() + chrono::Duration::days(14));
    let owner = app
        .scalar("SELECT id FROM users WHERE username = 'ansatt1'")
        .await
        .to_string();
    let mut complete = draft.clone();
    complete.retain(|(k, _)| *k != "action");
    complete.extend([
        ("minutes", "Ola er sliten. Avtalt avlastning."),
        ("next_due", due.as_str()),
        ("next_owner_id", owner.as_str()),
        ("next_kind", "call"),
        ("next_concerns", "Ring Ola om avlastning"),
        ("action", "complete"),
    ]);
    let no_rights = app.post(&format!("/meetings/{draft_id}"), &complete).await;
    assert!(error_for(&no_rights.body, "informed_rights")
        .starts_with("I første samtale skal pårørende informeres"));
    assert!(no_rights
        .body
        .contains("Ola er sliten. Avtalt avlastning.</textarea>"));
    complete.push(("informed_rights", "1"));
    // The first conversation's checklist is recorded with the minutes; an unknown point is
    // left out.
    complete.extend([
        ("checklist", "consent"),
        ("checklist", "children"),
        ("checklist", "gossip"),
    ]);
    assert!(app
        .post(&format!("/meetings/{draft_id}"), &complete)
        .await
        .redirects_to(&format!("/meetings/{draft_id}")));
    let shown = app.get(&format!("/meetings/{draft_id}")).await;
    assert!(shown.body.contains("Fullført"));
    assert!(shown.body.contains(
        "<dt>Gjennomgått i første samtale</dt><dd>Samtykke er avklart med pasienten; Spurt om barn og søsken under 18 år</dd>"
    ));
    assert!(shown.body.contains(
        "<dt>Ikke gjennomgått</dt><dd>Den pårørendes roller og ønsker er snakket om; Støttetilbud er presentert; En kontaktperson er navngitt; Neste kontakt er avtalt</dd>"
    ));
    assert!(shown.body.contains("Ring Ola om avlastning"));
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM followups WHERE meeting_id = {draft_id}"
        ))
        .await,
        1
    );
    let involve = app.get(&format!("/patients/{patient}/steps/involve")).await;
    assert!(involve
        .body
        .contains("Ola Nordmann har ingen kontaktperson."));

    // Name the contact person on the relative.
    let edit = app.get(&format!("/relatives/{ola}/edit")).await;
    assert!(edit.body.contains("value=\"Ola Nordmann\""));
    let mut fields = relative(
        "Ola Nordmann",
        &[
            ("closest", "1"),
            ("closest_basis", "patient_choice"),
            ("confirm_closest", "1"),
            ("contact_person_id", owner.as_str()),
        ],
    );
    fields.retain(|(k, _)| !k.starts_with("consent_"));
    assert!(app
        .post(&format!("/relatives/{ola}"), &fields)
        .await
        .redirects_to(&format!("/relatives/{ola}")));
    let involve = app.get(&format!("/patients/{patient}/steps/involve")).await;
    assert!(involve
        .body
        .contains("Kari Hansen har ingen kontaktperson."));

    assert!(app.scalar("SELECT COUNT(*) FROM access_log WHERE entity = 'meeting' AND action IN ('create', 'update')").await >= 2);
}

/// Support: a need for relief is covered by a referral, which the timeline shows, newest first.
#[rocket::async_test]
async fn a_referral_covers_a_support_need_and_shows_in_the_timeline() {
    let (app, _org, patient) = setup().await;
    let (ola, _kari) = ola_and_kari(&app, patient).await;
    map_with_relief(&app, ola).await;
    let today = format_date(app.clock.today());
    // Support: Ola needs relief; a referral completes his part.
    let support = app.get(&format!("/patients/{patient}/steps/support")).await;
    assert!(support
        .body
        .contains("Ola Nordmann har behov for støtte uten henvisning eller avslag."));
    let offer = app
        .scalar("SELECT id FROM offers WHERE name = 'Avlastning'")
        .await
        .to_string();
    let referred = app
        .post(
            &format!("/relatives/{ola}/referrals"),
            &[
                ("offer_id", &offer),
                ("referred_on", &today),
                ("state", "referred"),
            ],
        )
        .await;
    assert!(referred.redirects_to(&format!("/patients/{patient}/steps/support")));
    let support = app.get(&format!("/patients/{patient}/steps/support")).await;
    assert!(!support.body.contains("Ola Nordmann har behov for støtte"));
    assert!(support.body.contains("Avlastning"));

    // The timeline shows what happened, newest first.
    let page = app.get(&format!("/patients/{patient}")).await;
    assert!(
        page.body.contains("Ola Nordmann: Avlastning ("),
        "{}",
        page.body
    );
    let referral_at = page
        .body
        .find("Ola Nordmann til Avlastning: henvist")
        .expect("referral event");
    let registered_at = page
        .body
        .find("Pårørende registrert: Ola Nordmann")
        .expect("registration event");
    assert!(referral_at < registered_at);

    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM access_log WHERE entity = 'referral' AND action = 'create'"
        )
        .await,
        1
    );
}

#[rocket::async_test]
async fn a_referral_that_cannot_be_stored_comes_back_with_what_was_typed() {
    let (app, _org, patient) = setup().await;
    let (ola, _kari) = ola_and_kari(&app, patient).await;
    let offer = app
        .scalar("SELECT id FROM offers WHERE name = 'Avlastning'")
        .await
        .to_string();
    let tomorrow = app.date_in(1);
    let refused = app
        .post(
            &format!("/relatives/{ola}/referrals"),
            &[
                ("offer_id", offer.as_str()),
                ("referred_on", tomorrow.as_str()),
                ("state", "started"),
                ("note", "Ønsker avlastning annenhver helg"),
            ],
        )
        .await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&refused.body, "referred_on"),
        "Datoen kan ikke være fram i tid."
    );
    assert!(refused.body.contains(&format!("value=\"{tomorrow}\"")));
    assert!(refused
        .body
        .contains(">Ønsker avlastning annenhver helg</textarea>"));
    assert!(refused.body.contains("<option value=\"started\" selected>"));
    assert!(refused
        .body
        .contains(&format!("<option value=\"{offer}\" selected>")));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM referrals").await, 0);

    let today = format_date(app.clock.today());
    let made = app
        .post(
            &format!("/relatives/{ola}/referrals"),
            &[
                ("offer_id", offer.as_str()),
                ("referred_on", today.as_str()),
                ("state", "referred"),
                ("note", "Søkt"),
            ],
        )
        .await;
    assert_eq!(made.status, Status::SeeOther, "{}", made.body);
    let x = app.scalar("SELECT MAX(id) FROM referrals").await;
    let long = "x".repeat(2001);
    let refused = app
        .post(
            &format!("/referrals/{x}"),
            &[("state", "ended"), ("note", long.as_str())],
        )
        .await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert!(refused.body.contains("Teksten kan være høyst 2000 tegn."));
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM referrals WHERE id = {x} AND state = 'referred' AND note = 'Søkt'"
        ))
        .await,
        1
    );
}

#[rocket::async_test]
async fn an_explicit_outcome_completes_identification_and_can_be_reopened() {
    let (app, _org, patient) = setup().await;
    let on = app.date_in(-29);
    let bad = app
        .post(
            &format!("/patients/{patient}/outcome"),
            &[("outcome", "declines"), ("outcome_on", &on)],
        )
        .await;
    assert_eq!(bad.status, Status::UnprocessableEntity);
    assert_eq!(error_for(&bad.body, "reason"), "Skriv begrunnelsen.");
    let ok = app
        .post(
            &format!("/patients/{patient}/outcome"),
            &[
                ("outcome", "declines"),
                ("outcome_on", &on),
                ("reason", "Pasienten vil klare seg selv"),
            ],
        )
        .await;
    assert!(ok.redirects_to(&format!("/patients/{patient}/steps/identify")));
    // Not done until it is known whether the patient has minor children or siblings.
    let step = format!("/patients/{patient}/steps/identify");
    let page = app.get(&step).await;
    assert!(page.body.contains(&format!(
        "Status: Pågår.</strong> <a href=\"/patients/{patient}/steps/identify#barn\">Spør om pasienten har barn eller søsken under 18 år.</a>"
    )));
    let children = format!("/patients/{patient}/children");
    let bad = app.post(&children, &[("minor_children", "maybe")]).await;
    assert_eq!(bad.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&bad.body, "minor_children"),
        "Velg om pasienten har barn eller søsken under 18 år."
    );
    let unknown = app.post(&children, &[("minor_children", "unknown")]).await;
    assert!(unknown.redirects_to(&format!("{step}#barn")));
    assert!(app
        .get(&step)
        .await
        .body
        .contains("Det er ikke avklart ennå om pasienten har barn eller søsken under 18 år."));
    app.post(&children, &[("minor_children", "no")]).await;
    let page = app.get(&step).await;
    assert!(page.body.contains("Status: Fullført."));
    assert!(page.body.contains("Registrert svar: Nei"));
    assert!(page
        .body
        .contains("Pasienten ønsker ikke at pårørende involveres"));
    assert!(app
        .post(&format!("/patients/{patient}/outcome/clear"), &[])
        .await
        .location
        .is_some());
    assert!(app
        .get(&format!("/patients/{patient}/steps/identify"))
        .await
        .body
        .contains("Status: Ikke startet."));
}

#[rocket::async_test]
async fn another_unit_cannot_see_or_change_relatives_meetings_or_followups() {
    let (app, org, patient) = setup().await;
    let ola = id_from(
        &app.post(
            &format!("/patients/{patient}/relatives"),
            &relative("Ola Nordmann", &[]),
        )
        .await
        .location,
        "/relatives/",
    );
    let mapping = id_from(
        &app.post(
            &format!("/relatives/{ola}/mappings"),
            &[("mapped_on", common::a_month_ago()), ("violence", "no")],
        )
        .await
        .location,
        "/mappings/",
    );
    let today = format_date(app.clock.today());
    let meeting = id_from(
        &app.post(
            &format!("/patients/{patient}/meetings"),
            &[("kind", "first"), ("date", &today), ("action", "save")],
        )
        .await
        .location,
        "/meetings/",
    );
    let owner = app
        .scalar("SELECT id FROM users WHERE username = 'ansatt1'")
        .await
        .to_string();
    app.post(
        &format!("/patients/{patient}/followups"),
        &[
            ("kind", "call"),
            ("concerns", "Ring"),
            ("due_on", &today),
            ("owner_id", &owner),
        ],
    )
    .await;
    let followup = app.scalar("SELECT MAX(id) FROM followups").await;

    app.user("fremmed", Role::Worker, Some(org.unit_a2)).await;
    let other = app.browser().await;
    other.login_as("fremmed").await;
    for path in [
        format!("/relatives/{ola}"),
        format!("/relatives/{ola}/edit"),
        format!("/mappings/{mapping}"),
        format!("/meetings/{meeting}"),
        format!("/followups/{followup}"),
        format!("/followups/{followup}/calendar.ics"),
        format!("/patients/{patient}/steps/identify"),
        format!("/relatives/{ola}/mappings/new"),
        format!("/patients/{patient}/relatives/new"),
    ] {
        assert_eq!(other.get(&path).await.status, Status::NotFound, "{path}");
    }
    for (path, fields) in [
        (format!("/relatives/{ola}"), vec![("full_name", "Endret")]),
        (format!("/relatives/{ola}/consent"), vec![("scope", "full")]),
        (
            format!("/relatives/{ola}/mappings"),
            vec![("mapped_on", common::a_month_ago())],
        ),
        (format!("/meetings/{meeting}"), vec![("kind", "first")]),
        (format!("/followups/{followup}/done"), vec![("note", "x")]),
        (
            format!("/followups/{followup}/cancel"),
            vec![("cancel_reason", "x")],
        ),
        (
            format!("/patients/{patient}/followups"),
            vec![("concerns", "x")],
        ),
    ] {
        assert_eq!(
            other.post(&path, &fields).await.status,
            Status::NotFound,
            "{path}"
        );
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM followups WHERE status = 'open'")
            .await,
        1
    );
    assert!(!other.get("/followups").await.body.contains("Ring"));
}

#[rocket::async_test]
async fn offers_can_be_retired_but_not_deleted_while_referred_to() {
    let (app, _org, patient) = setup().await;
    let ola = id_from(
        &app.post(
            &format!("/patients/{patient}/relatives"),
            &relative("Ola Nordmann", &[]),
        )
        .await
        .location,
        "/relatives/",
    );
    let offer = app
        .scalar("SELECT id FROM offers WHERE name = 'Pårørendetelefonen'")
        .await;
    let today = format_date(app.clock.today());
    app.post(
        &format!("/relatives/{ola}/referrals"),
        &[
            ("offer_id", &offer.to_string()),
            ("referred_on", &today),
            ("state", "declined"),
        ],
    )
    .await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM referrals WHERE state = 'declined'")
            .await,
        1
    );

    app.user("admin", Role::Admin, None).await;
    let admin = app.browser().await;
    admin.login_as("admin").await;
    let list = admin.get("/admin/offers").await;
    assert!(list.body.contains("Pårørendetelefonen"));
    assert!(admin
        .get(&format!("/admin/offers/{offer}"))
        .await
        .body
        .contains("22 49 19 22"));
    admin
        .post(&format!("/admin/offers/{offer}/delete"), &[])
        .await;
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM offers WHERE id = {offer}"))
            .await,
        1
    );
    admin
        .post(&format!("/admin/offers/{offer}/retire"), &[])
        .await;
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM offers WHERE id = {offer} AND retired_at IS NOT NULL"
        ))
        .await,
        1
    );
    let refused = app
        .post(
            &format!("/relatives/{ola}/referrals"),
            &[
                ("offer_id", &offer.to_string()),
                ("referred_on", &today),
                ("state", "referred"),
            ],
        )
        .await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert!(refused.body.contains("Velg et tilbud."));

    let bad = admin
        .post(
            "/admin/offers",
            &[
                ("name", ""),
                ("provider", "Frivilligsentralen"),
                ("kind", "voluntary"),
            ],
        )
        .await;
    assert_eq!(bad.status, Status::UnprocessableEntity);
    assert!(bad.body.contains("Skriv navnet på tilbudet."));
    assert!(bad.body.contains("value=\"Frivilligsentralen\""));
    let created = admin
        .post(
            "/admin/offers",
            &[
                ("name", "Turgruppe for pårørende"),
                ("provider", "Frivilligsentralen"),
                ("kind", "voluntary"),
                ("need", "peer"),
            ],
        )
        .await;
    assert!(created.redirects_to("/admin/offers"));
    let new_id = app
        .scalar("SELECT id FROM offers WHERE name = 'Turgruppe for pårørende'")
        .await;
    admin
        .post(&format!("/admin/offers/{new_id}/delete"), &[])
        .await;
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM offers WHERE id = {new_id}"))
            .await,
        0
    );
}
