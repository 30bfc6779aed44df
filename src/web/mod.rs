//! The web application: one folder per area, each with its `routes()` (patients, relatives,
//! mappings, meetings, agreements, followups, support, dashboard, audit, admin, auth, and
//! `home` for the front door), and `infra` for what they share: session and user guards,
//! CSRF, pages and forms, filters, exports, charts, errors, headers, metrics and health.

pub mod admin;
pub mod agreements;
pub mod audit;
pub mod auth;
pub mod dashboard;
pub mod feedback;
pub mod followups;
pub mod home;
pub mod infra;
pub mod mappings;
pub mod meetings;
pub mod patients;
pub mod relatives;
pub mod support;

use crate::web::infra::templates::Template;
use infra::headers::{self, Secured};
use infra::session::{self, SessionLookup};
use infra::{metrics, page, refused};
use rocket::fs::{relative, FileServer};
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{Build, Request, Rocket};

/// Mounts every area, the fairings and the catchers on `rocket`, which already manages the
/// application's database, settings and clock.
pub fn mount(rocket: Rocket<Build>) -> Rocket<Build> {
    rocket
        .manage(metrics::Metrics::default())
        .manage(dashboard::Cache::default())
        .manage(session::AccessLogWriter::default())
        .manage(feedback::Limiter::default())
        .attach(headers::SecurityHeaders)
        .attach(metrics::MetricsFairing)
        .attach(infra::request_log::RequestLog)
        .attach(refused::RefusedAccess)
        .attach(infra::templates::Templates::fairing())
        .mount("/", home::routes())
        .mount("/", auth::routes())
        .mount("/", infra::health::routes())
        .mount("/", patients::routes())
        .mount("/", relatives::routes())
        .mount("/", mappings::routes())
        .mount("/", meetings::routes())
        .mount("/", agreements::routes())
        .mount("/", support::routes())
        .mount("/", followups::routes())
        .mount("/", dashboard::routes())
        .mount("/", audit::routes())
        .mount("/", admin::routes())
        .mount("/", feedback::routes())
        .mount("/static", FileServer::from(relative!("static")))
        .register("/", rocket::catchers![to_login, error_page])
}

/// Addresses anyone may reach without logging in below these beginnings: a relative's
/// feedback form, reached through its personal link, and signing in through the identity
/// provider (its start and the way back).
pub const PUBLIC_PREFIXES: &[&str] = &[feedback::PATH, "/login/sso"];

/// Routes anyone may reach without logging in.
pub const PUBLIC_PATHS: &[&str] = &[
    "/login",
    "/setup",
    "/healthz",
    "/tilgjengelighet",
    headers::URI_TOO_LONG_PATH,
];

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
