//! The application as it runs: its state (database, settings, clock), how it is prepared
//! from the configuration, and the Rocket that serves it.

use crate::clock::Clock;
use crate::config::{self, Settings};
use crate::db::{self, Db};
use crate::web;
use rocket::figment::Figment;
use rocket::{Build, Rocket};

/// What the application runs on: the database, its settings and its clock.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub settings: Settings,
    pub clock: Clock,
}

/// Reads the settings, connects to and migrates the database, and makes sure a cookie
/// secret exists.
pub async fn prepare(figment: Figment) -> Result<(Figment, App), String> {
    prepare_as(figment, false)
        .await
        .map(|(figment, app, _)| (figment, app))
}

/// `prepare` for filling a new database in one go (`demo-data`): one connection with
/// `Durability::Bulk`, and on SQLite the journal in memory from before the migrations
/// (`Db::begin_bulk`). A second pool before it would still hold the file now and then when
/// the fill began, and SQLite leaves WAL mode only for a connection that has the file alone.
/// Also returns whether the journal is in memory (a file in use elsewhere stays in WAL mode).
pub async fn prepare_bulk(figment: Figment) -> Result<(App, bool), String> {
    prepare_as(figment, true)
        .await
        .map(|(_, app, in_memory)| (app, in_memory))
}

async fn prepare_as(figment: Figment, bulk: bool) -> Result<(Figment, App, bool), String> {
    let settings = config::settings(&figment)?;
    let figment = config::with_secret_key(figment, &settings)?;
    relying_party(&figment, &settings)?;
    let (connections, durability) = if bulk {
        (1, crate::db::Durability::Bulk)
    } else {
        (
            settings.max_connections,
            settings.sqlite_synchronous.parse()?,
        )
    };
    let db = Db::connect_with(&settings.database_url, connections, durability)
        .await
        .map_err(|e| {
            format!(
                "cannot open the database {}: {e}",
                redact(&settings.database_url)
            )
        })?;
    let in_memory = bulk
        && db
            .begin_bulk()
            .await
            .map_err(|e| format!("cannot fill the database in bulk: {e}"))?;
    db.migrate()
        .await
        .map_err(|e| format!("database migration failed: {e}"))?;
    db::patients::index_missing_names(&db)
        .await
        .map_err(|e| format!("indexing the patients' names for the search failed: {e}"))?;
    Ok((
        figment,
        App {
            db,
            settings,
            clock: Clock::default(),
        },
        in_memory,
    ))
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The relying party for single sign-on, when it is configured; an error names the setting
/// that does not work.
pub fn relying_party(
    figment: &Figment,
    settings: &Settings,
) -> Result<Option<std::sync::Arc<crate::sso::Sso>>, String> {
    let Some(sso) = settings.sso()? else {
        return Ok(None);
    };
    let base = settings.public_base(&rocket::Config::from(figment));
    Ok(Some(std::sync::Arc::new(crate::sso::Sso::new(sso, &base)?)))
}

/// The whole web application on `app`.
pub fn build_rocket(figment: Figment, app: App) -> Rocket<Build> {
    // Checked by `prepare` before the server starts; a setting that does not work leaves
    // single sign-on off here (and the tests build from settings they know).
    let sso = relying_party(&figment, &app.settings).unwrap_or_else(|e| {
        tracing::error!(error = %e, "single sign-on is not configured correctly and is off");
        None
    });
    let link_key = figment
        .extract_inner::<String>("secret_key")
        .map(|s| crate::security::LinkKey::from_secret(&s))
        .unwrap_or_else(|_| crate::security::LinkKey::ephemeral());
    let wal = app.db.clone();
    let rocket = rocket::custom(figment)
        .attach(rocket::fairing::AdHoc::on_liftoff("WAL watch", |_| {
            Box::pin(async move { db::watch_wal(wal) })
        }))
        .manage(link_key)
        .manage(web::auth::sso::SsoState(sso))
        .manage(db::Reads::beside(&app.db, app.settings.max_connections))
        .manage(app.db)
        .manage(app.settings)
        .manage(app.clock);
    web::mount(rocket)
}
