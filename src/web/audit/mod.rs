//! Reviewing the access log: a district manager's search of who read, changed, printed or
//! exported which patient's data, two reports that help spot misuse, and a patient's own
//! access history printed for them on request.

use crate::audit::access;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::access_log::{Action, Review};
use crate::db::dashboard::end_of;
use crate::db::{self, Db};
use crate::domain::agreement::Language;
use crate::domain::dates::{format_date, format_datetime, parse_date};
use crate::domain::validation::FieldErrors;
use crate::pdf::history;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::export::{download, Cell, Download, Table};
use crate::web::infra::page::Page;
use crate::web::infra::session::{Admin, CurrentUser, Manager, Reader};
use crate::web::infra::templates::Template;
use crate::web::patients::{find, requested_offset, Paging};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rocket::{Either, State};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        log,
        top_viewers,
        outside_unit,
        refused,
        security_events,
        patient_history
    ]
}

const PAGE_SIZE: i64 = 100;

fn action_label(a: &str) -> &'static str {
    match a {
        "view" => "Lest",
        "create" => "Opprettet",
        "update" => "Endret",
        "archive" => "Arkivert",
        "print" => "Skrevet ut",
        "export" => "Eksportert",
        "delete" => "Slettet",
        "refused" => "Avvist",
        "login_failed" => "Mislykket innlogging",
        "locked" => "Sperret etter mislykkede innlogginger",
        "login" => "Innlogget",
        "logout" => "Logget ut",
        _ => "Annet",
    }
}

/// What an entry of a patient's access history says was done: a list or an export that
/// included the patient is named as such.
fn history_entry(r: &db::access_log::HistoryRow) -> history::Entry {
    let action = match (r.patient_id, r.action.as_str()) {
        (None, "export") => "exported",
        (None, _) => "listed",
        (Some(_), action) => action,
    };
    history::Entry {
        at: r.at,
        who: r.user_name.clone().unwrap_or_else(|| r.username.clone()),
        role: r.user_role.clone().unwrap_or_default(),
        action: action.to_string(),
        entity: r.entity.clone(),
    }
}

/// The period of a review: dd.mm.åååå dates, the last 30 days by default.
fn period(
    from: Option<&str>,
    to: Option<&str>,
    today: NaiveDate,
    e: &mut FieldErrors,
) -> (NaiveDate, NaiveDate) {
    let mut pick = |field: &str, raw: Option<&str>, default: NaiveDate| match raw.map(str::trim) {
        None | Some("") => default,
        Some(s) => parse_date(s).unwrap_or_else(|| {
            e.add(field, "Skriv datoen som dd.mm.åååå.");
            default
        }),
    };
    let from = pick("from", from, today - Duration::days(30));
    let to = pick("to", to, today);
    if from > to {
        e.add("from", "Fra-datoen må være før til-datoen.");
        return (to, to);
    }
    (from, to)
}

/// A dated report's period: the form's errors, the log's bounds for the days, and the form
/// as it is shown back.
struct ReportPeriod {
    errors: FieldErrors,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    form: serde_json::Value,
}

impl ReportPeriod {
    fn parse(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> ReportPeriod {
        let mut errors = FieldErrors::new();
        let (from_day, to_day) = period(from, to, today, &mut errors);
        ReportPeriod {
            errors,
            start: end_of(from_day - Duration::days(1)),
            end: end_of(to_day),
            form: serde_json::json!({ "from": format_date(from_day), "to": format_date(to_day) }),
        }
    }

    /// The report's page: its rows under the period form.
    fn page<T: serde::Serialize>(&self, title: &str, user: &CurrentUser, rows: T) -> Page {
        Page::new(title, Some(user))
            .with("rows", rows)
            .with("errors", &self.errors)
            .with("form", &self.form)
    }
}

#[allow(clippy::too_many_arguments)]
#[rocket::get("/audit?<user>&<patient>&<from>&<to>&<page>&<format>")]
async fn log(
    manager: Manager<'_>,
    user: Option<&str>,
    patient: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    page: Option<&str>,
    format: Option<&str>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Either<Template, Download>> {
    let district = manager.district_id.ok_or(AppError::Forbidden)?;
    let mut e = FieldErrors::new();
    let (from_day, to_day) = period(from, to, clock.today(), &mut e);
    let patient_id = match patient.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match s.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                e.add(
                    "patient",
                    "Skriv pasientens nummer (tallet i adressen til pasientsiden).",
                );
                None
            }
        },
    };
    let mut review = Review {
        district,
        user: user.unwrap_or("").trim().replace('\0', ""),
        patient: patient_id,
        from: end_of(from_day - Duration::days(1)),
        to: end_of(to_day),
        limit: if format.is_some() { 100_000 } else { PAGE_SIZE },
        offset: 0,
    };
    let (rows, paging) = if format.is_some() {
        (db::access_log::review(db, &review).await?.1, None)
    } else {
        // One query for the page asked for; a second only when it lies past the last page.
        review.limit = PAGE_SIZE;
        review.offset = requested_offset(page, PAGE_SIZE);
        let (total, mut rows) = db::access_log::review(db, &review).await?;
        let p = Paging::new(page, total, PAGE_SIZE);
        if p.offset != review.offset {
            review.offset = p.offset;
            rows = db::access_log::review(db, &review).await?.1;
        }
        (rows, Some(p))
    };
    let table = Table {
        title: "Tilgangslogg".into(),
        headers: [
            "Tidspunkt",
            "Bruker",
            "Handling",
            "Hva",
            "Pasient",
            "Detaljer",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(format_datetime(r.at)),
                    Cell::Text(r.username.clone()),
                    Cell::Text(action_label(&r.action).to_string()),
                    Cell::Text(r.entity.clone()),
                    match r.patient_id {
                        Some(p) => Cell::Link(p.to_string(), format!("/audit?patient={p}")),
                        None => Cell::Text(String::new()),
                    },
                    Cell::Text(r.detail.clone()),
                ]
            })
            .collect(),
    };
    let detail = format!(
        "Tilgangslogg {}–{}{}",
        format_date(from_day),
        format_date(to_day),
        format.map(|f| format!(" som {f}")).unwrap_or_default()
    );
    // An export is logged once it is made; list and export with the patients they named.
    let file = match format {
        Some(format) => Some(download(&table, format, &format!("tilgangslogg-{to_day}"))?),
        None => None,
    };
    let action = if format.is_some() {
        Action::Export
    } else {
        Action::View
    };
    let named: Vec<i64> = rows.iter().filter_map(|r| r.patient_id).collect();
    let now = clock.now();
    let listing = &named;
    crate::audit::record_listing(
        db,
        &manager.actor(),
        action,
        "access_log",
        &detail,
        listing,
        now,
    )
    .await?;
    if let Some(file) = file {
        return Ok(Either::Right(file));
    }
    let base = format!(
        "user={}&patient={}&from={}&to={}",
        crate::web::infra::filters::url_encode(&review.user),
        patient_id.map(|p| p.to_string()).unwrap_or_default(),
        format_date(from_day),
        format_date(to_day)
    );
    Ok(Either::Left(
        Page::new("Tilgangslogg", Some(&manager))
            .with("table", &table)
            .with("paging", paging)
            .with("base", base)
            .with("errors", &e)
            .with(
                "form",
                serde_json::json!({
                    "user": review.user, "patient": patient.unwrap_or(""),
                    "from": format_date(from_day), "to": format_date(to_day),
                }),
            )
            .render("audit/log"),
    ))
}

#[rocket::get("/audit/top-viewers?<from>&<to>")]
async fn top_viewers(
    manager: Manager<'_>,
    from: Option<&str>,
    to: Option<&str>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Template> {
    let district = manager.district_id.ok_or(AppError::Forbidden)?;
    let p = ReportPeriod::parse(from, to, clock.today());
    let rows = db::access_log::top_viewers(db, district, p.start, p.end).await?;
    Ok(p.page("Flest oppslag per dag", &manager, rows)
        .render("audit/top"))
}

#[rocket::get("/audit/outside-unit?<from>&<to>")]
async fn outside_unit(
    manager: Manager<'_>,
    from: Option<&str>,
    to: Option<&str>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Template> {
    let district = manager.district_id.ok_or(AppError::Forbidden)?;
    let p = ReportPeriod::parse(from, to, clock.today());
    let rows = db::access_log::outside_unit(db, district, p.start, p.end).await?;
    Ok(p.page("Oppslag utenfor egen enhet", &manager, rows)
        .render("audit/outside"))
}

/// What was refused in the district: requests for its patients' records by users outside
/// their scope, and failed logins and lock-outs of its staff.
#[rocket::get("/audit/refused?<from>&<to>")]
async fn refused(
    manager: Manager<'_>,
    from: Option<&str>,
    to: Option<&str>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Template> {
    let district = manager.district_id.ok_or(AppError::Forbidden)?;
    let p = ReportPeriod::parse(from, to, clock.today());
    let rows: Vec<serde_json::Value> = db::access_log::refused(db, district, p.start, p.end)
        .await?
        .iter()
        .map(|r| {
            serde_json::json!({
                "at": r.at, "username": r.username, "user_unit": r.user_unit,
                "action": action_label(&r.action), "patient_id": r.patient_id,
                "patient_unit": r.patient_unit, "detail": r.detail,
            })
        })
        .collect();
    Ok(p.page("Avviste forsøk", &manager, rows)
        .render("audit/refused"))
}

/// Security events for administrators: failed logins and lock-outs, refused requests
/// without a patient, and every change to an account.
#[rocket::get("/admin/security?<from>&<to>")]
async fn security_events(
    admin: Admin<'_>,
    from: Option<&str>,
    to: Option<&str>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Template> {
    let p = ReportPeriod::parse(from, to, clock.today());
    let rows: Vec<serde_json::Value> = db::access_log::security_events(db, p.start, p.end)
        .await?
        .iter()
        .map(|r| {
            serde_json::json!({
                "at": r.at, "username": r.username, "action": action_label(&r.action),
                "what": if r.entity == "user" { "konto" } else { "innlogging" },
                "entity_id": r.entity_id, "detail": r.detail,
            })
        })
        .collect();
    Ok(p.page("Sikkerhetshendelser", &admin, rows)
        .render("audit/security"))
}

/// Entries on a page of a patient's access history.
const HISTORY_PAGE: i64 = 100;

/// A PDF of the patient's access history.
#[derive(rocket::Responder)]
#[response(content_type = "application/pdf")]
pub struct HistoryPdf(Vec<u8>);

/// Who has read the patient's record and when, for the patient; `?format=pdf` prints it,
/// in bokmål, nynorsk or English (`&lang=nb|nn|en`).
#[rocket::get("/patients/<id>/access-history?<format>&<lang>&<page>")]
#[allow(clippy::too_many_arguments)]
async fn patient_history(
    user: Reader<'_>,
    id: i64,
    format: Option<&str>,
    lang: Option<&str>,
    page: Option<&str>,
    db: &State<Db>,
    clock: &State<Clock>,
    settings: &State<Settings>,
) -> AppResult<Either<Template, HistoryPdf>> {
    let patient = find(db, user.scope(), id).await?;
    let printing = format == Some("pdf");
    if format.is_some() && !printing {
        return Err(AppError::NotFound);
    }
    let lang = match lang.filter(|l| !l.is_empty()) {
        None => Language::Bokmal,
        Some(l) => Language::parse(l).ok_or(AppError::NotFound)?,
    };
    // The print has the whole history (up to its last 5000 entries); the page a hundred at a
    // time.
    let (rows, paging) = if printing {
        (db::access_log::for_patient(db, id, 5000, 0).await?, None)
    } else {
        let total = db::access_log::count_for_patient(db, id).await?;
        let paging = Paging::new(page, total, HISTORY_PAGE);
        let rows = db::access_log::for_patient(db, id, HISTORY_PAGE, paging.offset).await?;
        (rows, Some(paging))
    };
    let now = clock.now();
    let action = if printing {
        Action::Print
    } else {
        Action::View
    };
    db::access_log::record(
        db,
        &access(
            &user.actor(),
            action,
            "access_history",
            Some(id),
            Some((id, patient.unit_id)),
            "Tilgangshistorikk",
        ),
        now,
    )
    .await?;
    let entries: Vec<history::Entry> = rows.iter().map(history_entry).collect();
    if printing {
        let letterhead = vec![settings.municipality.clone(), patient.unit_name.clone()];
        let logo = crate::web::infra::letterhead::logo(db).await?;
        let pdf = history::pdf(
            &patient.full_name,
            &entries,
            &letterhead,
            logo.as_ref(),
            now,
            lang,
        );
        return Ok(Either::Right(HistoryPdf(pdf)));
    }
    let entries: Vec<[String; 4]> = entries
        .iter()
        .map(|e| history::row(e, Language::Bokmal))
        .collect();
    Ok(Either::Left(
        Page::new("Tilgangshistorikk", Some(&user))
            .with("patient", &patient)
            .with("entries", entries)
            .with("paging", paging)
            .render("audit/patient"),
    ))
}
