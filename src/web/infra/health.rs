//! Liveness for load balancers and metrics for operators.

use crate::db::Db;
use rocket::http::Status;
use rocket::State;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        healthz,
        crate::web::infra::metrics::scrape,
        crate::web::infra::metrics::view
    ]
}

/// 200 `ok` when the database answers, 503 otherwise.
#[rocket::get("/healthz")]
async fn healthz(db: &State<Db>) -> (Status, &'static str) {
    if db.ping().await {
        (Status::Ok, "ok")
    } else {
        (Status::ServiceUnavailable, "database unavailable")
    }
}
