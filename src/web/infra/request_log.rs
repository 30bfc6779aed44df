//! One structured log line per request: a request id (also sent back as `X-Request-Id`), the
//! method, the route's pattern, the status, the latency and the user's id. The concrete
//! address is never logged, so record ids and search words stay out of the logs.

use crate::web::infra::session::SessionLookup;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::{Data, Request, Response};
use std::time::Instant;

/// The request's id and when it started.
pub struct RequestId {
    pub id: String,
    started: Instant,
}

impl RequestId {
    /// The id a proxy sent, when it is a plain token; otherwise a new random one.
    fn of(req: &Request<'_>) -> RequestId {
        let given = req.headers().get_one("X-Request-Id").filter(|v| {
            (8..=64).contains(&v.len()) && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
        RequestId {
            id: given.map_or_else(
                || crate::security::random_token()[..16].to_string(),
                str::to_string,
            ),
            started: Instant::now(),
        }
    }
}

pub struct RequestLog;

#[rocket::async_trait]
impl Fairing for RequestLog {
    fn info(&self) -> Info {
        Info {
            name: "Request log",
            kind: Kind::Request | Kind::Response,
        }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        req.local_cache(|| RequestId::of(req));
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let rid = req.local_cache(|| RequestId::of(req));
        let route = req
            .route()
            .map(|r| r.uri.origin.path().to_string())
            .unwrap_or_else(|| "unmatched".to_string());
        let user_id = req
            .local_cache(SessionLookup::default)
            .user
            .as_ref()
            .map(|u| u.id);
        let status = res.status().code;
        let latency_ms = rid.started.elapsed().as_secs_f64() * 1000.0;
        let method = req.method().as_str();
        if status >= 500 {
            tracing::error!(target: "samspill::http", request_id = %rid.id, method, route, status, latency_ms, user_id, "request failed");
        } else {
            tracing::info!(target: "samspill::http", request_id = %rid.id, method, route, status, latency_ms, user_id, "request");
        }
        res.set_header(Header::new("X-Request-Id", rid.id.clone()));
    }
}
