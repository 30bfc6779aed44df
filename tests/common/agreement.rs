//! Agreements as the tests make them: a relative, a draft through the form, signatures, and
//! the text of a printed copy.

use super::{relative, TestApp};
use rocket::http::Status;
use samspill::domain::dates::format_date;

/// Registers an adult relative with the given consent; returns the relative's id.
pub async fn add_relative(
    app: &TestApp,
    patient: i64,
    name: &str,
    consent: &[(&str, &str)],
) -> i64 {
    let mut fields = relative(name, consent);
    fields.push(("phone", "98765432"));
    let r = app
        .post(&format!("/patients/{patient}/relatives"), &fields)
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    app.scalar("SELECT MAX(id) FROM relatives").await
}

pub fn in_months(app: &TestApp, months: u32) -> String {
    format_date(
        app.clock
            .today()
            .checked_add_months(chrono::Months::new(months))
            .unwrap(),
    )
}

/// A draft agreement with `relative`, contact person ansatt1; returns its id.
pub async fn draft(app: &TestApp, patient: i64, relative: i64, extra: &[(&str, &str)]) -> i64 {
    let contact = app
        .scalar("SELECT id FROM users WHERE username = 'ansatt1'")
        .await
        .to_string();
    let evaluation = in_months(app, 6);
    let rel = relative.to_string();
    let mut fields = vec![
        ("relative_ids", rel.as_str()),
        ("contact_rhythm", "quarterly"),
        ("contact_id", contact.as_str()),
        ("capacity", "can_consent"),
        ("evaluation_on", evaluation.as_str()),
        ("matters_relative", "Å få sove om natten"),
        ("relative_does", "Handler mat og følger til lege"),
        ("background", "Pasienten har demens og bor hjemme"),
    ];
    for (k, v) in extra {
        fields.retain(|(name, _)| name != k);
        fields.push((k, v));
    }
    let r = app
        .post(&format!("/patients/{patient}/agreements"), &fields)
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    app.scalar("SELECT MAX(id) FROM agreements").await
}

pub async fn sign(app: &TestApp, id: i64) -> super::Reply {
    let today = format_date(app.clock.today());
    app.post(
        &format!("/agreements/{id}/sign"),
        &[
            ("relative_signed_on", &today),
            ("service_signed_on", &today),
            ("patient_signed_on", ""),
            (
                "patient_not_signed_reason",
                "Pasienten var for syk til å signere",
            ),
        ],
    )
    .await
}

pub async fn status(app: &TestApp, id: i64) -> String {
    app.text(&format!("SELECT status FROM agreements WHERE id = {id}"))
        .await
}

/// The text of a PDF as poppler's pdftotext reads it.
pub fn pdftotext(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.pdf");
    std::fs::write(&file, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .unwrap_or_else(|e| {
            panic!("pdftotext (Debian package poppler-utils) is needed for the PDF checks: {e}. Run scripts/test, which installs it.")
        });
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout).unwrap()
}
