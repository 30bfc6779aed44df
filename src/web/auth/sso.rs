//! Signing in through the municipality's identity provider: the start (to the provider) and
//! the way back (the code, checked and turned into a session). The protocol is in
//! `crate::sso`, the rules in `domain::sso`.

use super::{log_login, UserAgent};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::access_log::Action;
use crate::db::{self, Db};
use crate::security::token_hash;
use crate::sso::{Sso, SsoError};
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::page::Page;
use crate::web::infra::session;
use crate::web::infra::templates::Template;
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::response::Redirect;
use rocket::State;
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// The relying party, when single sign-on is configured.
pub struct SsoState(pub Option<Arc<Sso>>);

/// Binds a sign-in to the browser that started it. `Lax`, since the browser comes back from
/// the provider on a top-level navigation from another site.
const STATE_COOKIE: &str = "samspill_sso";

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![start, callback]
}

/// What the login page says about single sign-on: the provider's name when it is configured.
pub fn display_name(sso: &SsoState) -> Option<String> {
    sso.0.as_ref().map(|s| s.settings.display_name.clone())
}

#[rocket::get("/login/sso")]
async fn start(
    sso: &State<SsoState>,
    db: &State<Db>,
    clock: &State<Clock>,
    settings: &State<Settings>,
    cookies: &CookieJar<'_>,
) -> AppResult<Result<Redirect, (Status, Template)>> {
    let sso = sso.0.as_ref().ok_or(AppError::NotFound)?;
    let now = clock.now();
    let begun = match sso.begin(now).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "single sign-on could not start");
            return Ok(Err(refusal(sso, Status::BadGateway, &e)));
        }
    };
    db::sso::begin_flow(
        db,
        &token_hash(&begun.state),
        &begun.nonce,
        &begun.verifier,
        now,
    )
    .await?;
    cookies.add_private(
        Cookie::build((STATE_COOKIE, begun.state))
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(settings.behind_tls)
            .path("/login/sso")
            .max_age(rocket::time::Duration::minutes(db::sso::FLOW_MINUTES)),
    );
    Ok(Ok(Redirect::to(begun.redirect)))
}

#[allow(clippy::too_many_arguments)]
#[rocket::get("/login/sso/callback?<code>&<state>&<error>")]
async fn callback(
    code: Option<&str>,
    state: Option<&str>,
    error: Option<&str>,
    sso: &State<SsoState>,
    db: &State<Db>,
    clock: &State<Clock>,
    settings: &State<Settings>,
    cookies: &CookieJar<'_>,
    agent: UserAgent,
) -> AppResult<(Status, Template)> {
    let sso = sso.0.as_ref().ok_or(AppError::NotFound)?;
    let now = clock.now();
    let issuer = sso.settings.issuer.as_str();
    let refuse = |why: String| refused(db, sso, None, SsoError::Refused(why), now);
    // The state must be the one this browser was given, and still waiting: a replayed,
    // forged or stale one finds nothing.
    let kept = cookies
        .get_private(STATE_COOKIE)
        .map(|c| c.value().to_string());
    cookies.remove_private(Cookie::build(STATE_COOKIE).path("/login/sso"));
    let state = state.unwrap_or_default();
    let same = kept
        .as_deref()
        .is_some_and(|k| !state.is_empty() && bool::from(k.as_bytes().ct_eq(state.as_bytes())));
    if !same {
        return refuse("state stemmer ikke med nettleserens".into()).await;
    }
    let Some((nonce, verifier)) = db::sso::take_flow(db, &token_hash(state), now).await? else {
        return refuse("state er brukt før eller for gammel".into()).await;
    };
    if let Some(error) = error {
        let error: String = error.chars().take(100).collect();
        return refuse(format!("leverandøren svarte {error}")).await;
    }
    let Some(code) = code.filter(|c| !c.is_empty()) else {
        return refuse("ingen kode i svaret".into()).await;
    };
    let person = match sso.finish(code, &verifier, &nonce, now).await {
        Ok(p) => p,
        Err(e) => return refused(db, sso, None, e, now).await,
    };
    let user = match db::sso::linked_user(db, issuer, &person.subject).await? {
        Some(id) => db::users::by_id(db, id).await?,
        None => None,
    };
    let Some(user) = user else {
        if sso.settings.pending_accounts {
            db::sso::note_pending(
                db,
                issuer,
                &person.subject,
                person.name.as_deref(),
                person.email.as_deref(),
                person.role,
                now,
            )
            .await?;
        }
        let who = person
            .name
            .clone()
            .unwrap_or_else(|| person.subject.clone());
        let pending = if sso.settings.pending_accounts {
            "; venter på godkjenning"
        } else {
            ""
        };
        let detail = via(
            sso,
            &format!("ingen konto for «{who}» ({}){pending}", person.subject),
        );
        log_login(db, &who, None, Action::LoginFailed, &detail, now).await?;
        return Ok((
            Status::Forbidden,
            Page::new("Du har ikke tilgang ennå", None)
                .with("provider", &sso.settings.display_name)
                .with("pending", sso.settings.pending_accounts)
                .render("auth/no_access"),
        ));
    };
    if !user.active {
        let why = SsoError::Refused("kontoen er deaktivert".into());
        return refused(db, sso, Some(&user), why, now).await;
    }
    let session_id = session::start(db, clock, settings, cookies, user.id, &agent.0).await?;
    db::sso::mark_session(db, &session_id).await?;
    log_login(
        db,
        &user.username,
        Some(&user),
        Action::Login,
        &format!("innlogget via {}", sso.settings.display_name),
        now,
    )
    .await?;
    // The session cookie is SameSite=Strict, and a browser that arrived from the provider's
    // site would not send it on a redirect: a page of our own takes it on to the start page.
    Ok((
        Status::Ok,
        Page::new("Du er logget inn", None)
            .with("name", &user.name)
            .render("auth/signed_in"),
    ))
}

/// What the security log says of a sign-in through the provider.
fn via(sso: &Sso, what: &str) -> String {
    format!("innlogging via {}: {what}", sso.settings.display_name)
}

/// A sign-in through the provider that did not succeed: logged with its reason (against the
/// account when one is known), and answered with the refusal page.
async fn refused(
    db: &Db,
    sso: &Sso,
    user: Option<&db::users::UserRow>,
    error: SsoError,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<(Status, Template)> {
    let username = user.map(|u| u.username.as_str()).unwrap_or_default();
    log_login(
        db,
        username,
        user,
        Action::LoginFailed,
        &via(sso, &error.to_string()),
        now,
    )
    .await?;
    let status = match error {
        SsoError::Provider(_) => Status::BadGateway,
        SsoError::Refused(_) => Status::Forbidden,
    };
    Ok(refusal(sso, status, &error))
}

/// The page for a sign-in that did not succeed: it says what the user can do, never the
/// technical reason (that is in the security log).
fn refusal(sso: &Sso, status: Status, error: &SsoError) -> (Status, Template) {
    let unreachable = matches!(error, SsoError::Provider(_));
    (
        status,
        Page::new("Innloggingen ble ikke fullført", None)
            .with("provider", &sso.settings.display_name)
            .with("unreachable", unreachable)
            .render("auth/sso_refused"),
    )
}
