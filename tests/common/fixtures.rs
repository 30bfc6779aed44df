//! Fixtures shared by the suites: a worker with a patient, a relative's form, a follow-up
//! made through the form, ids from redirects, and the message at a form field.

use super::TestApp;
use rocket::http::Status;
use samspill::domain::dates::format_date;
use samspill::domain::user::Role;

pub fn id_from(location: &Option<String>, prefix: &str) -> i64 {
    let l = location
        .as_deref()
        .unwrap_or_else(|| panic!("expected a redirect to {prefix}"));
    l.trim_start_matches(prefix)
        .parse()
        .unwrap_or_else(|_| panic!("{l} after {prefix}"))
}

pub async fn setup() -> (TestApp, super::Org, i64) {
    let app = super::start().await;
    let org = app.org().await;
    app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
    app.user("ansatt2", Role::Worker, Some(org.unit_a1)).await;
    app.login_as("ansatt1").await;
    let patient = app.patient("Per Nordmann", "01.02.1940", org.unit_a1).await;
    (app, org, patient)
}

/// A call about `concerns`, due in `days` days and owned by ansatt1, made through the form
/// as the worker logged in on `app`; returns the follow-up's id.
pub async fn call_followup(app: &TestApp, patient: i64, concerns: &str, days: i64) -> i64 {
    let owner = app
        .scalar("SELECT id FROM users WHERE username = 'ansatt1'")
        .await
        .to_string();
    let due = format_date(app.clock.today() + chrono::Duration::days(days));
    let made = app
        .post(
            &format!("/patients/{patient}/followups"),
            &[
                ("kind", "call"),
                ("concerns", concerns),
                ("due_on", &due),
                ("owner_id", &owner),
            ],
        )
        .await;
    assert_eq!(made.status, Status::SeeOther, "{}", made.body);
    app.scalar("SELECT MAX(id) FROM followups").await
}

pub fn relative<'a>(name: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("full_name", name),
        ("relation", "spouse"),
        ("involvement", "yes"),
        ("age_group", "adult"),
        ("consent_scope", "full"),
        ("consent_on", super::a_month_ago()),
        ("consent_how", "Muntlig til primærkontakt"),
    ];
    for (k, v) in extra {
        f.retain(|(name, _)| name != k);
        f.push((k, v));
    }
    f
}

/// The message at `field`, read inside the one form that shows it (or, for a message that
/// belongs to no form, the one place on the page that has it). Panics when two forms or two
/// places show a message for the field, so a test never reads another form's message.
pub fn error_for(body: &str, field: &str) -> String {
    let marker = format!("id=\"{field}-error\"><span class=\"visually-hidden\">Feil: </span>");
    let places = body.matches(&marker).count();
    assert!(
        places <= 1,
        "{places} messages for {field} on the page: {:?}",
        body.match_indices(&marker)
            .map(|(i, _)| &body[i.saturating_sub(300)..i])
            .collect::<Vec<_>>()
    );
    let forms: Vec<&str> = body
        .split("<form")
        .skip(1)
        .map(|f| &f[..f.find("</form>").unwrap_or(f.len())])
        .filter(|f| f.contains(&marker))
        .collect();
    let scope = forms.first().copied().unwrap_or(body);
    let at = scope
        .find(&marker)
        .unwrap_or_else(|| panic!("no error for {field}"));
    let rest = &scope[at + marker.len()..];
    rest[..rest.find("</p>").unwrap()].to_string()
}
