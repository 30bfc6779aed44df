//! Showing and printing an agreement: the agreement page with its lifecycle forms, any
//! version as a page, and the PDF of any version in bokmål, nynorsk or English.

use super::agreements::{content_of, load, signatures_of};
use super::error::{AppError, AppResult};
use super::page::{Choice, Page};
use super::routine::choice_list;
use super::session::{CurrentUser, Reader};
use super::{access, record_view};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::access_log::Action;
use crate::db::agreements::{AgreementRow, VersionRow};
use crate::db::{self, Db};
use crate::domain::agreement::{self as rules, Content, Language, Signatures, Status};
use crate::domain::choices::{self, label};
use crate::domain::dates::format_date;
use crate::pdf::agreement::{CurrentConsent, Print, PrintedEvaluation};
use chrono::{DateTime, Utc};
use rocket::request::FlashMessage;
use rocket::State;
use rocket_dyn_templates::Template;
use serde::Serialize;
use std::collections::HashMap;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![show, version_page, pdf_current, pdf_version]
}

/// The print of one version: its blocks, with nothing beyond the consent in force today.
pub struct Printable {
    pub content: Content,
    pub version: VersionRow,
    pub evaluations: Vec<PrintedEvaluation>,
    pub consent: Vec<CurrentConsent>,
    pub draft: bool,
}

pub async fn printable(db: &Db, a: &AgreementRow, number: i64) -> AppResult<Printable> {
    let version = db::agreements::version(db, a.id, number)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut content = content_of(&version);
    // The current version shows the agreement's evaluation date, which evaluations move;
    // earlier versions print as they were.
    if number == a.current_version && a.evaluation_on.is_some() {
        content.evaluation_on = a.evaluation_on;
    }
    let evaluations = db::agreements::evaluations(db, a.id)
        .await?
        .into_iter()
        .filter(|e| e.version_number <= number)
        .map(|e| PrintedEvaluation {
            on: e.evaluated_on,
            outcome: e.outcome,
            by: e.by_name,
        })
        .collect();
    let consent = db::relatives::current_consents(db, a.patient_id)
        .await?
        .into_iter()
        .map(|c| (c.relative_id, c.scope, c.topics))
        .collect();
    Ok(Printable {
        content,
        draft: !version.signed(),
        version,
        evaluations,
        consent,
    })
}

impl Printable {
    pub fn print<'a>(
        &'a self,
        sig: &'a Signatures,
        s: &'a Settings,
        now: DateTime<Utc>,
        lang: Language,
    ) -> Print<'a> {
        Print {
            content: &self.content,
            version: self.version.number,
            document_id: &self.version.document_id,
            draft: self.draft,
            signatures: sig,
            evaluations: &self.evaluations,
            current_consent: &self.consent,
            municipality: &s.municipality,
            now,
            lang,
        }
    }
}

#[derive(Serialize)]
struct VersionView {
    number: i64,
    document_id: String,
    created_at: DateTime<Utc>,
    created_by_name: String,
    signed: bool,
}

#[derive(Serialize)]
struct EvaluationView {
    #[serde(flatten)]
    row: db::agreements::EvaluationRow,
    outcome_label: &'static str,
}

/// The language to print in: as asked, else the first party's preferred language.
fn language(
    requested: Option<&str>,
    content: &Content,
    rec_lang: &HashMap<i64, String>,
) -> Language {
    requested
        .and_then(Language::parse)
        .or_else(|| {
            content.parties.iter().find_map(|p| {
                rec_lang
                    .get(&p.relative_id)
                    .and_then(|l| Language::from_preference(l))
            })
        })
        .unwrap_or(Language::Bokmal)
}

async fn preferred_languages(db: &Db, patient_id: i64) -> AppResult<HashMap<i64, String>> {
    Ok(db::relatives::for_patient(db, patient_id)
        .await?
        .into_iter()
        .map(|r| (r.id, r.language))
        .collect())
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

/// The agreement page: the current version as it prints, its versions and evaluations, and
/// the lifecycle forms. Records the view.
pub async fn show_page(
    db: &Db,
    user: &CurrentUser,
    id: i64,
    clock: &Clock,
    settings: &Settings,
) -> AppResult<Page> {
    let (a, patient, status) = load(db, user, id).await?;
    record_view(
        db,
        user,
        "agreement",
        id,
        (patient.id, patient.unit_id),
        clock.now(),
    )
    .await?;
    let p = printable(db, &a, a.current_version).await?;
    let sig = signatures_of(&p.version);
    let langs = preferred_languages(db, patient.id).await?;
    let lang = language(None, &p.content, &langs);
    let blocks =
        crate::pdf::agreement::blocks(&p.print(&sig, settings, clock.now(), Language::Bokmal));
    let versions: Vec<VersionView> = db::agreements::versions(db, id)
        .await?
        .into_iter()
        .map(|v| VersionView {
            signed: v.signed(),
            number: v.number,
            document_id: v.document_id,
            created_at: v.created_at,
            created_by_name: v.created_by_name,
        })
        .collect();
    let evaluations: Vec<EvaluationView> = db::agreements::evaluations(db, id)
        .await?
        .into_iter()
        .map(|row| EvaluationView {
            outcome_label: label(rules::OUTCOMES, &row.outcome),
            row,
        })
        .collect();
    let today = clock.today();
    let worker = user.role == crate::domain::user::Role::Worker;
    let meetings: Vec<Choice> = db::meetings::for_patient(db, patient.id)
        .await?
        .into_iter()
        .filter(|m| m.status == "completed")
        .map(|m| {
            Choice::new(
                m.id,
                format!(
                    "{} {}",
                    label(choices::MEETING_KINDS, &m.kind),
                    crate::domain::dates::format_datetime(m.starts_at)
                ),
            )
        })
        .collect();
    let sharing =
        crate::pdf::agreement::effective_sharing(&p.print(&sig, settings, clock.now(), lang));
    let floor = rules::consent_floor(sharing.iter().map(|s| s.1.as_str()));
    let held_back: Vec<&str> = rules::PATIENT_SECTIONS
        .iter()
        .filter(|(k, _)| {
            let text = match *k {
                "background" => &p.content.background,
                "matters_patient" => &p.content.matters_patient,
                _ => &p.content.service_patient,
            };
            !text.trim().is_empty() && !rules::may_print(k, floor, &p.content.within_consent)
        })
        .map(|(_, l)| *l)
        .collect();
    let sign_form = serde_json::json!({
        "relative_signed_on": format_date(today),
        "service_signed_on": format_date(today),
        "evaluated_on": format_date(today),
        "outcome": "continue",
        "next_evaluation_on": format_date(rules::default_evaluation(today)),
        "ended_on": format_date(today),
        "lang": lang.code(),
    });
    Ok(Page::new("Pårørendeavtale", Some(user))
        .with("patient", &patient)
        .with("agreement", &a)
        .with("status_label", status.label())
        .with("in_force", status.in_force())
        .with("can_delete", status.can_delete() && worker)
        .with("can_edit", status != Status::Ended && worker)
        .with(
            "can_sign",
            worker && !p.version.signed() && status != Status::Ended,
        )
        .with("can_evaluate", worker && status.in_force())
        .with("overdue", rules::is_overdue(status, a.evaluation_on, today))
        .with(
            "version",
            &VersionView {
                signed: p.version.signed(),
                number: p.version.number,
                document_id: p.version.document_id.clone(),
                created_at: p.version.created_at,
                created_by_name: p.version.created_by_name.clone(),
            },
        )
        .with(
            "signatures",
            serde_json::json!({
                "relative_on": sig.relative_on, "service_on": sig.service_on,
                "patient_on": sig.patient_on, "patient_reason": sig.patient_reason,
            }),
        )
        .with("blocks", blocks)
        .with("held_back", held_back)
        .with("versions", versions)
        .with("evaluations", evaluations)
        .with("outcomes", choice_list(rules::OUTCOMES))
        .with("languages", choice_list(rules::LANGUAGES))
        .with("meetings", meetings)
        .with("form", sign_form))
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
    record_view(
        db,
        &user,
        "agreement",
        id,
        (patient.id, patient.unit_id),
        clock.now(),
    )
    .await?;
    let sig = signatures_of(&p.version);
    let blocks =
        crate::pdf::agreement::blocks(&p.print(&sig, settings, clock.now(), Language::Bokmal));
    Ok(Page::new("Pårørendeavtale, versjon", Some(&user))
        .with("patient", &patient)
        .with("agreement", &a)
        .with(
            "version",
            &VersionView {
                signed: p.version.signed(),
                number: p.version.number,
                document_id: p.version.document_id.clone(),
                created_at: p.version.created_at,
                created_by_name: p.version.created_by_name.clone(),
            },
        )
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
    let print = p.print(&sig, settings, now, lang);
    let body = crate::pdf::agreement::pdf(&print);
    let detail = format!(
        "Pårørendeavtale versjon {number} ({}), språk {}",
        p.version.document_id,
        lang.code()
    );
    db::access_log::record(
        db,
        &access(
            user,
            Action::Print,
            "agreement",
            Some(id),
            Some((patient.id, patient.unit_id)),
            &detail,
        ),
        now,
    )
    .await?;
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
