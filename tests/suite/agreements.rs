//! The pårørendeavtale: lifecycle, versions, the optimistic lock, the evaluation follow-up,
//! the printed PDF and access across units.

use crate::common::agreement::{add_relative, draft, in_months, pdftotext, sign, status};
use crate::common::{error_for, relative, setup};
use rocket::http::Status;
use samspill::domain::dates::format_date;
use samspill::domain::user::Role;

#[rocket::async_test]
async fn lifecycle_from_draft_to_ended_with_refused_transitions() {
    let (app, _org, patient) = setup().await;
    let kari = add_relative(&app, patient, "Kari Nordmann", &[]).await;

    // The form is pre-filled from the record.
    let form = app
        .get(&format!(
            "/patients/{patient}/agreements/new?relative={kari}"
        ))
        .await;
    assert_eq!(form.status, Status::Ok);
    assert!(form.body.contains("ingen omsorgsplikt"));
    assert!(form
        .body
        .contains(&format!("value=\"{}\"", in_months(&app, 6))));

    // Bad input comes back with field messages and nothing is saved.
    let bad = app
        .post(
            &format!("/patients/{patient}/agreements"),
            &[
                ("evaluation_on", &in_months(&app, 13)),
                ("matters_relative", "Skrevet før feilen"),
            ],
        )
        .await;
    assert_eq!(bad.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&bad.body, "relative_ids"),
        "Velg hvilke pårørende avtalen gjelder (minst én)."
    );
    assert!(error_for(&bad.body, "evaluation_on")
        .starts_with("Avtalen skal evalueres senest tolv måneder"));
    assert!(bad.body.contains("Skrevet før feilen"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM agreements").await, 0);

    let id = draft(&app, patient, kari, &[]).await;
    assert_eq!(status(&app, id).await, "draft");
    let page = app.get(&format!("/agreements/{id}")).await;
    assert!(page.body.contains("Utkast"));
    assert!(page.body.contains("Å få sove om natten"));

    // Evaluating or ending a draft is refused.
    let r = app
        .post(
            &format!("/agreements/{id}/end"),
            &[
                ("ended_on", &format_date(app.clock.today())),
                ("end_reason", "x"),
            ],
        )
        .await;
    assert!(r.redirects_to(&format!("/agreements/{id}")));
    assert_eq!(status(&app, id).await, "draft");

    // Signing without signature dates is refused with field messages.
    let r = app
        .post(
            &format!("/agreements/{id}/sign"),
            &[("relative_signed_on", ""), ("service_signed_on", "")],
        )
        .await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&r.body, "relative_signed_on"),
        "Skriv datoen den pårørende signerte."
    );
    assert_eq!(
        error_for(&r.body, "patient_signed_on"),
        "Skriv datoen pasienten signerte, eller hvorfor pasienten ikke signerte."
    );
    assert_eq!(status(&app, id).await, "draft");

    // Signed: active, and the evaluation is on the contact person's list.
    let r = sign(&app, id).await;
    assert!(r.redirects_to(&format!("/agreements/{id}")), "{}", r.body);
    assert_eq!(status(&app, id).await, "active");
    let due = in_months(&app, 6);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM followups f JOIN users u ON u.id = f.owner_id
             WHERE f.agreement_id = {id} AND f.kind = 'evaluation' AND f.status = 'open' AND u.username = 'ansatt1'"
        ))
        .await,
        1
    );
    let list = app.get("/followups").await;
    assert!(list
        .body
        .contains("Evaluering av pårørendeavtalen med Kari Nordmann"));
    assert!(list.body.contains(&due));

    // Signing twice and deleting an active agreement are refused.
    let r = sign(&app, id).await;
    assert!(r.redirects_to(&format!("/agreements/{id}")));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM agreement_versions").await,
        1
    );
    let r = app.post(&format!("/agreements/{id}/delete"), &[]).await;
    assert!(r.redirects_to(&format!("/agreements/{id}")));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM agreements").await, 1);

    // Its follow-up cannot be ticked off on the list: the evaluation belongs to the agreement.
    let fid = app
        .scalar(&format!(
            "SELECT id FROM followups WHERE agreement_id = {id} AND kind = 'evaluation'"
        ))
        .await;
    let r = app
        .post(
            &format!("/followups/{fid}/done"),
            &[
                ("note", "Ferdig"),
                ("done_on", &format_date(app.clock.today())),
            ],
        )
        .await;
    assert!(r.redirects_to(&format!("/agreements/{id}#livslop")));
    assert_eq!(
        app.text(&format!("SELECT status FROM followups WHERE id = {fid}"))
            .await,
        "open"
    );

    // Overdue once the evaluation date has passed.
    app.clock.advance_days(200);
    app.login_as("ansatt1").await;
    let page = app.get(&format!("/patients/{patient}")).await;
    assert!(page.body.contains("Evaluering forfalt"));
    let page = app.get(&format!("/agreements/{id}")).await;
    assert!(page.body.contains("er passert"));

    // Evaluated: continue, with a new date; the old follow-up is done and a new one opens.
    let today = format_date(app.clock.today());
    let next = in_months(&app, 6);
    let r = app
        .post(
            &format!("/agreements/{id}/evaluate"),
            &[
                ("evaluated_on", &today),
                ("outcome", "continue"),
                ("participants", "Kari og kontaktpersonen"),
                ("next_evaluation_on", &next),
            ],
        )
        .await;
    assert!(r.redirects_to(&format!("/agreements/{id}")), "{}", r.body);
    assert_eq!(status(&app, id).await, "evaluated");
    assert_eq!(
        app.text(&format!("SELECT status FROM followups WHERE id = {fid}"))
            .await,
        "done"
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM followups WHERE agreement_id = {id} AND kind = 'evaluation' AND status = 'open'"
        ))
        .await,
        1
    );
    assert!(!app
        .get(&format!("/agreements/{id}"))
        .await
        .body
        .contains("er passert"));

    // An evaluation without a next date is refused.
    let r = app
        .post(
            &format!("/agreements/{id}/evaluate"),
            &[("evaluated_on", &today), ("outcome", "continue")],
        )
        .await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&r.body, "next_evaluation_on"),
        "Skriv datoen for neste evaluering."
    );

    // Ended: with date and reason; then read-only.
    let r = app
        .post(
            &format!("/agreements/{id}/end"),
            &[("ended_on", &today), ("end_reason", "")],
        )
        .await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&r.body, "end_reason"),
        "Skriv hvorfor avtalen avsluttes."
    );
    let r = app
        .post(
            &format!("/agreements/{id}/end"),
            &[
                ("ended_on", &today),
                ("end_reason", "Pasienten flyttet på sykehjem"),
            ],
        )
        .await;
    assert!(r.redirects_to(&format!("/agreements/{id}")));
    assert_eq!(status(&app, id).await, "ended");
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM followups WHERE agreement_id = {id} AND kind = 'evaluation' AND status = 'open'"
        ))
        .await,
        0
    );
    assert_eq!(
        app.get(&format!("/agreements/{id}/edit")).await.status,
        Status::NotFound
    );
    let r = app
        .post(
            &format!("/agreements/{id}"),
            &[("lock", "99"), ("relative_ids", &kari.to_string())],
        )
        .await;
    assert!(r.redirects_to(&format!("/agreements/{id}")));
    let r = app
        .post(
            &format!("/agreements/{id}/evaluate"),
            &[("evaluated_on", &today), ("outcome", "end"), ("note", "x")],
        )
        .await;
    assert!(r.redirects_to(&format!("/agreements/{id}")));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM agreement_evaluations")
            .await,
        1
    );

    // A draft can be deleted.
    let other = draft(&app, patient, kari, &[]).await;
    let r = app.post(&format!("/agreements/{other}/delete"), &[]).await;
    assert!(r.redirects_to(&format!("/patients/{patient}")));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM agreements").await, 1);
    // Every change is on the timeline and in the access log.
    assert!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM access_log WHERE entity = 'agreement' AND patient_id = {patient} AND action = 'delete'"
        ))
        .await
            == 1
    );
}

#[rocket::async_test]
async fn activation_needs_consent_for_every_party() {
    let (app, _org, patient) = setup().await;
    let rid = add_relative(&app, patient, "Uten Samtykke", &[]).await;
    // A relative registered before consent was asked (as imported records are).
    samspill::db::on_db!(&app.db, |p| sqlx::query(
        "DELETE FROM consents WHERE relative_id = $1"
    )
    .bind(rid)
    .execute(p)
    .await
    .map(|_| ()))
    .unwrap();
    let id = draft(&app, patient, rid, &[]).await;
    let r = sign(&app, id).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert!(error_for(&r.body, "sharing").contains("Uten Samtykke"));
    assert_eq!(status(&app, id).await, "draft");
}

#[rocket::async_test]
async fn changing_an_active_agreement_makes_a_new_version_and_keeps_the_old_one_and_its_pdf() {
    let (app, _org, patient) = setup().await;
    let kari = add_relative(&app, patient, "Kari Nordmann", &[]).await;
    let id = draft(&app, patient, kari, &[]).await;
    // Drafts are edited in place.
    let lock = app
        .scalar(&format!(
            "SELECT lock_version FROM agreements WHERE id = {id}"
        ))
        .await;
    let edit = app.get(&format!("/agreements/{id}/edit")).await;
    assert!(edit
        .body
        .contains(&format!("name=\"lock\" id=\"lock\" value=\"{lock}\"")));
    let contact = app
        .scalar("SELECT id FROM users WHERE username = 'ansatt1'")
        .await
        .to_string();
    let eval = in_months(&app, 6);
    let fields = |lock: String, text: &'static str, eval: String| {
        vec![
            ("lock".to_string(), lock),
            ("relative_ids".into(), kari.to_string()),
            ("contact_rhythm".into(), "quarterly".into()),
            ("contact_id".into(), contact.clone()),
            ("capacity".into(), "can_consent".into()),
            ("evaluation_on".into(), eval),
            ("matters_relative".into(), text.to_string()),
        ]
    };
    let post = |f: Vec<(String, String)>| {
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> =
                f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            app.post(&format!("/agreements/{id}"), &pairs).await
        }
    };
    let r = post(fields(lock.to_string(), "Utkast endret", eval.clone())).await;
    assert!(r.redirects_to(&format!("/agreements/{id}")), "{}", r.body);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM agreement_versions").await,
        1
    );
    assert!(sign(&app, id)
        .await
        .redirects_to(&format!("/agreements/{id}")));

    let v1_before = app
        .text(&format!(
            "SELECT content FROM agreement_versions WHERE agreement_id = {id} AND number = 1"
        ))
        .await;
    let doc1 = app
        .text(&format!(
            "SELECT document_id FROM agreement_versions WHERE agreement_id = {id} AND number = 1"
        ))
        .await;
    let v1_pdf_text = pdftotext(
        &app.get(&format!("/agreements/{id}/versions/1/pdf"))
            .await
            .bytes,
    );
    let lock = app
        .scalar(&format!(
            "SELECT lock_version FROM agreements WHERE id = {id}"
        ))
        .await;

    // Saving without changes makes no version.
    let r = post(fields(lock.to_string(), "Utkast endret", eval.clone())).await;
    assert!(r.redirects_to(&format!("/agreements/{id}")));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM agreement_versions").await,
        1
    );

    // A change to the active agreement makes version 2 and moves the evaluation follow-up.
    let later = in_months(&app, 7);
    let r = post(fields(lock.to_string(), "Etter revisjon", later.clone())).await;
    assert!(r.redirects_to(&format!("/agreements/{id}")), "{}", r.body);
    assert_eq!(
        app.scalar(&format!(
            "SELECT current_version FROM agreements WHERE id = {id}"
        ))
        .await,
        2
    );
    assert_eq!(status(&app, id).await, "active");
    let v1_after = app
        .text(&format!(
            "SELECT content FROM agreement_versions WHERE agreement_id = {id} AND number = 1"
        ))
        .await;
    assert_eq!(v1_before, v1_after, "version 1 is unchanged byte for byte");
    let doc2 = app
        .text(&format!(
            "SELECT document_id FROM agreement_versions WHERE agreement_id = {id} AND number = 2"
        ))
        .await;
    assert_ne!(doc1, doc2);
    assert_eq!(doc2.len(), 9);
    // The history keeps the date as a date, and shows it as one.
    let later_iso = samspill::domain::dates::parse_date(&later)
        .unwrap()
        .to_string();
    assert_eq!(
        app.text(&format!(
            "SELECT CAST(c.to_date AS TEXT) FROM followup_changes c JOIN followups f ON f.id = c.followup_id
             WHERE f.agreement_id = {id} AND c.change = 'moved'"
        ))
        .await,
        later_iso
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM followups WHERE agreement_id = {id} AND kind = 'evaluation' AND status = 'open'"
        ))
        .await,
        1
    );

    // Both versions can be viewed and printed; each print names its own version and ID.
    let page = app.get(&format!("/agreements/{id}")).await;
    assert!(page.body.contains("Versjon 2 er ikke signert ennå"));
    assert!(page.body.contains(&doc1) && page.body.contains(&doc2));
    let v1 = app.get(&format!("/agreements/{id}/versions/1")).await;
    assert!(v1.body.contains("Utkast endret") && !v1.body.contains("Etter revisjon"));
    assert!(v1.body.contains("Dette er ikke gjeldende versjon."));
    let v1_again = pdftotext(
        &app.get(&format!("/agreements/{id}/versions/1/pdf"))
            .await
            .bytes,
    );
    assert_eq!(v1_pdf_text, v1_again);
    assert!(v1_again.contains(&format!("Dokument-ID {doc1} · Versjon 1")));
    // Version 2 is not signed yet: it prints as a draft, without the ID it will carry once
    // signed, while version 1 is still the agreement in force.
    let current = pdftotext(&app.get(&format!("/agreements/{id}/pdf")).await.bytes);
    assert!(current.contains("Utkast – ikke signert · Versjon 2 · Skrevet ut"));
    assert!(!current.contains(&doc2) && !current.contains(&doc1));
    assert!(current.contains("Etter revisjon"));
    assert!(v1_again.contains("gjeldende avtale"));
    // Once version 2 is signed, it carries its ID, and version 1 says on every page that it
    // was replaced.
    assert!(sign(&app, id)
        .await
        .redirects_to(&format!("/agreements/{id}")));
    let current = pdftotext(&app.get(&format!("/agreements/{id}/pdf")).await.bytes);
    assert!(current.contains(&format!("Dokument-ID {doc2} · Versjon 2")));
    let v1 = pdftotext(
        &app.get(&format!("/agreements/{id}/versions/1/pdf"))
            .await
            .bytes,
    );
    let pages = v1.matches("Side ").count();
    assert!(pages >= 2);
    assert_eq!(
        v1.matches("ERSTATTET av versjon 2 – gjelder ikke lenger")
            .count(),
        pages + 2,
        "in the header of every page, under the title and in section 11"
    );
}

#[rocket::async_test]
async fn the_second_of_two_concurrent_saves_is_refused_and_keeps_what_was_typed() {
    let (app, _org, patient) = setup().await;
    let kari = add_relative(&app, patient, "Kari Nordmann", &[]).await;
    let id = draft(&app, patient, kari, &[]).await;
    let other = app.browser().await;
    other.login_as("ansatt2").await;
    let contact = app
        .scalar("SELECT id FROM users WHERE username = 'ansatt1'")
        .await
        .to_string();
    let eval = in_months(&app, 6);
    // Both open the form at lock 1.
    assert!(app
        .get(&format!("/agreements/{id}/edit"))
        .await
        .body
        .contains("value=\"1\""));
    assert!(other
        .get(&format!("/agreements/{id}/edit"))
        .await
        .body
        .contains("value=\"1\""));
    let first = other
        .post(
            &format!("/agreements/{id}"),
            &[
                ("lock", "1"),
                ("relative_ids", &kari.to_string()),
                ("contact_rhythm", "quarterly"),
                ("contact_id", &contact),
                ("evaluation_on", &eval),
                ("matters_relative", "Første lagring"),
            ],
        )
        .await;
    assert!(first.redirects_to(&format!("/agreements/{id}")));
    let second = app
        .post(
            &format!("/agreements/{id}"),
            &[
                ("lock", "1"),
                ("relative_ids", &kari.to_string()),
                ("contact_rhythm", "quarterly"),
                ("contact_id", &contact),
                ("evaluation_on", &eval),
                ("matters_relative", "Andre lagring som ikke må forsvinne"),
            ],
        )
        .await;
    assert_eq!(second.status, Status::UnprocessableEntity);
    assert!(second
        .body
        .contains("Test ansatt2 lagret endringer i avtalen"));
    assert!(second.body.contains("Andre lagring som ikke må forsvinne"));
    assert!(second
        .body
        .contains("name=\"lock\" id=\"lock\" value=\"2\""));
    let content = app
        .text(&format!(
            "SELECT content FROM agreement_versions WHERE agreement_id = {id}"
        ))
        .await;
    assert!(content.contains("Første lagring") && !content.contains("Andre lagring"));
    // Saving again deliberately, with the lock the conflict page carries, goes through.
    let again = app
        .post(
            &format!("/agreements/{id}"),
            &[
                ("lock", "2"),
                ("relative_ids", &kari.to_string()),
                ("contact_rhythm", "quarterly"),
                ("contact_id", &contact),
                ("evaluation_on", &eval),
                ("matters_relative", "Andre lagring som ikke må forsvinne"),
            ],
        )
        .await;
    assert!(again.redirects_to(&format!("/agreements/{id}")));
}

const SPECIAL: &str = "Æsa Øvre Ålien på Ærøy: «særlig tyngende» – é, ü, æ ø å Æ Ø Å.";

#[rocket::async_test]
async fn the_pdf_is_valid_exact_paginated_consent_bound_and_translated() {
    let (app, _org, patient) = setup().await;
    let kari = add_relative(&app, patient, "Kari Ødegård", &[]).await;
    // 5000 characters in one section: flows over pages, nothing cut.
    let long: String = (0..100)
        .map(|i| format!("Setning {i:03} om hverdagen, søvnen og støtten hun trenger."))
        .collect::<Vec<_>>()
        .join(" ");
    let long = &long[..long
        .char_indices()
        .nth(5000)
        .map(|(i, _)| i)
        .unwrap_or(long.len())];
    assert_eq!(long.chars().count(), 5000);
    let id = draft(
        &app,
        patient,
        kari,
        &[("matters_relative", SPECIAL), ("service_relative", long)],
    )
    .await;
    assert!(sign(&app, id)
        .await
        .redirects_to(&format!("/agreements/{id}")));
    let before = app
        .scalar("SELECT COUNT(*) FROM access_log WHERE action = 'print'")
        .await;
    let copy = format!("recipient=party-{kari}");
    let reply = app.get(&format!("/agreements/{id}/pdf?{copy}")).await;
    assert_eq!(reply.status, Status::Ok);
    assert_eq!(reply.content_type, Some(rocket::http::ContentType::PDF));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM access_log WHERE action = 'print'")
            .await,
        before + 1
    );

    // Valid: parsed back, A4, with metadata and language.
    let doc = lopdf::Document::load_mem(&reply.bytes).expect("a valid PDF");
    let pages = doc.get_pages().len();
    assert!(pages >= 3, "{pages} pages");
    let catalog = doc.catalog().unwrap();
    assert_eq!(catalog.get(b"Lang").unwrap().as_str().unwrap(), b"nb-NO");
    let info = pdfinfo(&reply.bytes);
    assert!(info.contains("Title:           Pårørendeavtale "), "{info}");
    assert!(info.contains("Author:          Oslo kommune, Hjemmetjenesten Frogner nord"));
    assert!(info.contains("Subject:         Pårørendeavtale med Kari Ødegård"));
    assert!(info.contains("Page size:       595.28 x 841.89"));
    assert!(info.contains("CreationDate:"));

    let text = pdftotext(&reply.bytes);
    assert!(text.contains(SPECIAL), "{text}");
    // Page furniture (header and footer lines) between the pages is not part of the section.
    let body: Vec<&str> = text
        .lines()
        .map(|l| l.trim_start_matches('\u{c}'))
        .filter(|l| {
            !(*l == "Oslo kommune"
                || *l == "Hjemmetjenesten Frogner nord"
                || l.starts_with("Signert ")
                || *l == "Eksemplar til Kari Ødegård"
                || l.starts_with("Dokument-ID ")
                || l.starts_with("Side "))
        })
        .collect();
    // A line ending in a hyphen before a lowercase letter is a word the layout hyphenated.
    let mut joined = String::new();
    for line in body.iter().filter(|l| !l.trim().is_empty()) {
        if joined.ends_with('-') && line.starts_with(char::is_lowercase) {
            joined.pop();
        } else {
            joined.push(' ');
        }
        joined.push_str(line);
    }
    let flat = joined.split_whitespace().collect::<Vec<_>>().join(" ");
    if !flat.contains(long) {
        let _ = std::fs::write("/tmp/samspill-long.txt", &text);
        panic!(
            "the 5000-character section does not come back whole (text in /tmp/samspill-long.txt)"
        );
    }
    for n in 1..=pages {
        assert!(text.contains(&format!("Side {n} av {pages}")), "page {n}");
    }
    assert!(!text.contains(&format!("Side {} av", pages + 1)));
    assert!(text.contains("Oslo kommune\nHjemmetjenesten Frogner nord"));
    assert!(text.contains("Pårørende: Kari Ødegård"));
    assert!(text.contains("Pasienten har demens og bor hjemme"));
    let doc_id = app
        .text(&format!(
            "SELECT document_id FROM agreement_versions WHERE agreement_id = {id}"
        ))
        .await;
    assert!(text.contains(&format!(
        "Dokument-ID {doc_id} · Versjon 1 · Skrevet ut {}",
        format_date(app.clock.today())
    )));

    // Nynorsk and English: fixed texts translated, typed text as typed.
    let nn = pdftotext(
        &app.get(&format!("/agreements/{id}/pdf?lang=nn&{copy}"))
            .await
            .bytes,
    );
    assert!(nn.contains("Pårørandeavtale") && nn.contains("Partane") && nn.contains(SPECIAL));
    assert!(nn.contains("Side 1 av"));
    let en = pdftotext(
        &app.get(&format!("/agreements/{id}/pdf?lang=en&{copy}"))
            .await
            .bytes,
    );
    assert!(en.contains("Relatives' agreement") && en.contains("The parties"));
    assert!(en.contains("Page 1 of") && en.contains(SPECIAL));
    assert!(en.contains("Document ID"));
    assert!(!en.contains("Partene"));
    assert_eq!(
        app.get(&format!("/agreements/{id}/pdf?lang=de"))
            .await
            .status,
        Status::NotFound
    );

    // The relative's preferred language is the default.
    let r = app
        .post(
            &format!("/relatives/{kari}"),
            &relative(
                "Kari Ødegård",
                &[("language", "nynorsk"), ("phone", "98765432")],
            ),
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let default = pdftotext(&app.get(&format!("/agreements/{id}/pdf?{copy}")).await.bytes);
    assert!(default.contains("Pårørandeavtale"));

    // Consent withdrawn: the patient's own sections are no longer printed.
    let r = app
        .post(
            &format!("/relatives/{kari}/consent"),
            &[
                ("scope", "none"),
                ("on", &format_date(app.clock.today())),
                ("how", "Trukket muntlig"),
            ],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let text = pdftotext(
        &app.get(&format!("/agreements/{id}/pdf?lang=nb&{copy}"))
            .await
            .bytes,
    );
    assert!(!text.contains("Pasienten har demens"));
    assert!(text.contains("Pasienten har ikke samtykket til at helseopplysninger deles med deg."));
    assert!(
        text.contains(SPECIAL),
        "the relative's own text still prints"
    );
    let page = app.get(&format!("/agreements/{id}")).await;
    assert!(page
        .body
        .contains("Disse avsnittene skrives ikke ut: Bakgrunn"));
}

#[rocket::async_test]
async fn limited_consent_prints_only_confirmed_patient_sections_in_the_pdf() {
    let (app, _org, patient) = setup().await;
    let kari = add_relative(
        &app,
        patient,
        "Kari Nordmann",
        &[
            ("consent_scope", "limited"),
            ("consent_topics", "Timeavtaler og praktisk hjelp"),
        ],
    )
    .await;
    let id = draft(
        &app,
        patient,
        kari,
        &[
            ("matters_patient", "Å bo hjemme lengst mulig"),
            ("within_consent", "matters_patient"),
        ],
    )
    .await;
    let text = pdftotext(
        &app.get(&format!("/agreements/{id}/pdf?recipient=party-{kari}"))
            .await
            .bytes,
    );
    assert!(text.contains("UTKAST – ikke signert"));
    assert!(text.contains("Å bo hjemme lengst mulig"));
    assert!(
        !text.contains("Pasienten har demens"),
        "background was not confirmed"
    );
    assert!(text.contains("Timeavtaler og praktisk hjelp"));
}

fn pdfinfo(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.pdf");
    std::fs::write(&file, bytes).unwrap();
    let out = std::process::Command::new("pdfinfo")
        .args(["-enc", "UTF-8"])
        .arg(&file)
        .output()
        .expect("pdfinfo (poppler-utils) is needed: run scripts/test");
    String::from_utf8(out.stdout).unwrap()
}

#[rocket::async_test]
async fn another_unit_gets_404_for_the_agreement_and_its_print() {
    let (app, org, patient) = setup().await;
    let kari = add_relative(&app, patient, "Kari Nordmann", &[]).await;
    let id = draft(&app, patient, kari, &[]).await;
    app.user("annen", Role::Worker, Some(org.unit_a2)).await;
    let other = app.browser().await;
    other.login_as("annen").await;
    for path in [
        format!("/agreements/{id}"),
        format!("/agreements/{id}/pdf"),
        format!("/agreements/{id}/versions/1"),
        format!("/agreements/{id}/versions/1/pdf"),
        format!("/agreements/{id}/edit"),
    ] {
        assert_eq!(other.get(&path).await.status, Status::NotFound, "{path}");
    }
    let r = other.post(&format!("/agreements/{id}/delete"), &[]).await;
    assert_eq!(r.status, Status::NotFound);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM agreements").await, 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM access_log WHERE action = 'print'")
            .await,
        0
    );
}
