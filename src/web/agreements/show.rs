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
use crate::domain::agreement::copy::Recipient;
use crate::domain::agreement::copy::Standing;
use crate::domain::agreement::Language;
use crate::security::LinkKey;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::page::Page;
use crate::web::infra::page::PdfFile;
use crate::web::infra::reads::ReadDb;
use crate::web::infra::session::{CurrentUser, Reader};
use crate::web::infra::templates::Template;
use rocket::request::FlashMessage;
use rocket::State;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![show, version_page, pdf_current, pdf_version]
}

#[rocket::get("/agreements/<id>")]
async fn show(
    user: Reader<'_>,
    id: i64,
    snapshot: ReadDb,
    clock: &State<Clock>,
    settings: &State<Settings>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    let db: &Db = &snapshot;
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
    let p = printable(db, &a, n, clock.today()).await?;
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
    let blocks = crate::pdf::agreement::blocks(&p.print(
        &sig,
        settings,
        now,
        Language::Bokmal,
        Recipient::File,
    ));
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

/// What the print asks for: the language and the recipient, both optional.
pub struct PrintRequest<'a> {
    pub lang: Option<&'a str>,
    pub recipient: Option<&'a str>,
}

#[allow(clippy::too_many_arguments)]
async fn pdf_response(
    db: &Db,
    user: &CurrentUser,
    id: i64,
    number: Option<i64>,
    ask: PrintRequest<'_>,
    clock: &Clock,
    settings: &Settings,
    link: &LinkKey,
    config: &rocket::Config,
) -> AppResult<PdfFile> {
    let (a, patient, _) = load(db, user, id).await?;
    let number = number.unwrap_or(a.current_version);
    let ask = PrintRequest {
        lang: ask.lang.filter(|l| !l.is_empty()),
        ..ask
    };
    if ask.lang.is_some_and(|l| Language::parse(l).is_none()) {
        return Err(AppError::NotFound);
    }
    let recipient = match ask.recipient {
        None | Some("") => Recipient::File,
        Some(r) => Recipient::parse(r).ok_or(AppError::NotFound)?,
    };
    let mut p = printable(db, &a, number, clock.today()).await?;
    p.logo = crate::web::infra::letterhead::logo(db).await?;
    if !recipient.fits(&p.content) {
        return Err(AppError::NotFound);
    }
    let langs = preferred_languages(db, patient.id).await?;
    let lang = language(ask.lang, recipient, &p.content, &langs);
    let sig = signatures_of(&p.version);
    let now = clock.now();
    let mut print = p.print(&sig, settings, now, lang, recipient);
    if let (Recipient::Party(relative), Standing::InForce { .. }, true) =
        (recipient, &p.standing, number == a.current_version)
    {
        let since = p
            .evaluations
            .iter()
            .map(|e| e.on)
            .chain(a.activated_on)
            .max();
        let party = crate::web::feedback::Party {
            agreement_id: a.id,
            unit_id: a.unit_id,
            relative_id: relative,
            since,
        };
        let base = settings.public_base(config);
        print.feedback = crate::web::feedback::address(db, link, &party, lang, now, &base).await?;
    }
    let body = crate::pdf::agreement::pdf(&print);
    let detail = format!(
        "Pårørendeavtale versjon {number} ({}), språk {}, {}",
        p.version.document_id,
        lang.code(),
        crate::pdf::agreement::recipient_line(
            crate::pdf::texts::Texts::of(Language::Bokmal),
            &print
        )
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
    let id_part = if p.standing.shows_document_id() {
        p.version.document_id.as_str()
    } else {
        "utkast"
    };
    let name = format!(
        "paarorendeavtale-{id_part}-v{number}-{}.pdf",
        recipient.key()
    );
    Ok(PdfFile::inline(body, &name))
}

#[rocket::get("/agreements/<id>/pdf?<lang>&<recipient>")]
async fn pdf_current(
    user: Reader<'_>,
    id: i64,
    lang: Option<&str>,
    recipient: Option<&str>,
    snapshot: ReadDb,
    clock: &State<Clock>,
    settings: &State<Settings>,
    link: &State<LinkKey>,
    config: &rocket::Config,
) -> AppResult<PdfFile> {
    let db: &Db = &snapshot;
    let ask = PrintRequest { lang, recipient };
    pdf_response(db, &user, id, None, ask, clock, settings, link, config).await
}

#[rocket::get("/agreements/<id>/versions/<n>/pdf?<lang>&<recipient>")]
async fn pdf_version(
    user: Reader<'_>,
    id: i64,
    n: i64,
    lang: Option<&str>,
    recipient: Option<&str>,
    snapshot: ReadDb,
    clock: &State<Clock>,
    settings: &State<Settings>,
    link: &State<LinkKey>,
    config: &rocket::Config,
) -> AppResult<PdfFile> {
    let db: &Db = &snapshot;
    let ask = PrintRequest { lang, recipient };
    pdf_response(db, &user, id, Some(n), ask, clock, settings, link, config).await
}
