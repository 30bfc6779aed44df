//! Cross-site request forgery protection. Every form that changes anything carries the
//! session's token (or, before login, the token of an anonymous private cookie) in the
//! field `csrf_token`; `CsrfForm<T>` compares it in constant time and also refuses
//! cross-site `Sec-Fetch-Site` and foreign `Origin` headers. A failure answers 403 before
//! the handler runs, so nothing is changed.

use crate::security::random_token;
use crate::web::infra::session::SessionLookup;
use rocket::data::{self, Data, FromData};
use rocket::form::{Form, FromForm};
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::outcome::Outcome;
use rocket::request::{self, FromRequest, Request};
use std::ops::Deref;
use subtle::ConstantTimeEq;

const ANON_COOKIE: &str = "samspill_csrf";

/// Forms that carry a CSRF token.
pub trait CsrfProtected {
    fn csrf_token(&self) -> &str;
}

/// Implements `CsrfProtected` for form structs with a `csrf_token: Text` field.
#[macro_export]
macro_rules! csrf_protected {
    ($($t:ty),+ $(,)?) => {
        $(impl $crate::web::infra::csrf::CsrfProtected for $t {
            fn csrf_token(&self) -> &str { &self.csrf_token }
        })+
    };
}

/// A form whose CSRF token and origin have been checked.
pub struct CsrfForm<T>(pub T);

impl<T> Deref for CsrfForm<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

fn same_origin(req: &Request<'_>) -> bool {
    let fetch_site = req.headers().get_one("Sec-Fetch-Site");
    if fetch_site == Some("cross-site") {
        return false;
    }
    match (
        req.headers().get_one("Origin"),
        req.headers().get_one("Host"),
    ) {
        (None, _) => true,
        // A privacy setting can hide the origin; the browser still says where the form came
        // from.
        (Some("null"), _) => fetch_site == Some("same-origin"),
        (Some(origin), Some(host)) => {
            let origin_host = origin.split("://").nth(1).unwrap_or_default();
            origin_host.eq_ignore_ascii_case(host)
        }
        (Some(_), None) => false,
    }
}

/// The token forms must carry: the session's, or the anonymous cookie's before login.
pub fn expected_token(req: &Request<'_>) -> Option<String> {
    let lookup: &SessionLookup = req.local_cache(SessionLookup::default);
    if let Some(user) = &lookup.user {
        return Some(user.csrf_token.clone());
    }
    req.cookies()
        .get_private(ANON_COOKIE)
        .map(|c| c.value().to_string())
}

pub fn tokens_match(expected: &str, submitted: &str) -> bool {
    !expected.is_empty() && expected.as_bytes().ct_eq(submitted.as_bytes()).into()
}

#[rocket::async_trait]
impl<'r, T: FromForm<'r> + CsrfProtected + Send + 'r> FromData<'r> for CsrfForm<T> {
    type Error = ();

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        if !same_origin(req) {
            return Outcome::Error((Status::Forbidden, ()));
        }
        let form = match Form::<T>::from_data(req, data).await {
            Outcome::Success(f) => f.into_inner(),
            Outcome::Error((status, _)) => return Outcome::Error((status, ())),
            Outcome::Forward(f) => return Outcome::Forward(f),
        };
        match expected_token(req) {
            Some(expected) if tokens_match(&expected, form.csrf_token()) => {
                Outcome::Success(CsrfForm(form))
            }
            _ => Outcome::Error((Status::Forbidden, ())),
        }
    }
}

/// The anonymous token for forms shown before login; sets its cookie when missing.
pub struct AnonCsrf(pub String);

pub fn anon_token(cookies: &CookieJar<'_>, secure: bool) -> String {
    if let Some(c) = cookies.get_private(ANON_COOKIE) {
        return c.value().to_string();
    }
    let token = random_token();
    let cookie = Cookie::build((ANON_COOKIE, token.clone()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/");
    cookies.add_private(cookie);
    token
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for AnonCsrf {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, ()> {
        let secure = req
            .rocket()
            .state::<crate::config::Settings>()
            .is_some_and(|s| s.behind_tls);
        Outcome::Success(AnonCsrf(anon_token(req.cookies(), secure)))
    }
}
