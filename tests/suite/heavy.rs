//! Heavy care, recognised: how long the care has lasted, lost income and a legal duty of
//! care are recorded in the mapping and make the care tasks heavy on the dashboard.

use crate::common::agreement::add_relative;
use crate::common::{error_for, setup};
use rocket::http::Status;
use samspill::domain::user::Role;

#[rocket::async_test]
async fn a_legal_duty_or_lost_income_makes_care_heavy_without_many_hours() {
    let (app, org, patient) = setup().await;
    let mor = add_relative(&app, patient, "Mona Mor", &[("relation", "parent")]).await;
    let nabo = add_relative(&app, patient, "Nils Nabo", &[("relation", "neighbour")]).await;
    let today = app.date_in(0);
    let mapping = |extra: &[(&'static str, &'static str)]| {
        let mut f: Vec<(&str, String)> = vec![
            ("mapped_on", today.clone()),
            ("hours_per_week", "4".into()),
            ("violence", "no".into()),
        ];
        f.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        f
    };
    let post = |id: i64, fields: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post(&format!("/relatives/{id}/mappings"), &f).await
        }
    };
    let bad = post(mor, mapping(&[("care_duration", "forever")])).await;
    assert_eq!(bad.status, Status::UnprocessableEntity);
    assert_eq!(
        error_for(&bad.body, "care_duration"),
        "Velg hvor lenge omsorgen har vart fra listen."
    );
    let r = post(
        mor,
        mapping(&[("care_duration", "over_3y"), ("legal_duty", "1")]),
    )
    .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let page = app.get(r.location.as_deref().unwrap()).await.body;
    assert!(page.contains("<dt>Hvor lenge omsorgen har vart</dt><dd>Mer enn tre år</dd>"));
    assert!(page.contains("<dt>Lovpålagt omsorgsplikt</dt><dd>Ja</dd>"));
    assert!(page.contains("Tunge omsorgsoppgaver: den pårørende har rett"));
    let r = post(nabo, mapping(&[("care_duration", "over_3y")])).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    assert!(!app
        .get(r.location.as_deref().unwrap())
        .await
        .body
        .contains("Tunge omsorgsoppgaver"));

    // The manager's list of heavy care without an agreement has the mother, not the
    // neighbour who has helped for years at four hours a week.
    let manager = app.browser().await;
    app.user("leder1", Role::Manager, Some(org.unit_a1)).await;
    manager.login_as("leder1").await;
    let list = manager
        .get("/dashboard/list/relatives?filter=heavy_without_agreement")
        .await
        .body;
    assert!(list.contains("Mona Mor"), "{list}");
    assert!(!list.contains("Nils Nabo"));

    // Lost income alone counts too.
    let r = post(nabo, mapping(&[("lost_income", "1")])).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let list = manager
        .get("/dashboard/list/relatives?filter=heavy_without_agreement")
        .await
        .body;
    assert!(list.contains("Nils Nabo"));
}

#[rocket::async_test]
async fn the_catalogue_has_financial_advice_and_the_ombud() {
    let (app, _org, _patient) = setup().await;
    assert_eq!(
        app.text(
            "SELECT phone || ' ' || web FROM offers WHERE name = 'Økonomisk rådgivning' AND need = 'financial'"
        )
        .await,
        "+47 55 55 33 39 nav.no/okonomi-og-gjeld"
    );
    assert_eq!(
        app.text("SELECT web FROM offers WHERE name = 'Pasient- og brukerombudet'")
            .await,
        "pasientogbrukerombudet.no"
    );
}
