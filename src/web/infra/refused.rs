//! Refused requests for existing patient records are logged: a 403 or 404 on a route that
//! names a record (`/patients/<id>/…`, `/followups/<id>`, …), when the record exists and the
//! user may not reach it. The user sees the same answer as for a record that does not exist.

use crate::audit::access;
use crate::clock::Clock;
use crate::db::access_log::{self, Action};
use crate::db::Db;
use crate::web::infra::session::SessionLookup;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Status;
use rocket::{Request, Response};

pub struct RefusedAccess;

#[rocket::async_trait]
impl Fairing for RefusedAccess {
    fn info(&self) -> Info {
        Info {
            name: "Refused access log",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let status = res.status();
        if status != Status::NotFound && status != Status::Forbidden {
            return;
        }
        let Some((kind, id)) = record_of(req) else {
            return;
        };
        let lookup = req.local_cache(SessionLookup::default);
        let (Some(user), Some(db), Some(clock)) = (
            lookup.user.as_ref(),
            req.rocket().state::<Db>(),
            req.rocket().state::<Clock>(),
        ) else {
            return;
        };
        let Ok(Some((patient, unit, district))) = access_log::owner_of(db, kind, id).await else {
            return;
        };
        // A 404 inside the user's own scope is a missing part (a version, a language), not a
        // refusal; a 403 is refused whoever asks.
        let within = user.scope().is_some_and(|s| s.covers(unit, district));
        if status == Status::NotFound && within {
            return;
        }
        let detail = format!(
            "avvist ({}): {} {}",
            status.code,
            req.method(),
            req.uri().path()
        );
        let entity = kind.trim_end_matches('s');
        let entry = access(
            &user.actor(),
            Action::Refused,
            entity,
            Some(id),
            Some((patient, unit)),
            &detail,
        );
        if let Err(e) = access_log::record(db, &entry, clock.now()).await {
            let route = req.route().map(|r| r.uri.origin.path().to_string());
            tracing::error!(route, error = %e, "a refused request was not written to the access log");
        }
    }
}

/// The record a request names: the static segment before the route's `<id>` and the id
/// given in its place.
fn record_of(req: &Request<'_>) -> Option<(&'static str, i64)> {
    let route = req.route()?;
    let pattern: Vec<&str> = route
        .uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let at = pattern.iter().position(|s| *s == "<id>")?;
    let kind = KINDS.iter().find(|k| at > 0 && pattern[at - 1] == **k)?;
    let id = req.routed_segment(at)?.parse::<i64>().ok()?;
    Some((kind, id))
}

const KINDS: &[&str] = &[
    "patients",
    "relatives",
    "followups",
    "meetings",
    "agreements",
    "mappings",
    "referrals",
];
