//! Showing and printing an agreement: the agreement page, any version as a page, and the
//! PDF of any version in bokmål, nynorsk or English.

use super::load;
use super::view::{
    language, preferred_languages, printable, show_page, signatures_of, VersionView,
};
use crate::audit::{access, record_view};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::access_log::Action;
use crate::db::{self, Db};
use crate::domain::agreement::Language;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::page::Page;
use crate::web::infra::session::{CurrentUser, Reader};
use rocket::request::FlashMessage;
use rocket::State;
use rocket_dyn_templates::Template;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![show, version_page, pdf_current, pdf_version]
}

#[rocket::get("/agreements/<id>")]
async fn show(
    user: Reader<'_>,
    id: i64,
    db: &State<Db>,
    clock: &State<Clock>,
    settings: &State<Settings>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    let page = show_page(db, &user, id, clock, settings).await?;
    Ok(page.flash(flash).render("agreements/show"))
}

#[rocket::get("/agreements/<id>/versions/<n>")]
async fn version_page(
    user: Reader<'_>,
    id: i64,
    n: i64,
    db: &State<Db>,
    clock: &State<Clock>,
    settings: &State<Settings>,
) -> AppResult<Template> {
    let (a, patient, _) = load(db, &user, id).await?;
    let p = printable(db, &a, n).await?;
    let now = clock.now();
    record_view(
        db,
        &user.actor(),
        "agreement",
        id,
        (patient.id, patient.unit_id),
        now,
    )
    .await?;
    let sig = signatures_of(&p.version);
    let blocks = crate::pdf::agreement::blocks(&p.print(&sig, settings, now, Language::Bokmal));
    let version: VersionView = p.version_view();
    Ok(Page::new("Pårørendeavtale, versjon", Some(&user))
        .with("patient", &patient)
        .with("agreement", &a)
        .with("version", version)
        .with("current", n == a.current_version)
        .with("blocks", blocks)
        .with("municipality", &settings.municipality)
        .render("agreements/version"))
}

/// A generated PDF, shown in the browser with a file name for saving.
#[derive(rocket::Responder)]
#[response(content_type = "application/pdf")]
pub struct PdfFile {
    body: Vec<u8>,
    disposition: rocket::http::Header<'static>,
}

async fn pdf_response(
    db: &Db,
    user: &CurrentUser,
    id: i64,
    number: Option<i64>,
    lang: Option<&str>,
    clock: &Clock,
    settings: &Settings,
) -> AppResult<PdfFile> {
    let (a, patient, _) = load(db, user, id).await?;
    let number = number.unwrap_or(a.current_version);
    if lang.is_some_and(|l| Language::parse(l).is_none()) {
        return Err(AppError::NotFound);
    }
    let p = printable(db, &a, number).await?;
    let langs = preferred_languages(db, patient.id).await?;
    let lang = language(lang, &p.content, &langs);
    let sig = signatures_of(&p.version);
    let now = clock.now();
    let body = crate::pdf::agreement::pdf(&p.print(&sig, settings, now, lang));
    let detail = format!(
        "Pårørendeavtale versjon {number} ({}), språk {}",
        p.version.document_id,
        lang.code()
    );
    let target = Some((patient.id, patient.unit_id));
    let entry = access(
        &user.actor(),
        Action::Print,
        "agreement",
        Some(id),
        target,
        &detail,
    );
    db::access_log::record(db, &entry, now).await?;
    let name = format!("paarorendeavtale-{}-v{number}.pdf", p.version.document_id);
    Ok(PdfFile {
        body,
        disposition: rocket::http::Header::new(
            "Content-Disposition",
            format!("inline; filename=\"{name}\""),
        ),
    })
}

#[rocket::get("/agreements/<id>/pdf?<lang>")]
async fn pdf_current(
    user: Reader<'_>,
    id: i64,
    lang: Option<&str>,
    db: &State<Db>,
    clock: &State<Clock>,
    settings: &State<Settings>,
) -> AppResult<PdfFile> {
    pdf_response(db, &user, id, None, lang, clock, settings).await
}

#[rocket::get("/agreements/<id>/versions/<n>/pdf?<lang>")]
async fn pdf_version(
    user: Reader<'_>,
    id: i64,
    n: i64,
    lang: Option<&str>,
    db: &State<Db>,
    clock: &State<Clock>,
    settings: &State<Settings>,
) -> AppResult<PdfFile> {
    pdf_response(db, &user, id, Some(n), lang, clock, settings).await
}
