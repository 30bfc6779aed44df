//! Logging in and out, changing one's own password, and creating the first administrator
//! with the one-time setup link. Signing in through the identity provider is in `sso`.

pub mod sso;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::access_log::{Access, Action};
use crate::db::{self, Db};
use crate::domain::dates::format_datetime;
use crate::domain::sso::password_login_allowed;
use crate::domain::user::{password_problem, Role, UserDraft};
use crate::domain::validation::FieldErrors;
use crate::security::{dummy_hash, hash_password, verify_password};
use crate::web::infra::csrf::{AnonCsrf, CsrfForm};
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::forms::{CsrfOnly, Text};
use crate::web::infra::page::{done, invalid, Page, Submitted};
use crate::web::infra::session::{self, CurrentUser, SESSION_COOKIE};
use chrono::Duration;
use rocket::http::CookieJar;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{FromForm, State};
use serde::Serialize;

/// Consecutive failed logins that lock a username, and for how long.
pub const MAX_FAILURES: i64 = 5;
pub const LOCK_MINUTES: i64 = 15;

pub fn routes() -> Vec<rocket::Route> {
    let mut routes = rocket::routes![
        login_page,
        login,
        logout,
        password_page,
        change_password,
        setup_page,
        setup
    ];
    routes.extend(sso::routes());
    routes
}

/// The login page: the provider's button first when single sign-on is configured, and the
/// password form unless it is switched off (then only behind "Nødtilgang").
fn login_form(csrf: &str, settings: &Settings, sso: &sso::SsoState) -> Page {
    Page::new("Logg inn", None)
        .csrf(csrf)
        .with("sso_name", sso::display_name(sso))
        .with("local_login", settings.local_login)
}

#[derive(Debug, FromForm, Serialize)]
pub struct LoginForm {
    username: Text,
    #[serde(skip)]
    password: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(LoginForm);

fn login_reason(reason: Option<&str>) -> Option<&'static str> {
    use crate::web::infra::session::NoSession;
    match reason? {
        "idle" => session::message_for(NoSession::IdleTimeout),
        "expired" => session::message_for(NoSession::AbsoluteTimeout),
        "ended" => session::message_for(NoSession::Ended),
        _ => None,
    }
}

#[rocket::get("/login?<reason>")]
fn login_page(
    user: Option<&CurrentUser>,
    csrf: AnonCsrf,
    reason: Option<&str>,
    flash: Option<FlashMessage<'_>>,
    settings: &State<Settings>,
    sso: &State<sso::SsoState>,
) -> Result<crate::web::infra::templates::Template, Box<Redirect>> {
    if user.is_some() {
        return Err(Box::new(Redirect::to("/")));
    }
    Ok(login_form(&csrf.0, settings, sso)
        .with("notice", login_reason(reason))
        .flash(flash)
        .render("auth/login"))
}

#[allow(clippy::too_many_arguments)]
#[rocket::post("/login", data = "<form>")]
async fn login(
    form: CsrfForm<LoginForm>,
    csrf: AnonCsrf,
    db: &State<Db>,
    clock: &State<Clock>,
    settings: &State<Settings>,
    sso: &State<sso::SsoState>,
    cookies: &CookieJar<'_>,
    agent: UserAgent,
) -> AppResult<Submitted> {
    let username = form.username.trim().to_lowercase();
    let now = clock.now();
    let refuse = |message: String| {
        let mut errors = FieldErrors::new();
        errors.add("username", message);
        Ok(invalid(
            login_form(&csrf.0, settings, sso),
            &form.0,
            &errors,
            "auth/login",
        ))
    };
    if username.is_empty() || form.password.is_empty() {
        let mut errors = FieldErrors::new();
        if username.is_empty() {
            errors.add("username", "Skriv inn brukernavnet ditt.");
        }
        if form.password.is_empty() {
            errors.add("password", "Skriv inn passordet ditt.");
        }
        return Ok(invalid(
            login_form(&csrf.0, settings, sso),
            &form.0,
            &errors,
            "auth/login",
        ));
    }
    let username: String = username.chars().take(100).collect();
    if !password_login_allowed(
        settings.local_login,
        settings.break_glass_admin.as_deref(),
        &username,
    ) {
        let user = db::users::credentials(db, &username).await?.map(|(u, _)| u);
        let why = "innlogging med passord er slått av";
        log_login(db, &username, user.as_ref(), Action::LoginFailed, why, now).await?;
        let message = match sso::display_name(sso) {
            Some(name) => format!("Innlogging med passord er slått av. Logg inn med {name}."),
            None => "Innlogging med passord er slått av.".to_string(),
        };
        return refuse(message);
    }
    let account = db::users::credentials(db, &username).await?;
    if let Some(until) = db::sessions::locked_until(db, &username).await? {
        if until > now {
            let user = account.as_ref().map(|(u, _)| u);
            log_login(
                db,
                &username,
                user,
                Action::LoginFailed,
                "kontoen er sperret",
                now,
            )
            .await?;
            return refuse(lock_message(until));
        }
    }
    let hash = account
        .as_ref()
        .map(|(_, h)| h.clone())
        .unwrap_or_else(|| dummy_hash().to_string());
    let verified = verify_password(form.password.0.clone(), hash).await;
    match account {
        Some((user, _)) if verified && user.active => {
            db::sessions::clear_failures(db, &username).await?;
            session::start(db, clock, settings, cookies, user.id, &agent.0)
                .await
                .map_err(AppError::from)?;
            log_login(
                db,
                &username,
                Some(&user),
                Action::Login,
                "innlogget med passord",
                now,
            )
            .await?;
            Ok(Submitted::Done(Flash::success(
                Redirect::to("/"),
                format!("Velkommen, {}.", user.name),
            )))
        }
        _ => {
            let user = account.as_ref().map(|(u, _)| u);
            let why = match user {
                None => "ukjent brukernavn",
                Some(u) if !u.active => "kontoen er deaktivert",
                Some(_) => "feil passord",
            };
            match failed_login(db, &username, user, why, now).await? {
                Some(until) => refuse(lock_message(until)),
                None => refuse("Feil brukernavn eller passord.".into()),
            }
        }
    }
}

/// Counts a failed login (or a wrong current password) for `username` and logs it as a
/// security event; returns the end of the lock-out when this failure locked the account.
async fn failed_login(
    db: &Db,
    username: &str,
    user: Option<&db::users::UserRow>,
    why: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Option<chrono::DateTime<chrono::Utc>>> {
    let until = now + Duration::minutes(LOCK_MINUTES);
    let locked = db::sessions::record_failure(db, username, MAX_FAILURES, now, until).await?;
    let (action, detail) = if locked {
        (
            Action::Locked,
            format!("{why}; sperret i {LOCK_MINUTES} minutter etter {MAX_FAILURES} forsøk"),
        )
    } else {
        (Action::LoginFailed, why.to_string())
    };
    log_login(db, username, user, action, &detail, now).await?;
    Ok(locked.then_some(until))
}

/// A login event in the access log, against the account's unit so that the district's
/// managers can review it; an unknown username has no account and shows to administrators.
pub(crate) async fn log_login(
    db: &Db,
    username: &str,
    user: Option<&db::users::UserRow>,
    action: Action,
    detail: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let entry = Access {
        user_id: user.map(|u| u.id),
        username,
        action,
        entity: "login",
        entity_id: user.map(|u| u.id),
        patient_id: None,
        unit_id: user.and_then(|u| u.unit_id),
        detail,
    };
    db::access_log::record(db, &entry, now).await?;
    Ok(())
}

fn lock_message(until: chrono::DateTime<chrono::Utc>) -> String {
    let time = format_datetime(until);
    let clock_time = time.split(' ').nth(1).unwrap_or(&time);
    format!(
        "For mange mislykkede innlogginger. Av sikkerhetshensyn må du vente {LOCK_MINUTES} minutter før du prøver igjen (til kl. {clock_time})."
    )
}

/// The browser's User-Agent, kept with the session for the audit.
pub struct UserAgent(pub String);

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for UserAgent {
    type Error = ();
    async fn from_request(req: &'r rocket::Request<'_>) -> rocket::request::Outcome<Self, ()> {
        rocket::request::Outcome::Success(UserAgent(
            req.headers()
                .get_one("User-Agent")
                .unwrap_or("")
                .to_string(),
        ))
    }
}

/// Ends the session; one started through the provider goes on to end the provider's
/// session too, where the provider offers that (RP-initiated logout).
#[rocket::post("/logout", data = "<_form>")]
async fn logout(
    user: &CurrentUser,
    _form: CsrfForm<CsrfOnly>,
    db: &State<Db>,
    clock: &State<Clock>,
    sso: &State<sso::SsoState>,
    cookies: &CookieJar<'_>,
) -> AppResult<Flash<Redirect>> {
    let now = clock.now();
    let via_sso = db::sso::session_via_sso(db, &user.session_id).await?;
    db::sessions::end(db, &user.session_id, "logout", now).await?;
    cookies.remove_private(SESSION_COOKIE);
    let account = db::users::by_id(db, user.id).await?;
    let provider = match (&sso.0, via_sso) {
        (Some(sso), true) => sso.logout_url().await,
        _ => None,
    };
    let detail = if provider.is_some() {
        "logget ut, også hos identitetsleverandøren"
    } else {
        "logget ut"
    };
    log_login(
        db,
        &user.username,
        account.as_ref(),
        Action::Logout,
        detail,
        now,
    )
    .await?;
    let to = provider.unwrap_or_else(|| "/login".to_string());
    Ok(Flash::success(Redirect::to(to), "Du er logget ut."))
}

#[derive(Debug, FromForm, Serialize)]
pub struct PasswordForm {
    #[serde(skip)]
    current: Text,
    #[serde(skip)]
    new_password: Text,
    #[serde(skip)]
    confirm: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(PasswordForm);

#[rocket::get("/account/password")]
fn password_page(
    user: &CurrentUser,
    flash: Option<FlashMessage<'_>>,
) -> crate::web::infra::templates::Template {
    Page::new("Bytt passord", Some(user))
        .flash(flash)
        .render("auth/password")
}

#[rocket::post("/account/password", data = "<form>")]
async fn change_password(
    user: &CurrentUser,
    form: CsrfForm<PasswordForm>,
    db: &State<Db>,
    clock: &State<Clock>,
    cookies: &CookieJar<'_>,
) -> AppResult<Submitted> {
    let mut errors = FieldErrors::new();
    let now = clock.now();
    // The current password is guessed no faster here than at the login: the same throttle
    // and lock-out, and a lock-out ends the account's sessions, this one too.
    if let Some(until) = db::sessions::locked_until(db, &user.username).await? {
        if until > now {
            return locked_out(db, user, cookies, until, now).await;
        }
    }
    let hash = db::users::password_hash(db, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if form.current.is_empty() || !verify_password(form.current.0.clone(), hash).await {
        let account = db::users::credentials(db, &user.username)
            .await?
            .map(|(u, _)| u);
        let why = "feil nåværende passord ved bytte av passord";
        if let Some(until) = failed_login(db, &user.username, account.as_ref(), why, now).await? {
            return locked_out(db, user, cookies, until, now).await;
        }
        errors.add("current", "Nåværende passord er feil.");
    }
    if let Some(problem) = password_problem(&form.new_password, &[&user.username, &user.name]) {
        errors.add("new_password", problem);
    } else if form.new_password.0 != form.confirm.0 {
        errors.add(
            "confirm",
            "Passordene er ikke like. Skriv det nye passordet to ganger.",
        );
    }
    if !errors.is_empty() {
        return Ok(invalid(
            Page::new("Bytt passord", Some(user)),
            &form.0,
            &errors,
            "auth/password",
        ));
    }
    let new_hash = hash_password(form.new_password.0.clone())
        .await
        .map_err(AppError::Internal)?;
    let mut tx = db.begin().await?;
    db::users::set_password(&mut tx, user.id, &new_hash, now).await?;
    tx.commit().await?;
    db::sessions::clear_failures(db, &user.username).await?;
    // Every session of the account ends, this one too: the new password must be used.
    db::sessions::end_all_for_user(db, user.id, "password changed", now).await?;
    cookies.remove_private(SESSION_COOKIE);
    Ok(Submitted::Done(Flash::success(
        Redirect::to("/login"),
        "Passordet er endret. Logg inn med det nye passordet.",
    )))
}

/// Ends every session of a locked account and sends the user to the login page, which
/// says how long the lock lasts.
async fn locked_out(
    db: &Db,
    user: &CurrentUser,
    cookies: &CookieJar<'_>,
    until: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Submitted> {
    db::sessions::end_all_for_user(db, user.id, "locked", now).await?;
    cookies.remove_private(SESSION_COOKIE);
    Ok(Submitted::Done(Flash::error(
        Redirect::to("/login"),
        lock_message(until),
    )))
}

#[derive(Debug, FromForm, Serialize)]
pub struct SetupForm {
    #[serde(skip)]
    token: Text,
    name: Text,
    username: Text,
    #[serde(skip)]
    password: Text,
    #[serde(skip)]
    confirm: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(SetupForm);

async fn setup_allowed(db: &Db, token: &str) -> AppResult<()> {
    if token.is_empty()
        || db::users::count(db).await? > 0
        || !db::setup::is_valid(db, token).await?
    {
        return Err(AppError::NotFound);
    }
    Ok(())
}

#[rocket::get("/setup?<token>")]
async fn setup_page(
    token: Option<&str>,
    csrf: AnonCsrf,
    db: &State<Db>,
) -> AppResult<crate::web::infra::templates::Template> {
    let token = token.unwrap_or_default();
    setup_allowed(db, token).await?;
    Ok(Page::new("Opprett første administrator", None)
        .csrf(&csrf.0)
        .with("token", token)
        .render("auth/setup"))
}

#[rocket::post("/setup", data = "<form>")]
async fn setup(
    form: CsrfForm<SetupForm>,
    csrf: AnonCsrf,
    db: &State<Db>,
    clock: &State<Clock>,
    settings: &State<Settings>,
    cookies: &CookieJar<'_>,
    agent: UserAgent,
) -> AppResult<Submitted> {
    setup_allowed(db, &form.token).await?;
    let draft = UserDraft {
        username: &form.username,
        name: &form.name,
        role: Role::Admin.as_str(),
        unit_id: "",
        phone: "",
        password: Some(&form.password),
    };
    let mut errors = FieldErrors::new();
    let parsed = draft.parse().map_err(|e| errors = e).ok();
    if !errors.has("password") && form.password.0 != form.confirm.0 {
        errors.add(
            "confirm",
            "Passordene er ikke like. Skriv passordet to ganger.",
        );
    }
    let input = match parsed {
        Some(input) if errors.is_empty() => input,
        _ => {
            let page = Page::new("Opprett første administrator", None)
                .csrf(&csrf.0)
                .with("token", &form.token.0);
            return Ok(invalid(page, &form.0, &errors, "auth/setup"));
        }
    };
    let hash = hash_password(form.password.0.clone())
        .await
        .map_err(AppError::Internal)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    if !db::setup::consume(&mut tx, &form.token).await? {
        return Err(AppError::NotFound);
    }
    let new = db::users::NewUser {
        username: &input.username,
        name: &input.name,
        role: Role::Admin,
        unit_id: None,
        phone: None,
        password_hash: &hash,
    };
    let id = db::users::insert(&mut tx, &new, now).await?;
    tx.commit().await?;
    session::start(db, clock, settings, cookies, id, &agent.0).await?;
    Ok(done(
        "/admin".into(),
        "Administratoren er opprettet. Start med å legge inn bydeler og tjenestesteder.",
    ))
}
