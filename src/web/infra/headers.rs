//! Security headers on every response, error pages included.

use crate::config::Settings;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::uri::Origin;
use rocket::http::{Cookie, Header, Method};
use rocket::response::{self, Responder};
use rocket::{Data, Request, Response};

pub struct SecurityHeaders;

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'";

/// The longest request address Samspill answers; no page needs more than a few hundred
/// characters. Longer ones get Samspill's own 414 page, with the headers. (Beyond 64 KiB,
/// or with characters HTTP forbids, the HTTP library answers 400 or 414 itself, with no body,
/// before Samspill sees the request.)
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// Where a request with a longer address is sent (see `pages::uri_too_long`).
pub const URI_TOO_LONG_PATH: &str = "/uri-too-long";

#[rocket::async_trait]
impl Fairing for SecurityHeaders {
    fn info(&self) -> Info {
        Info {
            name: "Security headers",
            kind: Kind::Request | Kind::Response,
        }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        let uri = req.uri();
        let length = uri.path().len() + uri.query().map_or(0, |q| q.len() + 1);
        if length > MAX_URI_BYTES {
            req.set_method(Method::Get);
            req.set_uri(Origin::parse(URI_TOO_LONG_PATH).expect("a valid path"));
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        apply(req, res);
    }
}

/// Sets the security headers on `res`. The fairing calls it for every dispatched request;
/// the error catchers call it too, because Rocket answers a request it cannot parse (400)
/// through its catcher without running the response fairings.
pub fn apply(req: &Request<'_>, res: &mut Response<'_>) {
    res.set_header(Header::new("Content-Security-Policy", CSP));
    res.set_header(Header::new("X-Content-Type-Options", "nosniff"));
    // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on
    // form posts, and the CSRF check could not tell them from a forged request.
    res.set_header(Header::new("Referrer-Policy", "same-origin"));
    res.set_header(Header::new("X-Frame-Options", "DENY"));
    res.set_header(Header::new(
        "Permissions-Policy",
        "camera=(), microphone=(), geolocation=()",
    ));
    res.set_header(Header::new("Cross-Origin-Opener-Policy", "same-origin"));
    let behind_tls = req
        .rocket()
        .state::<Settings>()
        .is_some_and(|s| s.behind_tls);
    if behind_tls {
        res.set_header(Header::new(
            "Strict-Transport-Security",
            "max-age=31536000; includeSubDomains",
        ));
    }
    secure_cookies(res, behind_tls);
    // Health data must not linger in shared caches or the browser's back-forward cache.
    if !req.uri().path().starts_with("/static/") {
        res.set_header(Header::new("Cache-Control", "no-store"));
    }
}

/// Every cookie Samspill sends (the session's and Rocket's flash message) is HttpOnly, and
/// Secure behind TLS: Rocket marks them Secure only under its own TLS, and its flash cookie
/// never HttpOnly.
fn secure_cookies(res: &mut Response<'_>, behind_tls: bool) {
    let sent: Vec<String> = res
        .headers()
        .get("Set-Cookie")
        .map(str::to_string)
        .collect();
    if sent.is_empty() {
        return;
    }
    res.remove_header("Set-Cookie");
    for raw in sent {
        match Cookie::parse_encoded(raw.clone()) {
            Ok(mut cookie) => {
                cookie.set_http_only(true);
                if behind_tls {
                    cookie.set_secure(true);
                }
                res.adjoin_header(&cookie);
            }
            Err(_) => res.adjoin_raw_header("Set-Cookie", raw),
        }
    }
}

/// A catcher's answer with the security headers set.
pub struct Secured<R>(pub R);

impl<'r, R: Responder<'r, 'static>> Responder<'r, 'static> for Secured<R> {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let mut res = self.0.respond_to(req)?;
        apply(req, &mut res);
        Ok(res)
    }
}
