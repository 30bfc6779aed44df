//! The web application: one module per area, each with its `routes()`, plus the guards,
//! CSRF check, security headers, error pages and template set-up they share.

pub mod admin;
pub mod agreements;
pub mod audit;
pub mod auth;
pub mod chart;
pub mod csrf;
pub mod dashboard;
pub mod error;
pub mod export;
pub mod filters;
pub mod followups;
pub mod forms;
pub mod headers;
pub mod health;
pub mod identify;
pub mod mappings;
pub mod meetings;
pub mod metrics;
pub mod page;
pub mod page_cache;
pub mod pages;
pub mod patients;
pub mod refused;
pub mod relatives;
pub mod routine;
pub mod session;
pub mod support;

use crate::db::access_log::{Access, Action};
use crate::App;
use headers::Secured;
use rocket::fs::{relative, FileServer};
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{Build, Request, Rocket};
use rocket_dyn_templates::Template;
use session::{CurrentUser, SessionLookup};

/// Mounts every area, the fairings and the catchers on `rocket`.
pub fn mount(rocket: Rocket<Build>, app: App) -> Rocket<Build> {
    rocket
        .manage(app.db)
        .manage(app.settings)
        .manage(app.clock)
        .manage(metrics::Metrics::default())
        .manage(dashboard::Cache::default())
        .manage(page_cache::PageCache::default())
        .manage(session::AccessLogWriter::default())
        .attach(headers::SecurityHeaders)
        .attach(metrics::MetricsFairing)
        .attach(refused::RefusedAccess)
        .attach(Template::custom(|engines| {
            filters::register(&mut engines.tera)
        }))
        .mount("/", pages::routes())
        .mount("/", auth::routes())
        .mount("/", health::routes())
        .mount("/", patients::routes())
        .mount("/", routine::routes())
        .mount("/", relatives::routes())
        .mount("/", identify::routes())
        .mount("/", mappings::routes())
        .mount("/", meetings::routes())
        .mount("/", agreements::routes())
        .mount("/", support::routes())
        .mount("/", followups::routes())
        .mount("/", dashboard::routes())
        .mount("/", audit::routes())
        .mount("/", admin::routes())
        .mount("/static", FileServer::from(relative!("static")))
        .register("/", rocket::catchers![to_login, error_page])
}

/// Routes anyone may reach without logging in.
pub const PUBLIC_PATHS: &[&str] = &[
    "/login",
    "/setup",
    "/healthz",
    "/tilgjengelighet",
    headers::URI_TOO_LONG_PATH,
];

/// An access-log entry for `user`.
pub fn access<'a>(
    user: &'a CurrentUser,
    action: Action,
    entity: &'a str,
    entity_id: Option<i64>,
    patient: Option<(i64, i64)>,
    detail: &'a str,
) -> Access<'a> {
    Access {
        user_id: Some(user.id),
        username: &user.username,
        action,
        entity,
        entity_id,
        patient_id: patient.map(|p| p.0),
        unit_id: patient.map(|p| p.1),
        detail,
    }
}

/// Records a change to a patient's data: a timeline event for the patient's page, the change
/// counters of the patient and its units, and a row in the access log, all inside the
/// change's transaction.
#[allow(clippy::too_many_arguments)]
pub async fn record_change(
    tx: &mut crate::db::Tx,
    user: &CurrentUser,
    action: Action,
    entity: &str,
    entity_id: i64,
    patient: (i64, i64),
    summary: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), sqlx::Error> {
    let event = crate::db::events::Event {
        patient_id: patient.0,
        author_id: user.id,
        author_name: &user.name,
        kind: entity,
        summary,
    };
    crate::db::events::add(tx, &event, now).await?;
    crate::db::changes::patient(tx, patient.0, patient.1).await?;
    let entry = access(
        user,
        action,
        entity,
        Some(entity_id),
        Some(patient),
        summary,
    );
    crate::db::access_log::record_tx(tx, &entry, now).await
}

/// Records that `user` read a patient's data.
pub async fn record_view(
    db: &crate::db::Db,
    user: &CurrentUser,
    entity: &str,
    entity_id: i64,
    patient: (i64, i64),
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), sqlx::Error> {
    let entry = access(
        user,
        Action::View,
        entity,
        Some(entity_id),
        Some(patient),
        "",
    );
    match &user.access_log {
        Some(batcher) => batcher.record(db, &entry, now).await,
        None => crate::db::access_log::record(db, &entry, now).await,
    }
}

/// Records that `user` was shown, or exported, a list of patients' data; returns the id of
/// the listing, which a view of the same page served again from memory can name.
pub async fn record_listing(
    db: &crate::db::Db,
    user: &CurrentUser,
    action: Action,
    entity: &str,
    detail: &str,
    listing: crate::db::access_log::Listing<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<i64, sqlx::Error> {
    let entry = access(user, action, entity, None, None, detail);
    match &user.access_log {
        Some(batcher) => batcher.record_listing(db, &entry, listing, now).await,
        None => crate::db::access_log::record_listing(db, &entry, listing, now).await,
    }
}

/// Requests without a valid session go to the login page, which says why when the session
/// timed out or was ended.
#[rocket::catch(401)]
fn to_login(req: &Request<'_>) -> Secured<Redirect> {
    let lookup = req.local_cache(SessionLookup::default);
    Secured(match lookup.missing_because {
        Some(session::NoSession::IdleTimeout) => Redirect::to("/login?reason=idle"),
        Some(session::NoSession::AbsoluteTimeout) => Redirect::to("/login?reason=expired"),
        Some(session::NoSession::Ended) => Redirect::to("/login?reason=ended"),
        _ => Redirect::to("/login"),
    })
}

/// Every other error: a Norwegian page that shows no internals.
#[rocket::catch(default)]
fn error_page(status: Status, req: &Request<'_>) -> Secured<(Status, Template)> {
    let (title, message) = error_text(status.code);
    let lookup = req.local_cache(SessionLookup::default);
    let page = page::Page::new(title, lookup.user.as_ref())
        .with("status", status.code)
        .with("message", message);
    Secured((status, page.render("error")))
}

pub fn error_text(code: u16) -> (&'static str, &'static str) {
    match code {
        400 => ("Ugyldig forespørsel", "Forespørselen kunne ikke leses. Gå tilbake og prøv igjen."),
        403 => (
            "Ingen tilgang",
            "Du har ikke tilgang til denne siden, eller skjemaet var utløpt. Gå tilbake, last siden på nytt og prøv igjen.",
        ),
        404 => ("Fant ikke siden", "Siden eller opplysningene du ba om finnes ikke, eller du har ikke tilgang til dem."),
        414 => (
            "For lang adresse",
            "Adressen var lengre enn vi kan ta imot. Gå tilbake og prøv igjen.",
        ),
        413 => (
            "For mye innhold",
            "Skjemaet inneholdt mer tekst enn vi kan ta imot. Gjør teksten kortere og prøv igjen.",
        ),
        422 => ("Skjemaet kunne ikke leses", "Innholdet i skjemaet kunne ikke leses. Gå tilbake og prøv igjen."),
        503 => (
            "Tjenesten er midlertidig utilgjengelig",
            "Databasen svarer ikke akkurat nå. Ingenting er lagret fra denne forespørselen. Prøv igjen om litt.",
        ),
        500..=599 => (
            "Noe gikk galt",
            "Det oppstod en feil hos oss. Feilen er logget. Prøv igjen, og kontakt brukerstøtte hvis det gjentar seg.",
        ),
        _ => ("Noe gikk galt", "Forespørselen kunne ikke behandles. Gå tilbake og prøv igjen."),
    }
}
