//! The relative's own copy: one printed copy per recipient, always a number to call, the
//! unit's letterhead and the offer catalogue's contact details.

use crate::common::agreement::{add_relative, draft, in_months, pdftotext, sign};
use crate::common::{error_for, pdf, setup, TestApp};
use rocket::http::Status;
use samspill::domain::dates::format_date;
use samspill::domain::user::Role;

/// pdftotext keeps the no-break spaces that hold a phone number together.
fn plain(text: &str) -> String {
    text.replace('\u{a0}', " ")
}

/// An agreement with the daughter (full consent, her own address) and the neighbour (limited
/// consent), signed; returns (agreement, daughter, neighbour).
async fn two_party_agreement(app: &TestApp, patient: i64) -> (i64, i64, i64) {
    let daughter = add_relative(
        app,
        patient,
        "Dina Datter",
        &[("relation", "child"), ("address", "Storgata 1, 0155 Oslo")],
    )
    .await;
    let neighbour = add_relative(
        app,
        patient,
        "Nils Nabo",
        &[
            ("relation", "neighbour"),
            ("address", "Lillegata 2, 0155 Oslo"),
            ("consent_scope", "limited"),
            (
                "consent_topics",
                "ikke diagnose, prognose eller psykisk helse",
            ),
        ],
    )
    .await;
    let contact = app
        .scalar("SELECT id FROM users WHERE username = 'ansatt1'")
        .await
        .to_string();
    let evaluation = in_months(app, 6);
    let (d, n) = (daughter.to_string(), neighbour.to_string());
    let r = app
        .post(
            &format!("/patients/{patient}/agreements"),
            &[
                ("relative_ids", d.as_str()),
                ("relative_ids", n.as_str()),
                ("contact_rhythm", "quarterly"),
                ("contact_id", contact.as_str()),
                ("capacity", "can_consent"),
                ("evaluation_on", evaluation.as_str()),
                ("background", "Pasienten har demens og bor hjemme"),
                ("service_patient", "Hjemmesykepleie morgen og kveld"),
                ("within_consent", "service_patient"),
                ("matters_relative", "Å få sove om natten"),
            ],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let id = app.scalar("SELECT MAX(id) FROM agreements").await;
    assert!(sign(app, id)
        .await
        .redirects_to(&format!("/agreements/{id}")));
    (id, daughter, neighbour)
}

#[rocket::async_test]
async fn each_recipient_gets_a_copy_with_their_own_details_and_consent() {
    let (app, _org, patient) = setup().await;
    let (id, daughter, neighbour) = two_party_agreement(&app, patient).await;
    let copy = |who: String| {
        let app = &app;
        async move {
            let reply = app
                .get(&format!("/agreements/{id}/pdf?recipient={who}"))
                .await;
            assert_eq!(reply.status, Status::Ok, "{who}");
            plain(&pdftotext(&reply.bytes))
        }
    };

    let hers = copy(format!("party-{daughter}")).await;
    assert!(hers.contains("Eksemplar til Dina Datter"));
    assert!(hers.contains("Storgata 1, 0155 Oslo"));
    assert!(hers.contains("Pårørende: Nils Nabo (Nabo)"));
    assert!(!hers.contains("Lillegata 2"), "no other party's address");
    assert!(
        !hers.contains("ikke diagnose, prognose"),
        "no other party's consent"
    );
    assert!(hers.contains("Pasienten har demens og bor hjemme"));

    let his = copy(format!("party-{neighbour}")).await;
    assert!(his.contains("Eksemplar til Nils Nabo"));
    assert!(his.contains("Lillegata 2, 0155 Oslo"));
    assert!(!his.contains("Storgata 1"));
    assert!(his.contains("ikke diagnose, prognose eller psykisk helse"));
    assert!(!his.contains("Pasienten har demens"), "outside his consent");
    assert!(
        his.contains("Hjemmesykepleie morgen og kveld"),
        "confirmed within it"
    );

    let patients = copy("patient".into()).await;
    assert!(patients.contains("Pasientens eksemplar (Per Nordmann)"));
    assert!(!patients.contains("Storgata 1") && !patients.contains("Lillegata 2"));
    assert!(patients.contains("Pasienten har demens"));

    let file = copy("file".into()).await;
    assert!(file.contains("Tjenestens arkiveksemplar – ikke til utlevering"));
    assert!(file.contains("Storgata 1") && file.contains("Lillegata 2"));

    // Each print is logged with whom it was for; a copy for someone who is not a party, or
    // an unknown recipient, is refused.
    assert_eq!(
        app.text("SELECT detail FROM access_log WHERE action = 'print' ORDER BY id DESC LIMIT 1")
            .await
            .rsplit(", ")
            .next()
            .unwrap_or_default(),
        "Tjenestens arkiveksemplar – ikke til utlevering"
    );
    let outsider = add_relative(&app, patient, "Ola Utenfor", &[]).await;
    for who in [format!("party-{outsider}"), "naboen".into()] {
        let reply = app
            .get(&format!("/agreements/{id}/pdf?recipient={who}"))
            .await;
        assert_eq!(reply.status, Status::NotFound, "{who}");
    }

    // The agreement page asks for whom the copy is.
    let page = app.get(&format!("/agreements/{id}")).await;
    for value in [
        format!("party-{daughter}"),
        format!("party-{neighbour}"),
        "patient".into(),
        "file".into(),
    ] {
        assert!(page.body.contains(&format!("<option value=\"{value}\"")));
    }
}

#[rocket::async_test]
async fn signing_needs_a_number_to_call_and_every_page_carries_the_units() {
    let (app, org, patient) = setup().await;
    app.exec("UPDATE users SET phone = NULL WHERE username = 'ansatt1'")
        .await;
    let daughter = add_relative(&app, patient, "Dina Datter", &[]).await;
    let id = draft(
        &app,
        patient,
        daughter,
        &[(
            "service_relative",
            "- samtale hver måned\n- avlastning hver tredje uke",
        )],
    )
    .await;
    let refused = sign(&app, id).await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert!(
        error_for(&refused.body, "contact_id").starts_with("Den pårørende må ha et nummer å ringe")
    );
    assert_eq!(
        app.text(&format!("SELECT status FROM agreements WHERE id = {id}"))
            .await,
        "draft"
    );

    // The administrator gives the unit a phone with hours; a bad number is refused field by
    // field and what was typed comes back.
    app.user("admin", Role::Admin, None).await;
    app.logout().await;
    app.login_as("admin").await;
    let unit = org.unit_a1.to_string();
    let district = org.district_a.to_string();
    let mut fields = vec![
        ("name", "Hjemmetjenesten Frogner nord"),
        ("district_id", district.as_str()),
        ("address", "Postboks 1, 0101 Oslo"),
        ("phone", "23 48"),
        ("phone_hours", "hverdager kl. 08.00–15.30"),
        ("after_hours_phone", "23487000"),
    ];
    let bad = app.post(&format!("/admin/units/{unit}"), &fields).await;
    assert_eq!(bad.status, Status::UnprocessableEntity);
    assert!(error_for(&bad.body, "phone").starts_with("Skriv telefonnummeret med 8 siffer"));
    assert!(bad.body.contains("value=\"hverdager kl. 08.00–15.30\""));
    assert_eq!(
        app.text(&format!("SELECT phone FROM units WHERE id = {unit}"))
            .await,
        ""
    );
    fields[3] = ("phone", "23 48 00 00");
    let ok = app.post(&format!("/admin/units/{unit}"), &fields).await;
    assert!(ok.redirects_to("/admin/units"), "{}", ok.body);
    assert_eq!(
        app.text(&format!("SELECT phone FROM units WHERE id = {unit}"))
            .await,
        "+47 23 48 00 00"
    );

    app.logout().await;
    app.login_as("ansatt1").await;
    assert!(sign(&app, id)
        .await
        .redirects_to(&format!("/agreements/{id}")));
    let bytes = app
        .get(&format!("/agreements/{id}/pdf?recipient=party-{daughter}"))
        .await
        .bytes;
    let raw = pdftotext(&bytes);
    let text = plain(&raw);
    let pages = text.matches("Side ").count();
    let letterhead =
        "Telefon +47 23 48 00 00 (hverdager kl. 08.00–15.30) · Utenom åpningstid: +47 23 48 70 00";
    assert_eq!(text.matches(letterhead).count(), pages, "on every page");
    assert_eq!(text.matches("Postboks 1, 0101 Oslo").count(), pages);
    // No phone number is broken across lines: every "+47" starts a whole number on its line.
    for line in raw.lines() {
        for (at, _) in line.match_indices("+47") {
            let number: String = line[at..].chars().take(15).collect();
            let digits = number.chars().filter(char::is_ascii_digit).count();
            assert_eq!(digits, 10, "a phone number broken at the end of: {line}");
        }
    }
    assert!(text.contains(&format!(
        "Signert {} – gjeldende avtale",
        format_date(app.clock.today())
    )));
    // Typed dashes print as a list; the rights are on every copy.
    assert!(
        text.contains("• samtale hver måned\n• avlastning hver tredje uke"),
        "{text}"
    );
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Dine rettigheter som pårørende"));
    assert!(flat.contains("helse- og omsorgstjenesteloven § 3-6"));
    assert!(flat.contains("Pasient- og brukerombudet hjelper gratis"));
}

#[rocket::async_test]
async fn a_referred_offer_prints_with_the_catalogues_phone_hours_and_address() {
    let (app, _org, patient) = setup().await;
    let daughter = add_relative(&app, patient, "Dina Datter", &[]).await;
    let offer = app
        .scalar("SELECT id FROM offers WHERE name = 'Avlastning'")
        .await;
    app.user("admin", Role::Admin, None).await;
    app.logout().await;
    app.login_as("admin").await;
    let r = app
        .post(
            &format!("/admin/offers/{offer}"),
            &[
                ("name", "Avlastning"),
                ("provider", "Kommunen (helse- og omsorgstjenesten)"),
                ("kind", "municipal"),
                ("need", "relief"),
                ("contact", "Tildelingskontoret i bydelen"),
                ("phone", "21 80 21 80"),
                ("hours", "hverdager kl. 09–15"),
                ("web", "https://www.oslo.kommune.no/avlastning/"),
                ("name_nn", "Avlasting"),
                ("name_en", "Respite care"),
            ],
        )
        .await;
    assert!(r.redirects_to("/admin/offers"), "{}", r.body);
    app.logout().await;
    app.login_as("ansatt1").await;
    let today = format_date(app.clock.today());
    let r = app
        .post(
            &format!("/relatives/{daughter}/referrals"),
            &[
                ("offer_id", &offer.to_string()),
                ("referred_on", &today),
                ("state", "referred"),
            ],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let referral = app
        .scalar("SELECT MAX(id) FROM referrals")
        .await
        .to_string();
    let id = draft(&app, patient, daughter, &[("referral_ids", &referral)]).await;
    let print = |lang: &'static str| {
        let app = &app;
        async move {
            plain(&pdftotext(
                &app.get(&format!(
                    "/agreements/{id}/pdf?recipient=party-{daughter}&lang={lang}"
                ))
                .await
                .bytes,
            ))
        }
    };
    let nb = print("nb").await;
    let flat = nb.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("Avlastning – Henvist. telefon +47 21 80 21 80, åpent hverdager kl. 09–15, www.oslo.kommune.no/avlastning"),
        "{nb}"
    );
    let en = print("en").await;
    assert!(en.contains("Respite care – Referred"));
    let nn = print("nn").await;
    assert!(nn.contains("Avlasting – Tilvist"));
    // A draft says so on every page and carries no document ID.
    let doc = app
        .text(&format!(
            "SELECT document_id FROM agreement_versions WHERE agreement_id = {id}"
        ))
        .await;
    let pages = nb.matches("Side ").count();
    assert!(!nb.contains(&doc));
    assert_eq!(nb.matches("UTKAST – ikke signert").count(), pages + 1);
}

#[rocket::async_test]
async fn every_copy_is_tagged_archival_and_passes_the_checkers_in_each_language() {
    let (app, _org, patient) = setup().await;
    // With the municipality's logo in the letterhead.
    app.user("admin", Role::Admin, None).await;
    app.logout().await;
    app.login_as("admin").await;
    let jpeg = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/logo.jpg"
    ))
    .unwrap();
    let ok = app
        .upload("/admin/letterhead", "logo", "logo.jpg", &jpeg)
        .await;
    assert!(ok.redirects_to("/admin/letterhead"));
    app.logout().await;
    app.login_as("ansatt1").await;
    let (id, daughter, _) = two_party_agreement(&app, patient).await;
    // A long third party's worth of text, with lists, so the copy runs over several pages.
    let long = (0..40)
        .map(|i| format!("- Oppgave {i}: handler, følger til lege og ringer om kvelden."))
        .collect::<Vec<_>>()
        .join("\n");
    let lock = app
        .scalar(&format!(
            "SELECT lock_version FROM agreements WHERE id = {id}"
        ))
        .await
        .to_string();
    let parties = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM relatives WHERE patient_id = {patient}"
        ))
        .await;
    let mut ids = Vec::new();
    for i in 0..parties {
        ids.push(
            app.scalar(&format!(
                "SELECT id FROM relatives WHERE patient_id = {patient} ORDER BY id LIMIT 1 OFFSET {i}"
            ))
            .await
            .to_string(),
        );
    }
    let contact = app
        .scalar("SELECT id FROM users WHERE username = 'ansatt1'")
        .await
        .to_string();
    let evaluation = in_months(&app, 6);
    let mut fields: Vec<(&str, &str)> = ids.iter().map(|i| ("relative_ids", i.as_str())).collect();
    fields.extend([
        ("contact_rhythm", "quarterly"),
        ("lock", lock.as_str()),
        ("contact_id", contact.as_str()),
        ("capacity", "can_consent"),
        ("evaluation_on", evaluation.as_str()),
        ("relative_does", long.as_str()),
        ("service_relative", long.as_str()),
        ("matters_relative", "Å få sove om natten"),
    ]);
    let r = app.post(&format!("/agreements/{id}"), &fields).await;
    assert!(r.redirects_to(&format!("/agreements/{id}")), "{}", r.body);
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for lang in ["nb", "nn", "en"] {
        let reply = app
            .get(&format!(
                "/agreements/{id}/pdf?recipient=party-{daughter}&lang={lang}"
            ))
            .await;
        assert_eq!(reply.status, Status::Ok);
        let bytes = reply.bytes;
        assert_eq!(pdf::untagged_text(&bytes), Vec::<String>::new(), "{lang}");
        let roles = pdf::structure(&bytes);
        assert_eq!(roles.first().map(String::as_str), Some("Document"));
        for role in ["H1", "H2", "H3", "P", "L", "LI", "Lbl", "LBody"] {
            assert!(roles.iter().any(|r| r == role), "{lang}: no {role}");
        }
        let links = pdf::links(&bytes);
        assert!(
            links.contains(&(
                "https://pasientogbrukerombudet.no".into(),
                "https://pasientogbrukerombudet.no".into(),
                true
            )),
            "{lang}: {links:?}"
        );
        let marks = pdf::bookmarks(&bytes);
        assert_eq!(marks.len(), 13, "{lang}: {marks:?}");
        let pages = lopdf::Document::load_mem(&bytes).unwrap().get_pages().len();
        assert!(pages >= 4, "{lang}: {pages} pages");
        assert!(
            bytes.len() < 30_000 * pages,
            "{lang}: {} bytes",
            bytes.len()
        );
        let file = dir.path().join(format!("avtale-{lang}.pdf"));
        std::fs::write(&file, &bytes).unwrap();
        files.push(file);
    }
    let nb = pdf::bookmarks(&std::fs::read(&files[0]).unwrap());
    assert_eq!(nb[0], "1. Partene");
    assert_eq!(nb[12], "Dine rettigheter som pårørende");
    let refs: Vec<&std::path::Path> = files.iter().map(|f| f.as_path()).collect();
    pdf::assert_accessible_and_archival(&refs);
}

#[rocket::async_test]
async fn an_uploaded_logo_is_size_checked_and_printed_on_every_page() {
    let (app, _org, patient) = setup().await;
    app.user("admin", Role::Admin, None).await;
    app.logout().await;
    app.login_as("admin").await;
    let none = app.post("/admin/letterhead", &[]).await;
    assert_eq!(none.status, Status::UnprocessableEntity);
    assert_eq!(error_for(&none.body, "logo"), "Velg en bildefil.");
    let png = b"\x89PNG\r\n\x1a\n0000";
    let refused = app
        .upload("/admin/letterhead", "logo", "logo.png", png)
        .await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&refused.body, "logo"),
        "Logoen må være et JPEG-bilde (.jpg)."
    );
    let mut huge = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/logo.jpg"
    ))
    .unwrap();
    let jpeg = huge.clone();
    huge.resize(300 * 1024, 0);
    let refused = app
        .upload("/admin/letterhead", "logo", "stor.jpg", &huge)
        .await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert!(error_for(&refused.body, "logo").starts_with("Logoen kan være høyst 200 kB"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM letterhead_logo").await, 0);
    let ok = app
        .upload("/admin/letterhead", "logo", "logo.jpg", &jpeg)
        .await;
    assert!(ok.redirects_to("/admin/letterhead"), "{}", ok.body);
    let shown = app.get("/admin/letterhead/logo.jpg").await;
    assert_eq!(shown.bytes, jpeg);
    assert!(app
        .get("/admin/letterhead")
        .await
        .body
        .contains("240 × 80 piksler"));

    app.logout().await;
    app.login_as("ansatt1").await;
    let (id, daughter, _) = two_party_agreement(&app, patient).await;
    let bytes = app
        .get(&format!("/agreements/{id}/pdf?recipient=party-{daughter}"))
        .await
        .bytes;
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let pages = doc.get_pages();
    for page_id in pages.values() {
        let images = doc.get_page_images(*page_id).unwrap_or_default();
        assert_eq!(images.len(), 1, "one logo on every page");
        assert_eq!((images[0].width, images[0].height), (240, 80));
    }
    assert_eq!(pdf::untagged_text(&bytes), Vec::<String>::new());
    // Workers cannot reach the administration of the logo.
    assert_eq!(
        app.get("/admin/letterhead/logo.jpg").await.status,
        Status::Forbidden
    );
}
