//! Administration: districts and units (`org`), staff accounts (`users`) and the letterhead's
//! logo (`letterhead`). Administrators see no patient data.

use crate::db::{self, Db};
use crate::web::infra::error::AppResult;
use crate::web::infra::page::Page;
use crate::web::infra::session::Admin;
use crate::web::infra::templates::Template;
use rocket::request::FlashMessage;
use rocket::State;

mod handover;
mod letterhead;
mod org;
mod sso;
mod users;

pub fn routes() -> Vec<rocket::Route> {
    let mut routes = rocket::routes![overview];
    routes.extend(letterhead::routes());
    routes.extend(org::routes());
    routes.extend(users::routes());
    routes.extend(sso::routes());
    routes
}

#[rocket::get("/admin")]
async fn overview(
    user: Admin<'_>,
    db: &State<Db>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    Ok(Page::new("Administrasjon", Some(&user))
        .with("districts", db::org::districts(db).await?.len())
        .with("units", db::org::units(db).await?.len())
        .with("users", db::users::count(db).await?)
        .flash(flash)
        .render("admin/overview"))
}
