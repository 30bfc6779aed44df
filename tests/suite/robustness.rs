//! Property tests on every form: arbitrary strings, texts up to 1 MB, invalid UTF-8,
//! missing and duplicated fields. Never a 500, never a panic, and a refused form writes
//! nothing.

use crate::common::{self, encode, TestApp};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use rocket::http::{ContentType, Status};
use samspill::domain::user::Role;

const TABLES: &[&str] = &[
    "districts",
    "units",
    "users",
    "patients",
    "relatives",
    "consents",
    "child_followups",
    "mappings",
    "meetings",
    "meeting_relatives",
    "offers",
    "referrals",
    "followups",
    "followup_changes",
    "agreements",
    "agreement_versions",
    "agreement_evaluations",
    "events",
];

async fn snapshot(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for t in TABLES {
        counts.push(app.scalar(&format!("SELECT COUNT(*) FROM {t}")).await);
    }
    counts.push(
        app.scalar("SELECT COUNT(*) FROM patients WHERE archived_at IS NOT NULL")
            .await,
    );
    counts
}

/// One field's value in a generated request.
#[derive(Debug, Clone)]
enum Value {
    Missing,
    Text(String),
    Twice(String, String),
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Missing),
        ".{0,40}".prop_map(Value::Text),
        "[0-9.:-]{0,12}".prop_map(Value::Text),
        "\\PC{0,300}".prop_map(Value::Text),
        (".{0,10}", ".{0,10}").prop_map(|(a, b)| Value::Twice(a, b)),
    ]
}

fn body(fields: &[&str], values: &[Value], token: &str) -> String {
    let mut parts = vec![format!("csrf_token={}", encode(token))];
    for (f, v) in fields.iter().zip(values) {
        match v {
            Value::Missing => {}
            Value::Text(s) => parts.push(format!("{f}={}", encode(s))),
            Value::Twice(a, b) => {
                parts.push(format!("{f}={}", encode(a)));
                parts.push(format!("{f}={}", encode(b)));
            }
        }
    }
    parts.join("&")
}

async fn post(app: &TestApp, path: &str, body: Vec<u8>) -> Status {
    let res = app
        .client
        .post(path.to_string())
        .header(ContentType::Form)
        .body(body)
        .dispatch()
        .await;
    res.status()
}

/// Sends generated bodies to `path` as `app`; checks status and writes.
async fn hammer(app: &TestApp, runner: &mut TestRunner, path: &str, fields: &[&str], cases: usize) {
    let token = app.csrf().await;
    let strategy = proptest::collection::vec(value(), fields.len());
    let mut bodies: Vec<Vec<u8>> = Vec::new();
    for _ in 0..cases {
        let values = strategy.new_tree(runner).unwrap().current();
        bodies.push(body(fields, &values, &token).into_bytes());
    }
    // A 1 MB text in every field, invalid UTF-8, and an empty body.
    let huge = "æ".repeat(512 * 1024);
    let all: Vec<Value> = fields.iter().map(|_| Value::Text(huge.clone())).collect();
    bodies.push(body(fields, &all, &token).into_bytes());
    let mut invalid = format!("csrf_token={}&", encode(&token)).into_bytes();
    for f in fields {
        invalid.extend_from_slice(f.as_bytes());
        invalid.extend_from_slice(b"=%FF%FE\xff\xfe&");
    }
    bodies.push(invalid);
    bodies.push(format!("csrf_token={}", encode(&token)).into_bytes());
    for b in bodies {
        let before = snapshot(app).await;
        let status = post(app, path, b.clone()).await;
        assert!(
            status.code < 500,
            "{path} answered {status} to {:?}",
            String::from_utf8_lossy(&b[..b.len().min(300)])
        );
        if status != Status::SeeOther {
            assert_eq!(
                before,
                snapshot(app).await,
                "{path} refused ({status}) but wrote"
            );
        }
    }
}

#[rocket::async_test]
async fn no_form_answers_500_or_writes_half() {
    let app = common::start().await;
    let org = app.org().await;
    app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
    app.user("ekstra", Role::Worker, Some(org.unit_a1)).await;
    app.login_as("ansatt1").await;
    let p = app.patient("Per Nordmann", "01.02.1940", org.unit_a1).await;
    let r = app
        .post(
            &format!("/patients/{p}/relatives"),
            &crate::common::relative("Kari Nordmann", &[]),
        )
        .await;
    assert_eq!(r.status, Status::SeeOther);
    let rel = app.scalar("SELECT MAX(id) FROM relatives").await;
    let owner = app
        .scalar("SELECT id FROM users WHERE username = 'ansatt1'")
        .await
        .to_string();
    // Dates relative to the application's clock, so the fixture never expires.
    let in_days = |days: i64| {
        samspill::domain::dates::format_date(app.clock.today() + chrono::Duration::days(days))
    };
    let (next_year, in_a_quarter) = (in_days(365), in_days(90));
    app.post(
        &format!("/patients/{p}/followups"),
        &[
            ("kind", "call"),
            ("concerns", "Ring"),
            ("due_on", next_year.as_str()),
            ("owner_id", &owner),
        ],
    )
    .await;
    let f = app.scalar("SELECT MAX(id) FROM followups").await;
    app.post(
        &format!("/patients/{p}/meetings"),
        &[
            ("kind", "first"),
            ("date", crate::common::a_month_ago()),
            ("action", "save"),
        ],
    )
    .await;
    let m = app.scalar("SELECT MAX(id) FROM meetings").await;
    app.post(
        &format!("/patients/{p}/agreements"),
        &[
            ("relative_ids", &rel.to_string()),
            ("contact_rhythm", "quarterly"),
            ("evaluation_on", in_a_quarter.as_str()),
        ],
    )
    .await;
    let a = app.scalar("SELECT MAX(id) FROM agreements").await;
    app.post(
        &format!("/relatives/{rel}/referrals"),
        &[
            ("offer_id", "1"),
            ("referred_on", crate::common::a_month_ago()),
            ("state", "referred"),
        ],
    )
    .await;
    let x = app.scalar("SELECT MAX(id) FROM referrals").await;
    assert!(f > 0 && m > 0 && a > 0 && x > 0, "the fixture is complete");

    let mut runner = TestRunner::new(Config {
        cases: 8,
        ..Config::default()
    });
    let cases = 8;
    let forms_for = |a: i64, f: i64| -> Vec<(String, Vec<&str>)> {
        vec![
            (
                "/patients".into(),
                vec![
                    "full_name",
                    "birth_date",
                    "fnr",
                    "phone",
                    "address",
                    "services",
                    "unit_id",
                ],
            ),
            (
                format!("/patients/{p}"),
                vec![
                    "full_name",
                    "birth_date",
                    "fnr",
                    "phone",
                    "address",
                    "services",
                    "unit_id",
                ],
            ),
            (
                format!("/patients/{p}/relatives"),
                vec![
                    "full_name",
                    "relation",
                    "relation_other",
                    "phone",
                    "email",
                    "birth_date",
                    "age_group",
                    "involvement",
                    "closest",
                    "closest_basis",
                    "consent_scope",
                    "consent_on",
                    "consent_how",
                    "contact_person_id",
                ],
            ),
            (
                format!("/relatives/{rel}"),
                vec![
                    "full_name",
                    "relation",
                    "phone",
                    "email",
                    "age_group",
                    "involvement",
                    "closest",
                    "contact_person_id",
                ],
            ),
            (
                format!("/relatives/{rel}/consent"),
                vec!["scope", "topics", "on", "how"],
            ),
            (
                format!("/relatives/{rel}/child-followup"),
                vec![
                    "informed",
                    "informed_how",
                    "follower",
                    "services",
                    "concern",
                    "concern_action",
                    "care_tasks",
                    "care_tasks_note",
                ],
            ),
            (
                format!("/relatives/{rel}/mappings"),
                vec![
                    "mapped_on",
                    "roles",
                    "tasks",
                    "hours_per_week",
                    "s0",
                    "s1",
                    "s7",
                    "violence",
                    "support_needs",
                    "what_matters",
                ],
            ),
            (
                format!("/relatives/{rel}/referrals"),
                vec!["offer_id", "referred_on", "state", "note"],
            ),
            (format!("/referrals/{x}"), vec!["state", "note"]),
            (
                format!("/patients/{p}/outcome"),
                vec!["outcome", "outcome_on", "reason"],
            ),
            (format!("/patients/{p}/children"), vec!["minor_children"]),
            (
                format!("/patients/{p}/followups"),
                vec!["kind", "concerns", "due_on", "owner_id", "relative_id"],
            ),
            (format!("/followups/{f}/move"), vec!["due_on", "reason"]),
            (format!("/followups/{f}/done"), vec!["note", "done_on"]),
            (
                format!("/patients/{p}/meetings"),
                vec![
                    "kind",
                    "date",
                    "time",
                    "place",
                    "relative_ids",
                    "minutes",
                    "informed_rights",
                    "checklist",
                    "next_due",
                    "next_owner_id",
                    "evaluation_on",
                    "action",
                ],
            ),
            (
                format!("/meetings/{m}"),
                vec![
                    "kind",
                    "date",
                    "time",
                    "relative_ids",
                    "minutes",
                    "next_due",
                    "action",
                ],
            ),
            (
                format!("/patients/{p}/agreements"),
                vec![
                    "lock",
                    "relative_ids",
                    "capacity",
                    "represented_by",
                    "contact_id",
                    "deputy_id",
                    "background",
                    "relative_does",
                    "relative_declines",
                    "children",
                    "contact_means",
                    "contact_rhythm",
                    "referral_ids",
                    "evaluation_on",
                    "valid_until",
                    "within_consent",
                ],
            ),
            (
                format!("/agreements/{a}"),
                vec![
                    "lock",
                    "relative_ids",
                    "contact_id",
                    "matters_relative",
                    "evaluation_on",
                    "next_meeting_on",
                ],
            ),
            (
                format!("/agreements/{a}/sign"),
                vec![
                    "relative_signed_on",
                    "service_signed_on",
                    "patient_signed_on",
                    "patient_not_signed_reason",
                ],
            ),
            (
                format!("/agreements/{a}/evaluate"),
                vec![
                    "evaluated_on",
                    "outcome",
                    "note",
                    "next_evaluation_on",
                    "meeting_id",
                ],
            ),
            (
                format!("/agreements/{a}/end"),
                vec!["ended_on", "end_reason"],
            ),
            (format!("/followups/{f}/cancel"), vec!["cancel_reason"]),
            (format!("/agreements/{a}/delete"), vec![]),
            (format!("/patients/{p}/archive"), vec!["archive_reason"]),
        ]
    };
    let worker_forms = forms_for(a, f);
    for (path, fields) in &worker_forms {
        hammer(&app, &mut runner, path, fields, cases).await;
    }
    // The same forms against the records in their other states: an identification outcome
    // registered, the meeting completed, the follow-up done, the referral ended and the
    // agreement signed (a form can fail differently once its record has moved on).
    let today = samspill::domain::dates::format_date(app.clock.today());
    let due = samspill::domain::dates::format_date(app.clock.today() + chrono::Duration::days(14));
    let rel_id = rel.to_string();
    // The first pass deleted the draft agreement; a new one is signed.
    let made = app
        .post(
            &format!("/patients/{p}/agreements"),
            &[
                ("relative_ids", rel_id.as_str()),
                ("contact_rhythm", "quarterly"),
                ("contact_id", owner.as_str()),
                ("capacity", "can_consent"),
                ("evaluation_on", due.as_str()),
            ],
        )
        .await;
    assert_eq!(made.status, Status::SeeOther, "{}", made.body);
    let signed = app.scalar("SELECT MAX(id) FROM agreements").await;
    // The first pass may have cancelled the follow-up; a new one is done.
    let made = app
        .post(
            &format!("/patients/{p}/followups"),
            &[
                ("kind", "call"),
                ("concerns", "Ring igjen"),
                ("due_on", due.as_str()),
                ("owner_id", owner.as_str()),
            ],
        )
        .await;
    assert_eq!(made.status, Status::SeeOther, "{}", made.body);
    let done = app.scalar("SELECT MAX(id) FROM followups").await;
    let moved_on = [
        (
            format!("/patients/{p}/outcome"),
            vec![
                ("outcome", "no_relatives"),
                ("outcome_on", today.as_str()),
                ("reason", "Ingen å involvere"),
            ],
        ),
        (
            format!("/meetings/{m}"),
            vec![
                ("kind", "first"),
                ("date", today.as_str()),
                ("time", "10:00"),
                ("relative_ids", rel_id.as_str()),
                ("minutes", "Referat."),
                ("informed_rights", "1"),
                ("next_due", due.as_str()),
                ("next_owner_id", owner.as_str()),
                ("next_kind", "call"),
                ("next_concerns", "Ring"),
                ("action", "complete"),
            ],
        ),
        (
            format!("/followups/{done}/done"),
            vec![("note", "Ringt"), ("done_on", today.as_str())],
        ),
        (
            format!("/referrals/{x}"),
            vec![("state", "ended"), ("note", "")],
        ),
        (
            format!("/agreements/{signed}/sign"),
            vec![
                ("relative_signed_on", today.as_str()),
                ("service_signed_on", today.as_str()),
                ("patient_signed_on", today.as_str()),
            ],
        ),
    ];
    for (path, fields) in &moved_on {
        let r = app.post(path, fields).await;
        assert_eq!(r.status, Status::SeeOther, "{path}: {}", r.body);
    }
    assert_eq!(
        app.text(&format!(
            "SELECT p.identify_outcome || ' ' || m.status || ' ' || f.status || ' ' || x.state || ' ' || a.status
             FROM patients p, meetings m, followups f, referrals x, agreements a
             WHERE p.id = {p} AND m.id = {m} AND f.id = {done} AND x.id = {x} AND a.id = {signed}"
        ))
        .await,
        "no_relatives completed done ended active"
    );
    for (path, fields) in &forms_for(signed, done) {
        hammer(&app, &mut runner, path, fields, cases).await;
    }

    // Wrong current passwords lock the account and end its sessions (as at the login), so the
    // password form is hammered by an account of its own.
    let own = app.browser().await;
    app.user("ansatt9", Role::Worker, Some(org.unit_a1)).await;
    own.login_as("ansatt9").await;
    hammer(
        &own,
        &mut runner,
        "/account/password",
        &["current", "new_password", "confirm"],
        cases,
    )
    .await;

    let manager = app.browser().await;
    app.user("leder1", Role::Manager, Some(org.unit_a1)).await;
    manager.login_as("leder1").await;
    hammer(
        &manager,
        &mut runner,
        &format!("/dashboard/followups/{f}/reassign"),
        &["owner_id", "reason"],
        cases,
    )
    .await;

    let admin = app.browser().await;
    app.user("admin", Role::Admin, None).await;
    admin.login_as("admin").await;
    let spare = app
        .scalar("SELECT id FROM users WHERE username = 'ekstra'")
        .await;
    let admin_forms: Vec<(String, Vec<&str>)> = vec![
        ("/admin/districts".into(), vec!["name"]),
        (format!("/admin/districts/{}", org.district_a), vec!["name"]),
        ("/admin/units".into(), vec!["name", "district_id"]),
        (
            format!("/admin/units/{}", org.unit_a2),
            vec!["name", "district_id"],
        ),
        (
            "/admin/users".into(),
            vec!["username", "name", "role", "unit_id", "phone", "password"],
        ),
        (
            format!("/admin/users/{spare}"),
            vec!["name", "role", "unit_id", "phone"],
        ),
        (format!("/admin/users/{spare}/password"), vec!["password"]),
        (
            "/admin/offers".into(),
            vec!["name", "provider", "kind", "need", "contact", "description"],
        ),
        (
            "/admin/offers/1".into(),
            vec!["name", "provider", "kind", "need"],
        ),
        (format!("/admin/users/{spare}/deactivate"), vec![]),
    ];
    for (path, fields) in &admin_forms {
        hammer(&admin, &mut runner, path, fields, cases).await;
    }

    let anonymous = app.browser().await;
    // NUL, which PostgreSQL refuses in text, in a login and in a search.
    let token = anonymous.csrf().await;
    let nul = format!(
        "csrf_token={}&username=a%00b&password=c%00d",
        encode(&token)
    );
    assert!(post(&anonymous, "/login", nul.into_bytes()).await.code < 500);
    assert_eq!(app.get("/patients?q=a%00b").await.status, Status::Ok);
    hammer(
        &anonymous,
        &mut runner,
        "/login",
        &["username", "password"],
        cases,
    )
    .await;
    hammer(
        &anonymous,
        &mut runner,
        "/setup?token=x",
        &["username", "name", "password", "repeat"],
        cases,
    )
    .await;
}
