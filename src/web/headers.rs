//! Security headers on every response.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::{Request, Response};

pub struct SecurityHeaders;

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'";

#[rocket::async_trait]
impl Fairing for SecurityHeaders {
    fn info(&self) -> Info {
        Info {
            name: "Security headers",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
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
        // Health data must not linger in shared caches or the browser's back-forward cache.
        if !req.uri().path().starts_with("/static/") {
            res.set_header(Header::new("Cache-Control", "no-store"));
        }
    }
}
