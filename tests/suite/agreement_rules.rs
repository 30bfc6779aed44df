//! The agreement's rules through HTTP, with a patient, her adult daughter Kari and her
//! 17-year-old grandson Jonas: who may be a party, pre-fills that state only what the record
//! shows, no contradiction between what she will and will not do, capacity never assumed,
//! lifecycle forms that start empty, relatives' rights when the patient declines, the age
//! group, and one evaluation date everywhere.

use crate::common::agreement::pdftotext;
use crate::common::TestApp;
use crate::common::{error_for, relative, setup};
use rocket::http::Status;
use samspill::domain::dates::format_date;
use samspill::domain::user::Role;

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

/// Born 17 years ago last month: under 18 on the application's day.
fn seventeen(app: &TestApp) -> String {
    let today = app.clock.today();
    let born = today
        .checked_sub_months(chrono::Months::new(17 * 12 + 1))
        .unwrap();
    format_date(born)
}

fn in_months(app: &TestApp, months: u32) -> String {
    format_date(
        app.clock
            .today()
            .checked_add_months(chrono::Months::new(months))
            .unwrap(),
    )
}

/// Kari (daughter, 60s, involved), Jonas (grandson, 17).
async fn family(app: &TestApp, patient: i64) -> (i64, i64) {
    let kari = add(
        app,
        patient,
        "Kari Nordmann",
        &[("relation", "child"), ("phone", "98765432")],
    )
    .await;
    let born = seventeen(app);
    let jonas = add(
        app,
        patient,
        "Jonas Nordmann",
        &[
            ("relation", "grandchild"),
            ("age_group", "child"),
            ("birth_date", born.as_str()),
            ("consent_scope", "none"),
        ],
    )
    .await;
    (kari, jonas)
}

async fn contact(app: &TestApp, username: &str) -> String {
    app.scalar(&format!(
        "SELECT id FROM users WHERE username = '{username}'"
    ))
    .await
    .to_string()
}

/// The text of a textarea or the value of an input as the page shows it.
fn field(body: &str, name: &str) -> String {
    let start = body
        .find(&format!("id=\"{name}\" name=\"{name}\""))
        .or_else(|| body.find(&format!("name=\"{name}\" id=\"{name}\"")))
        .unwrap_or_else(|| panic!("no field {name}"));
    let tag = &body[body[..start].rfind('<').unwrap()..start];
    let rest = &body[start..];
    if tag.starts_with("<textarea") {
        let open = rest.find('>').unwrap() + 1;
        let close = rest.find("</textarea>").unwrap();
        rest[open..close].to_string()
    } else {
        let end = rest.find('>').unwrap();
        let v = rest[..end].find("value=\"").unwrap() + 7;
        rest[v..v + rest[v..].find('"').unwrap()].to_string()
    }
}

/// A draft with `relative`, contact person ansatt1, the capacity answered and the evaluation
/// in six months; returns its id.
async fn draft(app: &TestApp, patient: i64, relative: i64) -> i64 {
    let (k, w1, eval) = (
        relative.to_string(),
        contact(app, "ansatt1").await,
        in_months(app, 6),
    );
    let fields = [
        ("relative_ids", k.as_str()),
        ("contact_rhythm", "quarterly"),
        ("contact_id", w1.as_str()),
        ("capacity", "can_consent"),
        ("evaluation_on", eval.as_str()),
    ];
    assert_eq!(create(app, patient, &fields).await.status, Status::SeeOther);
    app.scalar("SELECT MAX(id) FROM agreements").await
}

async fn create(app: &TestApp, patient: i64, fields: &[(&str, &str)]) -> crate::common::Reply {
    app.post(&format!("/patients/{patient}/agreements"), fields)
        .await
}

async fn sign(app: &TestApp, id: i64) -> crate::common::Reply {
    let today = format_date(app.clock.today());
    app.post(
        &format!("/agreements/{id}/sign"),
        &[
            ("relative_signed_on", &today),
            ("service_signed_on", &today),
            ("patient_not_signed_reason", "Pasienten ville ikke signere"),
        ],
    )
    .await
}

#[rocket::async_test]
async fn parties_are_adults_who_said_yes_and_a_child_never_is() {
    let (app, _org, patient) = setup().await;
    let (kari, jonas) = family(&app, patient).await;
    let nils = add(&app, patient, "Nils Nordmann", &[("involvement", "no")]).await;
    let unknown = add(&app, patient, "Ukjent Alder", &[("age_group", "unknown")]).await;
    let w1 = contact(&app, "ansatt1").await;
    let eval = in_months(&app, 6);

    // The new form offers Kari only, and says why the others cannot be parties.
    let page = app
        .get(&format!("/patients/{patient}/agreements/new"))
        .await;
    assert!(page.body.contains(&format!("id=\"relative_ids-{kari}\"")));
    for other in [jonas, nils, unknown] {
        assert!(!page.body.contains(&format!("id=\"relative_ids-{other}\"")));
    }
    assert!(page
        .body
        .contains("Jonas Nordmann er under 18 år og kan ikke være part i avtalen."));
    // Asking for the child by address does not make him a party either.
    let page = app
        .get(&format!(
            "/patients/{patient}/agreements/new?relative={jonas}"
        ))
        .await;
    assert!(page
        .body
        .contains(&format!("name=\"relative_ids\" value=\"{kari}\" checked")));

    for (who, message) in [
        (jonas, "Jonas Nordmann er under 18 år og kan ikke være part i avtalen. Barn omtales under «Barn i familien»."),
        (nils, "Nils Nordmann har ikke sagt ja til å bli involvert og kan ikke være part i avtalen."),
        (unknown, "Alderen til Ukjent Alder er ikke registrert. Registrer fødselsdato eller aldersgruppe før Ukjent Alder kan være part."),
    ] {
        let (k, o) = (kari.to_string(), who.to_string());
        let r = create(
            &app,
            patient,
            &[
                ("relative_ids", &k),
                ("relative_ids", &o),
                ("contact_rhythm", "quarterly"),
                ("contact_id", &w1),
                ("evaluation_on", &eval),
                ("matters_relative", "Å få sove"),
            ],
        )
        .await;
        assert_eq!(r.status, Status::UnprocessableEntity);
        assert_eq!(error_for(&r.body, "relative_ids"), message);
        assert_eq!(field(&r.body, "matters_relative"), "Å få sove");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM agreements").await, 0);
    let k = kari.to_string();
    let r = create(
        &app,
        patient,
        &[
            ("relative_ids", &k),
            ("contact_rhythm", "quarterly"),
            ("contact_id", &w1),
            ("evaluation_on", &eval),
        ],
    )
    .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
}

#[rocket::async_test]
async fn the_prefill_states_only_what_the_record_shows_and_the_children_section_blocks_signing() {
    let (app, _org, patient) = setup().await;
    let (kari, jonas) = family(&app, patient).await;
    let today = format_date(app.clock.today());
    let mut mapping: Vec<(&str, &str)> = vec![
        ("mapped_on", &today),
        ("roles", "caregiver"),
        ("tasks", "practical"),
        ("tasks", "personal"),
        ("tasks", "transport"),
        ("hours_per_week", "12"),
        ("violence", "no"),
        ("not_wanted", "Personlig stell"),
    ];
    let strain = [
        "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12",
    ];
    for s in strain {
        mapping.push((s, "0"));
    }
    let r = app
        .post(&format!("/relatives/{kari}/mappings"), &mapping)
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);

    let page = app
        .get(&format!("/patients/{patient}/agreements/new"))
        .await;
    assert_eq!(
        field(&page.body, "relative_does"),
        "Praktisk hjelp i hjemmet, Transport og følge til avtaler (om lag 12 timer i uka)."
    );
    assert_eq!(field(&page.body, "relative_declines"), "Personlig stell");
    let children = field(&page.body, "children");
    assert_eq!(
        children,
        "Jonas Nordmann (barnebarn): oppfølging etter helsepersonelloven § 10 a er ikke registrert ennå."
    );
    // The capacity is asked, never assumed.
    assert!(!page
        .body
        .contains("id=\"capacity-can_consent\" name=\"capacity\" value=\"can_consent\" checked"));
    assert!(!page.body.contains("Pasienten kan samtykke selv."));

    // A draft with the pre-filled children's section cannot be signed.
    let w1 = contact(&app, "ansatt1").await;
    let (k, eval) = (kari.to_string(), in_months(&app, 6));
    let fields = |children: &str| {
        vec![
            ("relative_ids", k.clone()),
            ("contact_rhythm", "quarterly".to_string()),
            ("contact_id", w1.clone()),
            ("capacity", "can_consent".to_string()),
            ("evaluation_on", eval.clone()),
            ("children", children.to_string()),
        ]
    };
    let f = fields(&children);
    let f: Vec<(&str, &str)> = f.iter().map(|(a, b)| (*a, b.as_str())).collect();
    assert_eq!(create(&app, patient, &f).await.status, Status::SeeOther);
    let id = app.scalar("SELECT MAX(id) FROM agreements").await;
    let r = sign(&app, id).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&r.body, "children"),
        "Avsnittet om barn sier at oppfølgingen av et barn ikke er registrert. Registrer oppfølgingen av barnet og oppdater avsnittet, eller skriv avsnittet selv."
    );
    assert_eq!(
        app.text(&format!("SELECT status FROM agreements WHERE id = {id}"))
            .await,
        "draft"
    );
    let pdf = pdftotext(&app.get(&format!("/agreements/{id}/pdf")).await.bytes);
    assert!(!pdf.contains("er kartlagt"), "{pdf}");

    // The follow-up is recorded: a new pre-fill says what it says, and then it signs.
    let r = app
        .post(
            &format!("/relatives/{jonas}/child-followup"),
            &[
                ("informed", "yes"),
                ("follower", "Helsesykepleier Anne"),
                ("services", "skole"),
                ("concern", "no"),
                ("care_tasks", "no"),
            ],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    assert_eq!(sign(&app, id).await.status, Status::UnprocessableEntity);
    let page = app
        .get(&format!("/patients/{patient}/agreements/new"))
        .await;
    let recorded = field(&page.body, "children");
    assert_eq!(
        recorded,
        "Jonas Nordmann (barnebarn): oppfølging etter helsepersonelloven § 10 a er registrert – informert: ja, tilpasset barnets alder; følges opp av Helsesykepleier Anne; samarbeid med Skole eller barnehage."
    );
    let mut f = fields(&recorded);
    f.push(("lock", "1".into()));
    let f: Vec<(&str, &str)> = f.iter().map(|(a, b)| (*a, b.as_str())).collect();
    let r = app.post(&format!("/agreements/{id}"), &f).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let r = sign(&app, id).await;
    assert!(r.redirects_to(&format!("/agreements/{id}")), "{}", r.body);
}

#[rocket::async_test]
async fn a_child_without_follow_up_signs_once_the_worker_writes_the_section() {
    let (app, _org, patient) = setup().await;
    let (kari, _jonas) = family(&app, patient).await;
    let id = draft(&app, patient, kari).await;
    let (k, w1, eval) = (
        kari.to_string(),
        contact(&app, "ansatt1").await,
        in_months(&app, 6),
    );
    let r = sign(&app, id).await;
    assert_eq!(
        error_for(&r.body, "children"),
        "Oppfølgingen av Jonas Nordmann (barn som pårørende) er ikke registrert. Registrer oppfølgingen, eller skriv selv hva som er gjort for barnet under «Barn i familien»."
    );
    let r = app
        .post(
            &format!("/agreements/{id}"),
            &[
                ("lock", "1"),
                ("relative_ids", &k),
                ("contact_rhythm", "quarterly"),
                ("contact_id", &w1),
                ("capacity", "can_consent"),
                ("evaluation_on", &eval),
                (
                    "children",
                    "Jonas har snakket med helsesykepleier på skolen.",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    assert!(sign(&app, id)
        .await
        .redirects_to(&format!("/agreements/{id}")));
}

#[rocket::async_test]
async fn what_she_will_do_never_contradicts_what_she_will_not() {
    let (app, _org, patient) = setup().await;
    let (kari, _) = family(&app, patient).await;
    let (k, w1, eval) = (
        kari.to_string(),
        contact(&app, "ansatt1").await,
        in_months(&app, 6),
    );
    let r = create(
        &app,
        patient,
        &[
            ("relative_ids", &k),
            ("contact_rhythm", "quarterly"),
            ("contact_id", &w1),
            ("evaluation_on", &eval),
            (
                "relative_does",
                "Handler mat og hjelper med personlig stell",
            ),
            ("relative_declines", "Personlig stell"),
        ],
    )
    .await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&r.body, "relative_does"),
        "«Personlig stell» står både under det den pårørende ønsker og kan gjøre og under det den pårørende ikke ønsker å gjøre. Ta det bort fra ett av feltene."
    );
    assert_eq!(
        field(&r.body, "relative_does"),
        "Handler mat og hjelper med personlig stell"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM agreements").await, 0);
}

#[rocket::async_test]
async fn the_patients_capacity_is_answered_before_signing_and_printed_as_answered() {
    let (app, _org, patient) = setup().await;
    let kari = add(&app, patient, "Kari Nordmann", &[("relation", "child")]).await;
    let (k, w1, eval) = (
        kari.to_string(),
        contact(&app, "ansatt1").await,
        in_months(&app, 6),
    );
    let base = [
        ("relative_ids", k.as_str()),
        ("contact_rhythm", "quarterly"),
        ("contact_id", w1.as_str()),
        ("evaluation_on", eval.as_str()),
    ];
    assert_eq!(create(&app, patient, &base).await.status, Status::SeeOther);
    let id = app.scalar("SELECT MAX(id) FROM agreements").await;
    let r = sign(&app, id).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&r.body, "capacity"),
        "Svar på om pasienten kan samtykke selv før avtalen signeres."
    );
    let save = |extra: Vec<(&'static str, &'static str)>| {
        let mut f: Vec<(&str, &str)> = base.to_vec();
        f.push(("lock", "0"));
        f.extend(extra);
        f
    };
    let lock = app
        .scalar(&format!(
            "SELECT lock_version FROM agreements WHERE id = {id}"
        ))
        .await
        .to_string();
    let mut f = save(vec![("capacity", "cannot_consent")]);
    f.retain(|(k, _)| *k != "lock");
    f.push(("lock", &lock));
    assert_eq!(
        app.post(&format!("/agreements/{id}"), &f).await.status,
        Status::SeeOther
    );
    let r = sign(&app, id).await;
    assert_eq!(
        error_for(&r.body, "represented_by"),
        "Skriv hvem som representerer pasienten før avtalen signeres."
    );
    let lock = app
        .scalar(&format!(
            "SELECT lock_version FROM agreements WHERE id = {id}"
        ))
        .await
        .to_string();
    let mut f = save(vec![
        ("capacity", "cannot_consent"),
        ("represented_by", "Kari Nordmann (fremtidsfullmakt)"),
    ]);
    f.retain(|(k, _)| *k != "lock");
    f.push(("lock", &lock));
    assert_eq!(
        app.post(&format!("/agreements/{id}"), &f).await.status,
        Status::SeeOther
    );
    assert!(sign(&app, id)
        .await
        .redirects_to(&format!("/agreements/{id}")));
    let pdf = pdftotext(&app.get(&format!("/agreements/{id}/pdf")).await.bytes);
    let one_line = pdf.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(one_line.contains("Pasienten kan ikke samtykke selv. Pasienten representeres av Kari Nordmann (fremtidsfullmakt)."), "{pdf}");
    assert!(!one_line.contains("Pasienten kan samtykke selv"));
}

#[rocket::async_test]
async fn the_evaluation_and_ending_forms_start_empty_and_record_nothing_by_default() {
    let (app, _org, patient) = setup().await;
    let kari = add(&app, patient, "Kari Nordmann", &[("relation", "child")]).await;
    let id = draft(&app, patient, kari).await;
    assert!(sign(&app, id)
        .await
        .redirects_to(&format!("/agreements/{id}")));
    let page = app.get(&format!("/agreements/{id}")).await;
    for name in [
        "evaluated_on",
        "next_evaluation_on",
        "ended_on",
        "end_reason",
    ] {
        assert_eq!(field(&page.body, name), "", "{name}");
    }
    assert!(!page.body.contains("value=\"continue\" checked"));
    assert!(!page.body.contains(" checked>\n    <label for=\"outcome"));
    // Submitting the untouched form records nothing.
    let r = app
        .post(
            &format!("/agreements/{id}/evaluate"),
            &[("participants", "")],
        )
        .await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&r.body, "outcome"),
        "Velg utfallet av evalueringen."
    );
    assert_eq!(
        error_for(&r.body, "evaluated_on"),
        "Skriv datoen for evalueringen."
    );
    let r = app
        .post(&format!("/agreements/{id}/end"), &[("end_reason", "")])
        .await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM agreement_evaluations")
            .await,
        0
    );
    assert_eq!(
        app.text(&format!("SELECT status FROM agreements WHERE id = {id}"))
            .await,
        "active"
    );
}

#[rocket::async_test]
async fn a_patient_who_declines_leaves_the_relatives_their_own_rights() {
    let (app, _org, patient) = setup().await;
    let (_kari, jonas) = family(&app, patient).await;
    let today = format_date(app.clock.today());
    let r = app
        .post(
            &format!("/patients/{patient}/outcome"),
            &[
                ("outcome", "declines"),
                ("outcome_on", &today),
                ("reason", "Pasienten vil ikke at familien involveres"),
            ],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let page = app.get(&format!("/patients/{patient}")).await;
    assert!(page.body.contains("Registrer oppfølgingen av Jonas Nordmann (barn som pårørende, helsepersonelloven § 10 a)."), "{}", page.body);
    assert!(page.body.contains("Gi Kari Nordmann generell informasjon og tilbud om støtte (henvisning eller avslag), selv om pasienten ikke ønsker pårørende involvert."));
    // The child's task stays on the worker's list.
    let list = app.get("/followups").await;
    assert!(list
        .body
        .contains(&format!("/relatives/{jonas}/child-followup")));
}

#[rocket::async_test]
async fn the_age_group_has_no_default_and_must_agree_with_the_birth_date() {
    let (app, _org, patient) = setup().await;
    let page = app.get(&format!("/patients/{patient}/relatives/new")).await;
    assert!(!page.body.contains("value=\"adult\" checked"));
    let today = today_of(&app);
    let base = [
        ("full_name", "Ola Nordmann"),
        ("relation", "sibling"),
        ("involvement", "yes"),
        ("consent_scope", "none"),
        ("consent_on", today.as_str()),
        ("consent_how", "Muntlig"),
    ];
    let r = app
        .post(&format!("/patients/{patient}/relatives"), &base)
        .await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&r.body, "age_group"),
        "Velg aldersgruppe, eller skriv fødselsdatoen."
    );
    let born = seventeen(&app);
    let mut f = base.to_vec();
    f.push(("birth_date", &born));
    f.push(("age_group", "adult"));
    let r = app
        .post(&format!("/patients/{patient}/relatives"), &f)
        .await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&r.body, "age_group"),
        "Fødselsdatoen gir 17 år, altså under 18, som ikke stemmer med aldersgruppen. Rett fødselsdatoen eller aldersgruppen."
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM relatives").await, 0);
    // A grandson under 18 is tagged by age; a son ("Barn") by relation only.
    let (kari, _) = family(&app, patient).await;
    let page = app.get(&format!("/patients/{patient}")).await;
    assert!(page.body.contains("<span class=\"tag\">Under 18 år</span>"));
    assert_eq!(
        page.body
            .matches("<span class=\"tag\">Under 18 år</span>")
            .count(),
        1
    );
    assert!(!page.body.contains("<span class=\"tag\">Barn</span>"));
    let _ = kari;
}

fn today_of(app: &TestApp) -> String {
    format_date(app.clock.today())
}

#[rocket::async_test]
async fn after_revise_every_reader_shows_the_date_the_evaluation_set() {
    let (app, org, patient) = setup().await;
    app.user("leder1", Role::Manager, Some(org.unit_a1)).await;
    let kari = add(&app, patient, "Kari Nordmann", &[("relation", "child")]).await;
    let (k, w1, w2) = (
        kari.to_string(),
        contact(&app, "ansatt1").await,
        contact(&app, "ansatt2").await,
    );
    let first = in_months(&app, 6);
    let r = create(
        &app,
        patient,
        &[
            ("relative_ids", &k),
            ("contact_rhythm", "quarterly"),
            ("contact_id", &w1),
            ("capacity", "can_consent"),
            ("evaluation_on", &first),
        ],
    )
    .await;
    assert_eq!(r.status, Status::SeeOther);
    let id = app.scalar("SELECT MAX(id) FROM agreements").await;
    assert!(sign(&app, id)
        .await
        .redirects_to(&format!("/agreements/{id}")));

    let next = in_months(&app, 9);
    let today = today_of(&app);
    let r = app
        .post(
            &format!("/agreements/{id}/evaluate"),
            &[
                ("evaluated_on", &today),
                ("outcome", "revise"),
                ("next_evaluation_on", &next),
            ],
        )
        .await;
    assert!(
        r.redirects_to(&format!("/agreements/{id}/edit")),
        "{}",
        r.body
    );
    let edit = app.get(&format!("/agreements/{id}/edit")).await;
    assert_eq!(field(&edit.body, "evaluation_on"), next);

    // Saving the form as shown, with a new contact person, keeps the date.
    let lock = field(&edit.body, "lock");
    let r = app
        .post(
            &format!("/agreements/{id}"),
            &[
                ("lock", &lock),
                ("relative_ids", &k),
                ("contact_rhythm", "quarterly"),
                ("contact_id", &w2),
                ("capacity", "can_consent"),
                ("evaluation_on", &field(&edit.body, "evaluation_on")),
                ("matters_relative", "Etter revisjonen"),
            ],
        )
        .await;
    assert!(r.redirects_to(&format!("/agreements/{id}")), "{}", r.body);
    let iso = samspill::domain::dates::parse_date(&next)
        .unwrap()
        .to_string();
    assert_eq!(
        app.text(&format!(
            "SELECT CAST(evaluation_on AS TEXT) FROM agreements WHERE id = {id}"
        ))
        .await,
        iso
    );
    let fid = app
        .scalar(&format!(
            "SELECT id FROM followups WHERE agreement_id = {id} AND kind = 'evaluation' AND status = 'open'"
        ))
        .await;
    assert_eq!(
        app.text(&format!(
            "SELECT CAST(due_on AS TEXT) FROM followups WHERE id = {fid}"
        ))
        .await,
        iso
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM followup_changes WHERE followup_id = {fid} AND change = 'moved'"
        ))
        .await,
        0,
        "the follow-up is not moved back"
    );
    // The history names the people, not their ids.
    let history = app.get(&format!("/followups/{fid}")).await;
    assert!(
        history
            .body
            .contains("overført fra Test ansatt1 til Test ansatt2"),
        "{}",
        history.body
    );
    assert!(!history
        .body
        .contains(&format!("overført fra {w1} til {w2}")));

    // The new version is signed; the print, the page and the manager's list show the date.
    assert!(sign(&app, id)
        .await
        .redirects_to(&format!("/agreements/{id}")));
    let pdf = pdftotext(&app.get(&format!("/agreements/{id}/pdf")).await.bytes);
    assert!(pdf.contains(&next), "{pdf}");
    assert!(!pdf.contains(&first));
    assert!(app
        .get(&format!("/agreements/{id}"))
        .await
        .body
        .contains(&next));
    let manager = app.browser().await;
    manager.login_as("leder1").await;
    let list = manager
        .get("/dashboard/list/agreements?filter=in_force")
        .await;
    assert!(list.body.contains(&next), "{}", list.body);
    assert!(!list.body.contains(&first));
}
