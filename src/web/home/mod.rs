//! The front door and the public accessibility statement.

use crate::domain::user::Role;
use crate::web::infra::page::Page;
use crate::web::infra::session::CurrentUser;
use crate::web::infra::templates::Template;
use rocket::response::Redirect;

mod patients;
mod today;

pub fn routes() -> Vec<rocket::Route> {
    let mut routes = rocket::routes![home, today::today, accessibility, uri_too_long];
    routes.extend(patients::routes());
    routes
}

/// Each role starts where its work is: a worker on their day, a manager on the patients.
#[rocket::get("/")]
fn home(user: &CurrentUser) -> Redirect {
    match user.role {
        Role::Worker => Redirect::to("/today"),
        Role::Manager => Redirect::to("/patients"),
        Role::Admin => Redirect::to("/admin"),
    }
}

/// The accessibility statement (tilgjengelighetserklæring), public like the law requires.
#[rocket::get("/tilgjengelighet")]
fn accessibility(user: Option<&CurrentUser>) -> Template {
    Page::new("Tilgjengelighetserklæring", user).render("accessibility")
}

/// Requests whose address is longer than Samspill answers end here (see `headers`).
#[rocket::get("/uri-too-long")]
fn uri_too_long() -> rocket::http::Status {
    rocket::http::Status::UriTooLong
}
