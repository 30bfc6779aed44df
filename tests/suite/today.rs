//! A worker's day: after login a worker lands on "I dag", with overdue and today's
//! follow-ups, children without follow-up, their patients with a step missing (linked to
//! the form that resolves it) and the relatives they are contact person for.

use crate::common::agreement::{add_relative, draft, sign};
use crate::common::{self, call_followup, relative, setup, Bind};
use rocket::http::Status;
use samspill::domain::user::Role;

/// A patient of `unit` whose only relative, Nils Nei, does not want to be involved, and who
/// has no minor children: no step of the routine waits for the worker.
async fn without_tasks(app: &common::TestApp, name: &str, unit: i64) -> i64 {
    let id = app.patient(name, "01.02.1939", unit).await;
    let r = app
        .post(
            &format!("/patients/{id}/relatives"),
            &relative("Nils Nei", &[("involvement", "no")]),
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let answered = app
        .post(
            &format!("/patients/{id}/children"),
            &[("minor_children", "no")],
        )
        .await;
    assert_eq!(answered.status, Status::SeeOther, "{}", answered.body);
    id
}

#[rocket::async_test]
async fn a_worker_lands_on_their_day() {
    let (app, org, patient) = setup().await;
    let w1 = app
        .scalar("SELECT id FROM users WHERE username = 'ansatt1'")
        .await
        .to_string();
    // Kari: ansatt1 is her contact person, nothing agreed next. A grandson under 18.
    let kari = add_relative(
        &app,
        patient,
        "Kari Nordmann",
        &[("consent_scope", "full"), ("contact_person_id", &w1)],
    )
    .await;
    let child = app
        .post(
            &format!("/patients/{patient}/relatives"),
            &relative(
                "Lille Per",
                &[
                    ("relation", "grandchild"),
                    ("age_group", "child"),
                    ("involvement", "no"),
                ],
            ),
        )
        .await;
    assert_eq!(child.status, Status::SeeOther, "{}", child.body);
    let lille = app.scalar("SELECT MAX(id) FROM relatives").await;
    let answered = app
        .post(
            &format!("/patients/{patient}/children"),
            &[("minor_children", "yes")],
        )
        .await;
    assert_eq!(answered.status, Status::SeeOther, "{}", answered.body);
    // Ola Uten: his only relative does not want to be involved. Nothing waits for the
    // worker there, though ansatt1 has a follow-up for him.
    let ola = without_tasks(&app, "Ola Uten", org.unit_a1).await;
    call_followup(&app, ola, "Spør om dagsenter", 30).await;
    // Three follow-ups: one will be 2 days overdue, one due today, one next week.
    let late = call_followup(&app, patient, "Ring Kari om avlastning", 1).await;
    call_followup(&app, patient, "Sjekk hjelpemidler", 3).await;
    call_followup(&app, patient, "Senere samtale", 10).await;
    app.clock.advance_days(3);
    app.logout().await;
    let reply = app.login("ansatt1", crate::common::PASSWORD).await;
    assert!(reply.redirects_to("/"));
    assert!(app.get("/").await.redirects_to("/today"));

    let page = app.get("/today").await;
    assert_eq!(page.status, Status::Ok);
    let body = &page.body;
    assert!(body.contains("Oppfølginger som har forfalt eller skal gjøres i dag (2)"));
    assert!(body.contains(&format!(
        "<a href=\"/followups/{late}\">Ring Kari om avlastning</a>"
    )));
    assert!(body.contains("2 dager på overtid"));
    assert!(body.contains("Sjekk hjelpemidler"));
    assert!(!body.contains("Senere samtale"));
    assert!(body.contains(&format!(
        "<a href=\"/relatives/{lille}/child-followup\">Registrer oppfølgingen av Lille Per</a>"
    )));
    // Per Nordmann: the first step not done is mapping Kari, linked to its form.
    assert!(body.contains("Dine pasienter med et steg som mangler (1)"));
    assert!(!body.contains("Ola Uten"));
    assert!(body.contains(&format!(
        "2. Kartlegge: <a href=\"/relatives/{kari}/mappings/new\">Ingen pårørende er kartlagt ennå.</a>"
    )));
    assert!(body.contains("Mine pårørende (1)"));
    assert!(body.contains(&format!("<a href=\"/relatives/{kari}\">Kari Nordmann</a> (ektefelle, registrert partner eller samboer)")));
    assert!(body.contains("<strong>Ingen avtalt.</strong>"));
    // The page is logged with the patients it showed.
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM access_log_patients lp JOIN access_log l ON l.id = lp.access_id
             WHERE l.entity = 'today' AND lp.patient_id = {patient}"
        ))
        .await,
        1
    );

    // An agreement with Kari in force: her next contact is the agreed meeting.
    let recorded = app
        .post(
            &format!("/relatives/{lille}/child-followup"),
            &[
                ("informed", "yes"),
                ("follower", "Mor"),
                ("services", "skole"),
                ("concern", "no"),
                ("care_tasks", "no"),
            ],
        )
        .await;
    assert_eq!(recorded.status, Status::SeeOther, "{}", recorded.body);
    let meeting = app.date_in(14);
    let id = draft(
        &app,
        patient,
        kari,
        &[("contact_rhythm", "monthly"), ("next_meeting_on", &meeting)],
    )
    .await;
    assert_eq!(sign(&app, id).await.status, Status::SeeOther);
    let body = app.get("/today").await.body;
    assert!(body.contains(&format!("<td>{meeting}</td>")), "{body}");

    // A colleague in another unit sees none of it.
    let other = app.browser().await;
    app.user("ansatt3", Role::Worker, Some(org.unit_a2)).await;
    other.login_as("ansatt3").await;
    let theirs = other.get("/today").await.body;
    assert!(!theirs.contains("Per Nordmann") && !theirs.contains("Kari Nordmann"));
    assert!(theirs.contains("Du er ikke kontaktperson for noen pårørende."));
    // Managers keep their start page; /today is for workers.
    app.user("leder1", Role::Manager, Some(org.unit_a1)).await;
    other.logout().await;
    other.login_as("leder1").await;
    assert!(other.get("/").await.redirects_to("/patients"));
    assert_eq!(other.get("/today").await.status, Status::Forbidden);
}

#[rocket::async_test]
async fn the_patient_page_links_each_missing_step_to_its_form() {
    let (app, org, patient) = setup().await;
    let page = app.get(&format!("/patients/{patient}")).await.body;
    assert!(page.contains(&format!(
        "<a href=\"/patients/{patient}/relatives/new\">Ingen pårørende er registrert ennå.</a>"
    )));
    let kari = add_relative(&app, patient, "Kari Nordmann", &[("consent_scope", "full")]).await;
    let page = app.get(&format!("/patients/{patient}")).await.body;
    assert!(page.contains(&format!(
        "<a href=\"/relatives/{kari}/mappings/new\">Ingen pårørende er kartlagt ennå.</a>"
    )));
    assert!(page.contains(&format!(
        "<a href=\"/patients/{patient}/meetings/new\">Ingen første samtale er holdt ennå.</a>"
    )));
    // A manager reads the same sentences without links to forms they cannot use.
    let manager = app.browser().await;
    app.user("leder1", Role::Manager, Some(org.unit_a1)).await;
    manager.login_as("leder1").await;
    let page = manager.get(&format!("/patients/{patient}")).await.body;
    assert!(page.contains("Ingen pårørende er kartlagt ennå."));
    assert!(!page.contains("/mappings/new\">"));
}

/// The patients a worker takes part in, and the relatives they are contact person for, are
/// found from the worker's side through an index on the worker in each place, never by asking
/// each of the unit's patients and relatives.
#[rocket::async_test]
async fn the_day_reads_from_the_workers_side_through_indexes() {
    let (app, org, _patient) = setup().await;
    let worker = app
        .scalar("SELECT id FROM users WHERE username = 'ansatt1'")
        .await;
    let involved = [
        (
            samspill::db::today::INVOLVED_PATIENTS.as_str(),
            vec![
                Bind::Int(worker),
                Bind::Int(org.unit_a1),
                Bind::Int(20),
                Bind::Int(0),
            ],
        ),
        (
            samspill::db::today::INVOLVED_COUNT.as_str(),
            vec![Bind::Int(worker), Bind::Int(org.unit_a1)],
        ),
    ];
    for (sql, binds) in involved {
        let plan = app.plan(sql, &binds).await;
        if common::is_postgres() {
            for table in [
                "patients",
                "relatives",
                "agreements",
                "followups",
                "meetings",
            ] {
                assert!(!plan.contains(&format!("Seq Scan on {table}")), "{plan}");
            }
        } else {
            for index in [
                "relatives_contact",
                "agreements_contact",
                "agreements_deputy",
                "followups_owner",
                "meetings_created_by",
            ] {
                assert!(
                    plan.contains(&format!("USING INDEX {index}")),
                    "{index}: {plan}"
                );
            }
        }
    }
    // Each relative's next contact is looked up through its patient's follow-ups, never by
    // going through all the municipality's follow-ups (that took the day 53 s at 100 000
    // patients).
    let plan = app
        .plan(
            samspill::db::today::MY_RELATIVES,
            &[Bind::Int(worker), Bind::Int(org.unit_a1)],
        )
        .await;
    assert!(plan.contains("followups_patient"), "{plan}");
    assert!(
        !plan
            .lines()
            .any(|step| step.starts_with("SCAN f") || step.contains("Seq Scan on followups")),
        "{plan}"
    );
    if !common::is_postgres() {
        assert!(plan.contains("relatives_contact"), "{plan}");
    }
}

/// The day reads the routine of all its patients at once. Each patient's routine read that
/// way is the one its own page reads: nothing of one patient's relatives, consents, mappings,
/// meetings or agreements lands with another.
#[rocket::async_test]
async fn the_routines_read_together_are_each_patients_own() {
    use samspill::web::patients::show::{load, load_many, Routine};
    let (app, org, per) = setup().await;
    let kari = add_relative(&app, per, "Kari Nordmann", &[("consent_scope", "full")]).await;
    let child = app
        .post(
            &format!("/patients/{per}/relatives"),
            &relative(
                "Lille Per",
                &[("relation", "grandchild"), ("age_group", "child")],
            ),
        )
        .await;
    assert_eq!(child.status, Status::SeeOther, "{}", child.body);
    let today = samspill::domain::dates::format_date(app.clock.today());
    let mut mapping: Vec<(&str, &str)> = vec![
        ("mapped_on", &today),
        ("roles", "caregiver"),
        ("tasks", "practical"),
        ("hours_per_week", "12"),
        ("violence", "no"),
    ];
    let strain = [
        "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12",
    ];
    for s in strain {
        mapping.push((s, "2"));
    }
    let mapped = app
        .post(&format!("/relatives/{kari}/mappings"), &mapping)
        .await;
    assert_eq!(mapped.status, Status::SeeOther, "{}", mapped.body);
    // A draft: the child's section would have to be filled in before signing.
    draft(&app, per, kari, &[]).await;
    let ola = without_tasks(&app, "Ola Uten", org.unit_a1).await;
    let eva = app.patient("Eva Enslig", "03.04.1941", org.unit_a1).await;

    let day = app.clock.today();
    let together = load_many(&app.db, &[eva, per, ola, per], day)
        .await
        .unwrap();
    let order: Vec<i64> = together.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        order,
        vec![eva, per, ola],
        "each patient once, in the order asked"
    );
    let names =
        |r: &Routine| -> Vec<String> { r.relatives.iter().map(|x| x.full_name.clone()).collect() };
    let shape = |r: &Routine| {
        serde_json::json!({
            "relatives": r.relatives,
            "meetings": r.meetings,
            "outcome": r.outcome,
            "steps": r.steps,
            "agreements": r.agreements,
        })
    };
    for (id, routine) in &together {
        let alone = load(&app.db, *id, day).await.unwrap();
        assert_eq!(shape(routine), shape(&alone), "patient {id}");
    }
    let per_routine = &together[1].1;
    assert_eq!(names(per_routine), ["Kari Nordmann", "Lille Per"]);
    assert_eq!(per_routine.agreements.len(), 1);
    assert_eq!(per_routine.agreements[0].parties, "Kari Nordmann");
    assert!(per_routine.relatives[0].latest_mapping.is_some());
    assert_eq!(per_routine.relatives[0].consent, "full");
    assert_eq!(names(&together[2].1), ["Nils Nei"]);
    assert_eq!(together[2].1.outcome.minor_children, "no");
    assert!(together[2].1.agreements.is_empty());
    assert!(together[2].1.relatives[0].latest_mapping.is_none());
    assert!(together[0].1.relatives.is_empty());
    assert!(load_many(&app.db, &[], day).await.unwrap().is_empty());
}

/// The day goes through the worker's first twenty patients by name. A worker who takes part
/// in more is told so and led to the page that goes through all of them, page by page: no
/// patient is left out, and the day never claims that none misses a step when it did not
/// look at them all.
#[rocket::async_test]
async fn the_day_names_its_first_patients_and_links_to_all_of_them() {
    let (app, org, _per) = setup().await;
    // Ola Aaberg, first by name, with no step to do. He and 21 others each have a follow-up
    // owned by ansatt1.
    let ola = without_tasks(&app, "Ola Aaberg", org.unit_a1).await;
    call_followup(&app, ola, "Ring Ola", 30).await;
    let mut others = Vec::new();
    for i in 1..=21 {
        let id = app
            .patient(&format!("Kari Testa{i:02}"), "03.04.1941", org.unit_a1)
            .await;
        call_followup(&app, id, "Ring", 30).await;
        others.push(id);
    }

    let day = app.get("/today").await.body;
    // Ola and Testa01–19 are the first twenty; 19 of them miss a step.
    assert!(
        day.contains("Dine pasienter med et steg som mangler (19 blant de 20 første)"),
        "{day}"
    );
    assert!(day.contains("Kari Testa19"));
    assert!(!day.contains("Kari Testa20") && !day.contains("Kari Testa21"));
    assert!(day.contains("<a href=\"/today/patients\">Se rutinen for alle dine pasienter</a>"));

    let all = app.get("/today/patients").await;
    assert_eq!(all.status, Status::Ok);
    let body = &all.body;
    assert!(body.contains(&format!(
        "<a href=\"/patients/{ola}\">Ola Aaberg</a></td>\n    <td>Ingen steg venter på deg nå.</td>"
    )));
    let last = others[20];
    assert!(body.contains(&format!(
        "<a href=\"/patients/{last}\">Kari Testa21</a></td>\n    <td>1. Identifisere: <a href=\"/patients/{last}/relatives/new\">Ingen pårørende er registrert ennå.</a></td>"
    )), "{body}");
    assert_eq!(body.matches("<tr>").count(), 1 + 22);
    // The list is logged with the patients it showed.
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM access_log_patients lp JOIN access_log l ON l.id = lp.access_id
             WHERE l.entity = 'my_patients' AND lp.patient_id = {last}"
        ))
        .await,
        1
    );

    // A worker with few patients sees them all on the day, with no link.
    let other = app.browser().await;
    other.login_as("ansatt2").await;
    let theirs = other.get("/today").await.body;
    assert!(theirs.contains("Dine pasienter med et steg som mangler (0)"));
    assert!(theirs.contains("Ingen av dine pasienter mangler et steg i rutinen."));
    assert!(!theirs.contains("/today/patients"));
    let none = other.get("/today/patients").await.body;
    assert!(none.contains("Du tar ikke del i oppfølgingen av noen pasienter på tjenestestedet nå."));
}
