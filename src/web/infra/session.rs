//! Who is asking: the session cookie, its row in the sessions table, timeouts, and the
//! guards that let a handler state which roles it serves.

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::{self, Db};
use crate::domain::access::Scope;
use crate::domain::user::Role;
use crate::security::random_token;
use chrono::Duration;
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::outcome::{try_outcome, Outcome};
use rocket::request::{self, FromRequest, Request};
use serde::Serialize;

pub const SESSION_COOKIE: &str = "samspill_session";

/// The logged-in user of this request.
#[derive(Debug, Clone, Serialize)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub role: Role,
    pub role_label: &'static str,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub district_id: Option<i64>,
    pub district_name: Option<String>,
    #[serde(skip)]
    pub session_id: String,
    #[serde(skip)]
    pub csrf_token: String,
    /// This instance's access-log writer, which the request's views go through.
    #[serde(skip)]
    pub access_log: Option<db::access_log::Batcher>,
}

impl CurrentUser {
    /// The user as the access log and the patient's history name them.
    pub fn actor(&self) -> crate::audit::Actor<'_> {
        crate::audit::Actor {
            user_id: self.id,
            username: &self.username,
            name: &self.name,
            batcher: self.access_log.as_ref(),
        }
    }

    /// The patients this user may read; None for administrators.
    pub fn scope(&self) -> Option<Scope> {
        Scope::for_user(self.role, self.unit_id, self.district_id)
    }

    /// The scope, or one that matches nothing (a user without a unit reads nothing).
    pub fn read_scope(&self) -> Scope {
        self.scope().unwrap_or(Scope::Unit(-1))
    }
}

/// Why a request has no user, for the message on the login page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoSession {
    Missing,
    IdleTimeout,
    AbsoluteTimeout,
    Ended,
    /// The database did not answer, so nobody can be recognised (503, not the login page).
    Unavailable,
}

/// The session lookup of this request, cached so that guards and the CSRF check share it.
#[derive(Debug, Default)]
pub struct SessionLookup {
    pub user: Option<CurrentUser>,
    pub missing_because: Option<NoSession>,
}

async fn lookup(req: &Request<'_>) -> SessionLookup {
    let none = |why| SessionLookup {
        user: None,
        missing_because: Some(why),
    };
    let (Some(db), Some(settings), Some(clock)) = (
        req.rocket().state::<Db>(),
        req.rocket().state::<Settings>(),
        req.rocket().state::<Clock>(),
    ) else {
        return none(NoSession::Missing);
    };
    let Some(sid) = req
        .cookies()
        .get_private(SESSION_COOKIE)
        .map(|c| c.value().to_string())
    else {
        return none(NoSession::Missing);
    };
    let session = match db::sessions::find_with_user(db, &sid).await {
        Ok(Some(session)) => session,
        Ok(None) => return none(NoSession::Missing),
        Err(e) => return none(failure(&e)),
    };
    let now = clock.now();
    if session.ended_at.is_some() {
        return none(NoSession::Ended);
    }
    let expired =
        if now - session.session_created_at > Duration::hours(settings.session_absolute_hours) {
            Some(NoSession::AbsoluteTimeout)
        } else if now - session.last_seen_at > Duration::minutes(settings.session_idle_minutes) {
            Some(NoSession::IdleTimeout)
        } else {
            None
        };
    if let Some(why) = expired {
        let reason = if why == NoSession::IdleTimeout {
            "idle timeout"
        } else {
            "absolute timeout"
        };
        let _ = db::sessions::end(db, &sid, reason, now).await;
        return none(why);
    }
    let user = session.user;
    if !user.active {
        return none(NoSession::Ended);
    }
    let idle = Duration::minutes(settings.session_idle_minutes);
    if crate::domain::session::idle_refresh_due(now - session.last_seen_at, idle) {
        let _ = db::sessions::touch(db, &sid, now).await;
    }
    let role = user.role();
    SessionLookup {
        user: Some(CurrentUser {
            id: user.id,
            username: user.username,
            name: user.name,
            role,
            role_label: role.label(),
            unit_id: user.unit_id,
            unit_name: user.unit_name,
            district_id: user.district_id,
            district_name: user.district_name,
            session_id: session.session_id,
            csrf_token: session.csrf_token,
            access_log: req
                .rocket()
                .state::<AccessLogWriter>()
                .map(|w| w.handle(db)),
        }),
        missing_because: None,
    }
}

/// The access-log writer of this instance, started on first use (on the server's runtime).
#[derive(Default)]
pub struct AccessLogWriter {
    batcher: std::sync::OnceLock<db::access_log::Batcher>,
}

impl AccessLogWriter {
    fn handle(&self, db: &Db) -> db::access_log::Batcher {
        self.batcher
            .get_or_init(|| db::access_log::Batcher::start(db.clone()))
            .clone()
    }
}

/// A database error during the lookup: unavailable when the database does not answer.
fn failure(e: &sqlx::Error) -> NoSession {
    if db::is_unavailable(e) {
        NoSession::Unavailable
    } else {
        tracing::error!(error = %e, "session lookup failed");
        NoSession::Missing
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for &'r CurrentUser {
    type Error = NoSession;

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, NoSession> {
        let cached = req.local_cache_async(lookup(req)).await;
        match &cached.user {
            Some(user) => Outcome::Success(user),
            None if cached.missing_because == Some(NoSession::Unavailable) => {
                Outcome::Error((Status::ServiceUnavailable, NoSession::Unavailable))
            }
            None => {
                req.cookies().remove_private(SESSION_COOKIE);
                Outcome::Error((
                    Status::Unauthorized,
                    cached.missing_because.unwrap_or(NoSession::Missing),
                ))
            }
        }
    }
}

/// Generates a role guard: logged in (else 401 → login) and of one of the roles (else 403).
macro_rules! role_guard {
    ($(#[$doc:meta])* $name:ident, $($role:path),+) => {
        $(#[$doc])*
        pub struct $name<'r>(pub &'r CurrentUser);

        #[rocket::async_trait]
        impl<'r> FromRequest<'r> for $name<'r> {
            type Error = ();

            async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, ()> {
                let user = try_outcome!(req.guard::<&CurrentUser>().await.map_error(|(s, _)| (s, ())));
                if matches!(user.role, $($role)|+) {
                    Outcome::Success($name(user))
                } else {
                    Outcome::Error((Status::Forbidden, ()))
                }
            }
        }

        impl<'r> std::ops::Deref for $name<'r> {
            type Target = CurrentUser;
            fn deref(&self) -> &CurrentUser {
                self.0
            }
        }
    };
}

role_guard!(
    /// Helsepersonell: reads and changes the patients of their own unit.
    Worker, Role::Worker
);
role_guard!(
    /// Anyone who may read patient data: workers (their unit) and managers (their district).
    Reader, Role::Worker, Role::Manager
);
role_guard!(
    /// District managers.
    Manager, Role::Manager
);
role_guard!(
    /// Administrators.
    Admin, Role::Admin
);
role_guard!(
    /// Managers and administrators (operational views such as metrics).
    Operator, Role::Manager, Role::Admin
);

impl Reader<'_> {
    /// Readers always have a scope; a worker or manager without a unit reads nothing.
    pub fn scope(&self) -> Scope {
        self.0.scope().unwrap_or(Scope::Unit(-1))
    }
}

/// Starts a session for `user_id` and sets its cookie.
pub async fn start(
    db: &Db,
    clock: &Clock,
    settings: &Settings,
    cookies: &CookieJar<'_>,
    user_id: i64,
    user_agent: &str,
) -> Result<String, sqlx::Error> {
    let id = random_token();
    let agent: String = user_agent.chars().take(300).collect();
    db::sessions::create(db, &id, user_id, &random_token(), &agent, clock.now()).await?;
    let cookie = Cookie::build((SESSION_COOKIE, id.clone()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(settings.behind_tls)
        .path("/");
    cookies.add_private(cookie);
    Ok(id)
}

pub fn message_for(why: NoSession) -> Option<&'static str> {
    match why {
        NoSession::Missing | NoSession::Unavailable => None,
        NoSession::IdleTimeout => {
            Some("Du ble logget ut fordi du ikke har vært aktiv på en stund. Logg inn på nytt.")
        }
        NoSession::AbsoluteTimeout => Some(
            "Økten har nådd den lengste tillatte varigheten og er avsluttet. Logg inn på nytt.",
        ),
        NoSession::Ended => Some("Økten er avsluttet. Logg inn på nytt."),
    }
}
