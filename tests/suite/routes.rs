//! Every mounted route: anonymous requests go to the login page (except the public ones),
//! and each role reaches only its own pages.

use crate::common;
use rocket::http::{Method, Status};
use samspill::domain::user::Role;

/// A concrete path for a route pattern: dynamic segments become `1`.
fn concrete(pattern: &str) -> String {
    let path = pattern.split('?').next().unwrap_or(pattern);
    path.split('/')
        .map(|seg| if seg.starts_with('<') { "1" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

#[rocket::async_test]
async fn every_route_reached_anonymously_redirects_to_login() {
    let app = common::start().await;
    let routes: Vec<(Method, String)> = app
        .client
        .rocket()
        .routes()
        .map(|r| (r.method, r.uri.origin.path().to_string()))
        .collect();
    assert!(
        routes.len() > 20,
        "routes were enumerated: {}",
        routes.len()
    );
    let mut checked = 0;
    for (method, pattern) in routes {
        let path = concrete(&pattern);
        let public =
            samspill::web::PUBLIC_PATHS.contains(&path.as_str()) || path.starts_with("/static");
        let res = match method {
            Method::Get => app.client.get(path.clone()).dispatch().await,
            Method::Post => {
                app.client
                    .post(path.clone())
                    .header(rocket::http::ContentType::Form)
                    .body("csrf_token=x")
                    .dispatch()
                    .await
            }
            other => panic!("unexpected method {other} on {path}"),
        };
        let location = res.headers().get_one("Location").map(str::to_string);
        if public {
            assert_ne!(res.status(), Status::InternalServerError, "{method} {path}");
            continue;
        }
        assert_eq!(
            res.status(),
            Status::SeeOther,
            "{method} {path} answered {}",
            res.status()
        );
        assert_eq!(location.as_deref(), Some("/login"), "{method} {path}");
        checked += 1;
    }
    assert!(checked > 15);
}

#[rocket::async_test]
async fn each_role_reaches_its_pages_and_is_refused_the_others() {
    let app = common::start().await;
    let org = app.org().await;
    app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
    app.user("leder1", Role::Manager, Some(org.unit_a1)).await;
    app.user("admin", Role::Admin, None).await;

    app.login_as("ansatt1").await;
    let patient = app
        .patient("Kari Nordmann", "01.02.1940", org.unit_a1)
        .await;
    for path in [
        "/patients",
        "/patients/new",
        &format!("/patients/{patient}"),
        &format!("/patients/{patient}/edit"),
    ] {
        assert_eq!(app.get(path).await.status, Status::Ok, "worker {path}");
    }
    for path in [
        "/admin",
        "/admin/users",
        "/admin/units",
        "/admin/districts",
        "/metrics",
    ] {
        assert_eq!(
            app.get(path).await.status,
            Status::Forbidden,
            "worker {path}"
        );
    }

    let manager = app.browser().await;
    manager.login_as("leder1").await;
    assert_eq!(manager.get("/patients").await.status, Status::Ok);
    assert_eq!(
        manager.get(&format!("/patients/{patient}")).await.status,
        Status::Ok
    );
    assert_eq!(manager.get("/metrics").await.status, Status::Ok);
    for path in [
        "/patients/new",
        &format!("/patients/{patient}/edit"),
        "/admin",
        "/admin/users",
    ] {
        assert_eq!(
            manager.get(path).await.status,
            Status::Forbidden,
            "manager {path}"
        );
    }
    let edit = manager
        .post(&format!("/patients/{patient}"), &[("full_name", "Endret")])
        .await;
    assert_eq!(edit.status, Status::Forbidden);

    let admin = app.browser().await;
    admin.login_as("admin").await;
    for path in [
        "/admin",
        "/admin/users",
        "/admin/units",
        "/admin/districts",
        "/admin/users/new",
        "/metrics",
    ] {
        assert_eq!(admin.get(path).await.status, Status::Ok, "admin {path}");
    }
    // An administrator gets no patient data.
    for path in [
        "/patients",
        &format!("/patients/{patient}"),
        "/patients/new",
    ] {
        let reply = admin.get(path).await;
        assert_eq!(reply.status, Status::Forbidden, "admin {path}");
        assert!(!reply.body.contains("Kari Nordmann"));
    }
}

#[rocket::async_test]
async fn records_outside_the_users_unit_or_district_answer_404() {
    let app = common::start().await;
    let org = app.org().await;
    app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
    app.user("ansatt2", Role::Worker, Some(org.unit_a2)).await;
    app.user("ansatt3", Role::Worker, Some(org.unit_b1)).await;
    app.user("lederb", Role::Manager, Some(org.unit_b1)).await;
    app.login_as("ansatt1").await;
    let patient = app
        .patient("Kari Nordmann", "01.02.1940", org.unit_a1)
        .await;

    let other_unit = app.browser().await;
    other_unit.login_as("ansatt2").await;
    for path in [
        format!("/patients/{patient}"),
        format!("/patients/{patient}/edit"),
    ] {
        let reply = other_unit.get(&path).await;
        assert_eq!(reply.status, Status::NotFound, "{path}");
        assert!(!reply.body.contains("Kari"));
    }
    assert_eq!(
        other_unit
            .post(&format!("/patients/{patient}/archive"), &[])
            .await
            .status,
        Status::NotFound
    );
    assert!(!other_unit
        .get("/patients")
        .await
        .body
        .contains("Kari Nordmann"));
    // The same answer as for an id that does not exist.
    assert_eq!(
        other_unit.get("/patients/999999").await.status,
        Status::NotFound
    );

    let other_district = app.browser().await;
    other_district.login_as("lederb").await;
    assert_eq!(
        other_district
            .get(&format!("/patients/{patient}"))
            .await
            .status,
        Status::NotFound
    );
    assert!(!other_district
        .get("/patients?q=kari")
        .await
        .body
        .contains("Kari Nordmann"));
}

#[rocket::async_test]
async fn health_and_metrics() {
    let app = common::start().await;
    let health = app.get("/healthz").await;
    assert_eq!((health.status, health.body.as_str()), (Status::Ok, "ok"));
    let org = app.org().await;
    app.user("admin", Role::Admin, None).await;
    app.login_as("admin").await;
    let _ = org;
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status, Status::Ok);
    assert!(metrics
        .body
        .contains("# TYPE samspill_http_requests_total counter"));
    assert!(metrics.body.contains(
        "samspill_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
    ));
    assert!(metrics.body.contains(
        "samspill_http_request_duration_seconds_count{method=\"GET\",route=\"/healthz\"} 1"
    ));
    app.db.close().await;
    let down = app.get("/healthz").await;
    assert_eq!(down.status, Status::ServiceUnavailable);
}

#[rocket::async_test]
async fn metrics_accept_a_configured_bearer_token() {
    let dir = tempfile::tempdir().unwrap();
    let url = common::fresh_database_url(dir.path()).await;
    let db = samspill::db::Db::connect(&url, 2).await.unwrap();
    db.migrate().await.unwrap();
    let settings = samspill::config::Settings {
        database_url: url,
        metrics_token: Some("skraper-token-123".into()),
        ..Default::default()
    };
    let app = samspill::App {
        db,
        settings,
        clock: Default::default(),
    };
    let client = rocket::local::asynchronous::Client::tracked(samspill::build_rocket(
        common::figment(),
        app,
    ))
    .await
    .unwrap();
    let ok = client
        .get("/metrics")
        .header(rocket::http::Header::new(
            "Authorization",
            "Bearer skraper-token-123",
        ))
        .dispatch()
        .await;
    assert_eq!(ok.status(), Status::Ok);
    let wrong = client
        .get("/metrics")
        .header(rocket::http::Header::new("Authorization", "Bearer feil"))
        .dispatch()
        .await;
    assert_eq!(wrong.headers().get_one("Location"), Some("/login"));
}
