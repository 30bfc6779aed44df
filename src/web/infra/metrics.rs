//! Request counts and latencies per route in the Prometheus text format. Each instance
//! counts its own requests; a scraper reads every instance.

use crate::config::Settings;
use crate::web::infra::session::Operator;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{ContentType, Status};
use rocket::request::{self, FromRequest, Request};
use rocket::{Data, Response, State};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;
use subtle::ConstantTimeEq;

const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<(String, String), Series>>,
}

struct Started(Instant);

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((method.to_string(), route.to_string(), status))
                .or_default() += 1;
        }
        if let Ok(mut m) = self.latency.lock() {
            let s = m
                .entry((method.to_string(), route.to_string()))
                .or_default();
            s.count += 1;
            s.sum += seconds;
            for (i, le) in BUCKETS.iter().enumerate() {
                if seconds <= *le {
                    s.buckets[i] += 1;
                }
            }
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP samspill_http_requests_total HTTP requests by method, route and status.\n",
        );
        out.push_str("# TYPE samspill_http_requests_total counter\n");
        if let Ok(m) = self.requests.lock() {
            for ((method, route, status), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "samspill_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str("# HELP samspill_http_request_duration_seconds HTTP request latency by method and route.\n");
        out.push_str("# TYPE samspill_http_request_duration_seconds histogram\n");
        if let Ok(m) = self.latency.lock() {
            for ((method, route), s) in m.iter() {
                let labels = format!("method=\"{method}\",route=\"{route}\"");
                for (i, le) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "samspill_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {}",
                        s.buckets[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "samspill_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                    s.count
                );
                let _ = writeln!(
                    out,
                    "samspill_http_request_duration_seconds_sum{{{labels}}} {:.6}",
                    s.sum
                );
                let _ = writeln!(
                    out,
                    "samspill_http_request_duration_seconds_count{{{labels}}} {}",
                    s.count
                );
            }
        }
        out
    }
}

pub struct MetricsFairing;

#[rocket::async_trait]
impl Fairing for MetricsFairing {
    fn info(&self) -> Info {
        Info {
            name: "Request metrics",
            kind: Kind::Request | Kind::Response,
        }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        req.local_cache(|| Started(Instant::now()));
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let Some(metrics) = req.rocket().state::<Metrics>() else {
            return;
        };
        let started = req.local_cache(|| Started(Instant::now()));
        // The route's pattern, not the concrete path: ids must not create new series.
        let route = req
            .route()
            .map(|r| r.uri.origin.path().to_string())
            .unwrap_or_else(|| "unmatched".to_string());
        metrics.observe(
            req.method().as_str(),
            &route,
            res.status().code,
            started.0.elapsed().as_secs_f64(),
        );
    }
}

/// A scraper's bearer token, when `metrics_token` is configured.
pub struct MetricsToken;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for MetricsToken {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, ()> {
        let configured = req
            .rocket()
            .state::<Settings>()
            .and_then(|s| s.metrics_token.clone());
        let given = req
            .headers()
            .get_one("Authorization")
            .and_then(|h| h.strip_prefix("Bearer "));
        match (configured, given) {
            (Some(c), Some(g)) if !c.is_empty() && bool::from(c.as_bytes().ct_eq(g.as_bytes())) => {
                request::Outcome::Success(MetricsToken)
            }
            (_, Some(_)) => request::Outcome::Error((Status::Unauthorized, ())),
            _ => request::Outcome::Forward(Status::Unauthorized),
        }
    }
}

#[rocket::get("/metrics", rank = 1)]
pub fn scrape(_token: MetricsToken, metrics: &State<Metrics>) -> (ContentType, String) {
    (ContentType::Plain, metrics.render())
}

#[rocket::get("/metrics", rank = 2)]
pub fn view(_user: Operator<'_>, metrics: &State<Metrics>) -> (ContentType, String) {
    (ContentType::Plain, metrics.render())
}
