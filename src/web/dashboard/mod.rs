//! The district manager's dashboard: indicators per unit and for the district, their trend
//! over twelve months, the lists behind every number, exports, and reassigning an overdue
//! follow-up (the one clinical change a manager may make).

use crate::audit::access;
use crate::clock::Clock;
use crate::db::access_log::Action;
use crate::db::dashboard::TrendPoint;
use crate::db::warnings::Warnings;
use crate::db::{self, Db};
use crate::domain::dates::format_date;
use crate::domain::indicators::{self as ind, Figures, Period};
use crate::domain::validation::FieldErrors;
use crate::web::infra::chart::line_chart;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::export::{download, Cell, Download, Table};
use crate::web::infra::page::{Choice, Page};
use crate::web::infra::session::Manager;
use crate::web::infra::templates::Template;
use chrono::NaiveDate;
use rocket::{Either, State};
use serde::Serialize;

mod feedback;
mod figures;
mod lists;
mod reassign;
mod warning_lists;

use figures::computed;
pub use figures::Cache;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        dashboard,
        lists::list,
        feedback::texts,
        reassign::reassign_page,
        reassign::reassign
    ]
}

const PAGE_SIZE: i64 = 50;

/// Exports stop here; a list this long is narrowed with the filters first.
const EXPORT_MAX: i64 = 100_000;

fn district_of(user: &Manager<'_>) -> AppResult<i64> {
    user.district_id.ok_or(AppError::Forbidden)
}

/// The manager's district, its units, and the unit a list asks for (0 for all of them); a
/// unit outside the district is not found.
async fn scope_of(
    db: &Db,
    user: &Manager<'_>,
    unit: Option<i64>,
) -> AppResult<(i64, Vec<db::org::Unit>, i64)> {
    let district = district_of(user)?;
    let units = db::org::units_in_district(db, district).await?;
    let unit = unit.unwrap_or(0);
    if unit != 0 && !units.iter().any(|u| u.id == unit) {
        return Err(AppError::NotFound);
    }
    Ok((district, units, unit))
}

/// One row of the indicator table: a unit or the whole district.
#[derive(Serialize)]
struct Row {
    unit_id: i64,
    name: String,
    figures: Figures,
    cells: Vec<(String, String)>,
    /// The early warnings, in the order of `WARNING_HEADINGS`.
    warnings: Vec<(String, String)>,
}

/// The indicator columns: (heading, text, list link query) for a unit's figures.
fn indicator_cells(f: &Figures, unit: i64, day: NaiveDate) -> Vec<(String, String)> {
    let d = format_date(day);
    let link = |kind: &str, filter: &str| {
        format!("/dashboard/list/{kind}?unit={unit}&filter={filter}&day={d}")
    };
    let oldest = if f.overdue_followups > 0 {
        format!(
            "{} (eldste {} dager)",
            f.overdue_followups, f.oldest_overdue_days
        )
    } else {
        "0".into()
    };
    vec![
        (f.patients.to_string(), link("patients", "all")),
        (
            ind::share_text(f.identified, f.patients),
            link("patients", "not_identified"),
        ),
        (
            ind::share_text(f.mapped, f.involved),
            link("relatives", "unmapped"),
        ),
        (
            ind::share_text(f.heavy_with_agreement, f.heavy),
            link("relatives", "heavy_without_agreement"),
        ),
        (
            ind::share_text(f.with_agreement, f.involved),
            link("agreements", "in_force"),
        ),
        (
            ind::share_text(f.with_contact, f.involved),
            link("relatives", "without_contact"),
        ),
        (
            ind::share_text(f.agreement_parties_with_contact, f.agreement_parties),
            link("agreements", "in_force"),
        ),
        (oldest, link("followups", "overdue")),
        (
            f.overdue_evaluations.to_string(),
            link("agreements", "overdue"),
        ),
        (
            f.children_without_followup.to_string(),
            link("relatives", "children_without_followup"),
        ),
        (f.meetings_without_next_step.to_string(), String::new()),
    ]
}

const HEADINGS: [&str; 11] = [
    "Pasienter",
    "Identifisering fullført",
    "Kartlagte pårørende",
    "Avtale ved tunge omsorgsoppgaver",
    "Avtale, alle involverte",
    "Kontaktperson",
    "Kontaktperson i avtalene",
    "Forfalte oppfølginger",
    "Avtaler på overtid for evaluering",
    "Barn uten oppfølging",
    "Møter uten neste steg",
];

/// The early-warning columns, each a count linked to its list.
const WARNING_HEADINGS: [&str; 5] = [
    "Ute av syne i 6 måneder",
    "Støttebehov uten henvisning",
    "Samtykke mangler eller er eldre enn 12 måneder",
    "Kontaktperson borte",
    "Avtaler bak kontaktrytmen",
];

fn warning_cells(w: &Warnings, unit: i64, day: NaiveDate) -> Vec<(String, String)> {
    let d = format_date(day);
    let link = |kind: &str, filter: &str| {
        format!("/dashboard/list/{kind}?unit={unit}&filter={filter}&day={d}")
    };
    vec![
        (w.silent.to_string(), link("warnings", "silent")),
        (w.unmet_needs.to_string(), link("warnings", "unmet_needs")),
        (w.consent_due.to_string(), link("warnings", "consent_due")),
        match w.contact_gone {
            Some(n) => (n.to_string(), link("warnings", "contact_gone")),
            None => ("–".into(), String::new()),
        },
        (
            w.behind_rhythm.to_string(),
            link("agreements", "behind_rhythm"),
        ),
    ]
}

#[derive(Serialize)]
pub(super) struct Chart {
    pub id: String,
    pub title: String,
    pub svg: String,
    pub points: Vec<(String, String)>,
}

fn charts(trend: &[TrendPoint]) -> Vec<Chart> {
    type Part = fn(&TrendPoint) -> (i64, i64);
    let specs: [(&str, &str, Part); 4] = [
        ("identified", "Identifisering fullført", |p| {
            (p.identified, p.patients)
        }),
        ("mapped", "Kartlagte pårørende", |p| {
            (p.mapped, p.involved)
        }),
        ("agreement", "Pårørende med gjeldende avtale", |p| {
            (p.with_agreement, p.involved)
        }),
        ("contact", "Pårørende med kontaktperson", |p| {
            (p.with_contact, p.involved)
        }),
    ];
    specs
        .iter()
        .map(|(key, title, part)| {
            let values: Vec<(String, Option<i64>)> = trend
                .iter()
                .map(|p| {
                    let (a, b) = part(p);
                    (ind::month_label(p.day), ind::percent(a, b))
                })
                .collect();
            let id = format!("chart-{key}");
            Chart {
                svg: line_chart(&id, title, &values),
                points: trend
                    .iter()
                    .map(|p| {
                        let (a, b) = part(p);
                        (ind::month_label(p.day), ind::share_text(a, b))
                    })
                    .collect(),
                id,
                title: title.to_string(),
            }
        })
        .collect()
}

#[rocket::get("/dashboard?<period>&<from>&<to>&<format>")]
async fn dashboard(
    user: Manager<'_>,
    period: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    format: Option<&str>,
    db: &State<Db>,
    clock: &State<Clock>,
    cache: &State<Cache>,
) -> AppResult<Either<Template, Download>> {
    let district = district_of(&user)?;
    let today = clock.today();
    let (period_value, period_error) = match Period::parse(period, from, to, today) {
        Ok(p) => (p, None),
        Err(e) => (
            Period::parse(None, None, None, today).map_err(AppError::Internal)?,
            Some(e),
        ),
    };
    let units = db::org::units_in_district(db, district).await?;
    let computed = computed(db, cache, district, period_value).await?;
    let figures = &computed.figures;
    let mut total = Figures::default();
    let mut total_warnings = Warnings::default();
    let mut rows = Vec::new();
    for u in &units {
        let f = figures.get(&u.id).copied().unwrap_or_default();
        let w = computed.warnings.get(&u.id).copied().unwrap_or_default();
        total.add(&f);
        total_warnings.add(&w);
        rows.push(Row {
            unit_id: u.id,
            name: u.name.clone(),
            cells: indicator_cells(&f, u.id, period_value.to),
            warnings: warning_cells(&w, u.id, period_value.to),
            figures: f,
        });
    }
    let district_name = user.district_name.clone().unwrap_or_default();
    rows.push(Row {
        unit_id: 0,
        name: format!("Hele {district_name}"),
        cells: indicator_cells(&total, 0, period_value.to),
        warnings: warning_cells(&total_warnings, 0, period_value.to),
        figures: total,
    });
    let offers = &computed.offers;
    if let Some(format) = format {
        let mut headers = vec!["Enhet".to_string()];
        headers.extend(HEADINGS.iter().map(|h| h.to_string()));
        headers.extend(WARNING_HEADINGS.iter().map(|h| h.to_string()));
        let table = Table {
            title: "Oversikt".into(),
            headers,
            rows: rows
                .iter()
                .map(|r| {
                    let mut cells = vec![Cell::Text(r.name.clone())];
                    cells.extend(r.cells.iter().map(|c| Cell::Text(c.0.clone())));
                    cells.extend(r.warnings.iter().map(|c| Cell::Text(c.0.clone())));
                    cells
                })
                .chain(offers.iter().map(|o| {
                    vec![
                        Cell::Text(format!("Henvisninger: {}", o.offer)),
                        Cell::Int(o.referrals),
                        Cell::Text(format!("takket nei: {}", o.declined)),
                    ]
                }))
                .collect(),
        };
        let detail = format!(
            "Oversikt {}–{} som {format}",
            format_date(period_value.from),
            format_date(period_value.to)
        );
        let name = format!("samspill-oversikt-{}", period_value.to);
        let file = download(&table, format, &name)?;
        db::access_log::record(
            db,
            &access(
                &user.actor(),
                Action::Export,
                "dashboard",
                None,
                None,
                &detail,
            ),
            clock.now(),
        )
        .await?;
        return Ok(Either::Right(file));
    }
    let trend = &computed.trend;
    let unit_names: Vec<(i64, String)> = units.iter().map(|u| (u.id, u.name.clone())).collect();
    let feedback = feedback::section(
        db,
        cache,
        district,
        &unit_names,
        &district_name,
        period_value,
    )
    .await?;
    let definitions: Vec<serde_json::Value> = ind::DEFINITIONS
        .iter()
        .map(|(k, n, d)| serde_json::json!({ "key": k, "name": n, "text": d }))
        .collect();
    let query = serde_json::json!({
        "period": period.unwrap_or(""), "from": from.unwrap_or(""), "to": to.unwrap_or(""),
    });
    let mut errors = FieldErrors::new();
    if let Some(e) = period_error {
        errors.add("from", e);
    }
    let export_query = format!(
        "from={}&to={}",
        format_date(period_value.from),
        format_date(period_value.to)
    );
    Ok(Either::Left(
        Page::new("Oversikt", Some(&user))
            .with("district_name", &district_name)
            .with("period", period_value)
            .with("headings", HEADINGS)
            .with("rows", rows)
            .with("offers", offers)
            .with("charts", charts(trend))
            .with("warning_headings", WARNING_HEADINGS)
            .with("feedback", feedback)
            .with("definitions", definitions)
            .with("form", query)
            .with("errors", &errors)
            .with("export_query", export_query)
            .with(
                "periods",
                vec![
                    Choice::new("30d", "Siste 30 dager"),
                    Choice::new("quarter", "Siste kvartal"),
                    Choice::new("year", "Hittil i år"),
                    Choice::new("12m", "Siste 12 måneder"),
                ],
            )
            .render("dashboard/index"),
    ))
}
