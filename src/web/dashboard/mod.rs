//! The district manager's dashboard: indicators per unit and for the district, their trend
//! over twelve months, the lists behind every number, exports, and reassigning an overdue
//! follow-up (the one clinical change a manager may make).

use crate::audit::{access, record_change};
use crate::clock::Clock;
use crate::db::access_log::Action;
use crate::db::dashboard::TrendPoint;
use crate::db::oversight::Query;
use crate::db::{self, Db};
use crate::domain::access::Scope;
use crate::domain::choices::{self, label};
use crate::domain::dates::format_date;
use crate::domain::followup::Change;
use crate::domain::forms as f;
use crate::domain::indicators::{self as ind, Figures, Period};
use crate::domain::validation::FieldErrors;
use crate::web::infra::chart::line_chart;
use crate::web::infra::csrf::CsrfForm;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::export::{download, Cell, Download, Table};
use crate::web::infra::forms::Text;
use crate::web::infra::page::{done, invalid, Choice, Page, Submitted};
use crate::web::infra::session::Manager;
use crate::web::patients::{requested_offset, Paging};
use chrono::NaiveDate;
use rocket::request::FlashMessage;
use rocket::{Either, FromForm, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

mod figures;

use figures::computed;
pub use figures::Cache;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![dashboard, list, reassign_page, reassign]
}

const PAGE_SIZE: i64 = 50;

/// Exports stop here; a list this long is narrowed with the filters first.
const EXPORT_MAX: i64 = 100_000;

fn district_of(user: &Manager<'_>) -> AppResult<i64> {
    user.district_id.ok_or(AppError::Forbidden)
}

/// One row of the indicator table: a unit or the whole district.
#[derive(Serialize)]
struct Row {
    unit_id: i64,
    name: String,
    figures: Figures,
    cells: Vec<(String, String)>,
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

#[derive(Serialize)]
struct Chart {
    id: String,
    title: String,
    svg: String,
    points: Vec<(String, String)>,
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
    let mut rows = Vec::new();
    for u in &units {
        let f = figures.get(&u.id).copied().unwrap_or_default();
        total.add(&f);
        rows.push(Row {
            unit_id: u.id,
            name: u.name.clone(),
            cells: indicator_cells(&f, u.id, period_value.to),
            figures: f,
        });
    }
    let district_name = user.district_name.clone().unwrap_or_default();
    rows.push(Row {
        unit_id: 0,
        name: format!("Hele {district_name}"),
        cells: indicator_cells(&total, 0, period_value.to),
        figures: total,
    });
    let offers = &computed.offers;
    if let Some(format) = format {
        let mut headers = vec!["Enhet".to_string()];
        headers.extend(HEADINGS.iter().map(|h| h.to_string()));
        let table = Table {
            title: "Oversikt".into(),
            headers,
            rows: rows
                .iter()
                .map(|r| {
                    let mut cells = vec![Cell::Text(r.name.clone())];
                    cells.extend(r.cells.iter().map(|c| Cell::Text(c.0.clone())));
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

/// A list page or export: its title, table and paging.
struct Listing {
    title: &'static str,
    table: Table,
    /// The patients the rows concern, for the access log.
    patients: Vec<i64>,
    total: i64,
    sorts: Vec<Choice>,
    filters: Vec<Choice>,
}

async fn listing(db: &Db, kind: &str, q: &Query) -> AppResult<Listing> {
    let link = |text: &str, href: String| Cell::Link(text.to_string(), href);
    Ok(match kind {
        "followups" => {
            let (total, rows) = db::oversight::overdue_followups(db, q).await?;
            let title = if q.filter == "needs_owner" {
                "Oppfølginger som trenger ny ansvarlig"
            } else {
                "Forfalte oppfølginger"
            };
            Listing {
                title,
                total,
                patients: rows.iter().map(|r| r.patient_id).collect(),
                table: Table {
                    title: title.into(),
                    headers: [
                        "Frist",
                        "Dager på overtid",
                        "Gjelder",
                        "Type",
                        "Pasient",
                        "Pårørende",
                        "Ansvarlig",
                        "Enhet",
                        "Endre ansvarlig",
                    ]
                    .map(String::from)
                    .to_vec(),
                    rows: rows
                        .iter()
                        .map(|r| {
                            vec![
                                Cell::Date(Some(r.due_on)),
                                Cell::Int((q.day - r.due_on).num_days()),
                                link(&r.concerns, format!("/followups/{}", r.id)),
                                Cell::Text(label(choices::FOLLOWUP_KINDS, &r.kind).to_string()),
                                link(&r.patient_name, format!("/patients/{}", r.patient_id)),
                                Cell::Text(r.relative_name.clone().unwrap_or_default()),
                                Cell::Text(r.owner_name.clone()),
                                Cell::Text(r.unit_name.clone()),
                                link(
                                    "Endre ansvarlig",
                                    format!("/dashboard/followups/{}/reassign", r.id),
                                ),
                            ]
                        })
                        .collect(),
                },
                sorts: vec![
                    Choice::new("due", "Frist"),
                    Choice::new("unit", "Enhet"),
                    Choice::new("owner", "Ansvarlig"),
                    Choice::new("patient", "Pasient"),
                ],
                filters: vec![
                    Choice::new("overdue", "Forfalt"),
                    Choice::new("needs_owner", "Trenger ny ansvarlig"),
                ],
            }
        }
        "patients" => {
            let (total, rows) = db::oversight::patients(db, q).await?;
            Listing {
                title: "Pasienter",
                total,
                patients: rows.iter().map(|r| r.id).collect(),
                table: Table {
                    title: "Pasienter".into(),
                    headers: ["Pasient", "Født", "Enhet", "Registrert"]
                        .map(String::from)
                        .to_vec(),
                    rows: rows
                        .iter()
                        .map(|r| {
                            vec![
                                link(&r.full_name, format!("/patients/{}", r.id)),
                                Cell::Date(Some(r.birth_date)),
                                Cell::Text(r.unit_name.clone()),
                                Cell::Date(Some(crate::domain::dates::oslo_date(r.created_at))),
                            ]
                        })
                        .collect(),
                },
                sorts: vec![
                    Choice::new("name", "Navn"),
                    Choice::new("unit", "Enhet"),
                    Choice::new("created", "Sist registrert"),
                ],
                filters: vec![
                    Choice::new("all", "Alle"),
                    Choice::new("not_identified", "Identifisering ikke fullført"),
                    Choice::new("identified", "Identifisering fullført"),
                ],
            }
        }
        "relatives" => {
            let (total, rows) = db::oversight::relatives(db, q).await?;
            Listing {
                title: "Pårørende",
                total,
                patients: rows.iter().map(|r| r.patient_id).collect(),
                table: Table {
                    title: "Pårørende".into(),
                    headers: ["Pårørende", "Pasient", "Enhet", "Registrert"]
                        .map(String::from)
                        .to_vec(),
                    rows: rows
                        .iter()
                        .map(|r| {
                            vec![
                                link(&r.full_name, format!("/relatives/{}", r.id)),
                                link(&r.patient_name, format!("/patients/{}", r.patient_id)),
                                Cell::Text(r.unit_name.clone()),
                                Cell::Date(Some(crate::domain::dates::oslo_date(r.created_at))),
                            ]
                        })
                        .collect(),
                },
                sorts: vec![
                    Choice::new("name", "Navn"),
                    Choice::new("unit", "Enhet"),
                    Choice::new("registered", "Registrert"),
                ],
                filters: vec![
                    Choice::new("involved", "Alle som ønsker å bli involvert"),
                    Choice::new("unmapped", "Ikke kartlagt"),
                    Choice::new(
                        "heavy_without_agreement",
                        "Tunge omsorgsoppgaver uten avtale",
                    ),
                    Choice::new("without_agreement", "Uten gjeldende avtale"),
                    Choice::new("without_contact", "Uten kontaktperson"),
                    Choice::new("children_without_followup", "Barn uten oppfølging"),
                ],
            }
        }
        "agreements" => {
            let (total, rows) = db::oversight::agreements(db, q).await?;
            Listing {
                title: "Pårørendeavtaler",
                total,
                patients: rows.iter().map(|r| r.patient_id).collect(),
                table: Table {
                    title: "Pårørendeavtaler".into(),
                    headers: [
                        "Pasient",
                        "Enhet",
                        "Status",
                        "Neste evaluering",
                        "Kontaktperson",
                    ]
                    .map(String::from)
                    .to_vec(),
                    rows: rows
                        .iter()
                        .map(|r| {
                            let status = crate::domain::agreement::Status::parse(&r.status)
                                .map(|s| s.label())
                                .unwrap_or("");
                            vec![
                                link(&r.patient_name, format!("/agreements/{}", r.id)),
                                Cell::Text(r.unit_name.clone()),
                                Cell::Text(status.to_string()),
                                Cell::Date(r.evaluation_on),
                                Cell::Text(r.contact_person_name.clone().unwrap_or_default()),
                            ]
                        })
                        .collect(),
                },
                sorts: vec![
                    Choice::new("evaluation", "Evalueringsdato"),
                    Choice::new("unit", "Enhet"),
                    Choice::new("patient", "Pasient"),
                ],
                filters: vec![
                    Choice::new("in_force", "Gjeldende"),
                    Choice::new("overdue", "På overtid for evaluering"),
                ],
            }
        }
        _ => return Err(AppError::NotFound),
    })
}

#[allow(clippy::too_many_arguments)]
#[rocket::get("/dashboard/list/<kind>?<unit>&<filter>&<sort>&<page>&<day>&<format>")]
async fn list(
    user: Manager<'_>,
    kind: &str,
    unit: Option<i64>,
    filter: Option<&str>,
    sort: Option<&str>,
    page: Option<&str>,
    day: Option<&str>,
    format: Option<&str>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Either<Template, Download>> {
    let district = district_of(&user)?;
    let units = db::org::units_in_district(db, district).await?;
    let unit = unit.unwrap_or(0);
    if unit != 0 && !units.iter().any(|u| u.id == unit) {
        return Err(AppError::NotFound);
    }
    let today = clock.today();
    let day = day
        .and_then(crate::domain::dates::parse_date)
        .filter(|d| *d <= today)
        .unwrap_or(today);
    let mut q = Query {
        district,
        unit,
        day,
        filter: filter.unwrap_or("").to_string(),
        sort: sort.unwrap_or("").to_string(),
        limit: 1,
        offset: 0,
    };
    let exporting = format.is_some();
    let (l, paging) = if exporting {
        q.limit = EXPORT_MAX;
        (listing(db, kind, &q).await?, None)
    } else {
        // One query for the page asked for; a second only when it lies past the last page.
        q.limit = PAGE_SIZE;
        q.offset = requested_offset(page, PAGE_SIZE);
        let mut l = listing(db, kind, &q).await?;
        let p = Paging::new(page, l.total, PAGE_SIZE);
        if p.offset != q.offset {
            q.offset = p.offset;
            l = listing(db, kind, &q).await?;
        }
        (l, Some(p))
    };
    let detail = format!(
        "{} ({}), {} rader{}",
        l.title,
        if q.filter.is_empty() {
            "alle"
        } else {
            &q.filter
        },
        l.table.rows.len(),
        format.map(|f| format!(" som {f}")).unwrap_or_default()
    );
    // An export is logged once it is made (an unknown format is a 404 and no export); list
    // and export are logged with the patients they contained.
    let file = match format {
        Some(format) => Some(download(
            &l.table,
            format,
            &format!("samspill-{kind}-{day}"),
        )?),
        None => None,
    };
    let action = if exporting {
        Action::Export
    } else {
        Action::View
    };
    let now = clock.now();
    let listing = db::access_log::Listing::New(&l.patients);
    crate::audit::record_listing(
        db,
        &user.actor(),
        action,
        "oversight",
        &detail,
        listing,
        now,
    )
    .await?;
    if let Some(file) = file {
        return Ok(Either::Right(file));
    }
    let base = format!(
        "unit={unit}&filter={}&sort={}&day={}",
        crate::web::infra::filters::url_encode(&q.filter),
        crate::web::infra::filters::url_encode(&q.sort),
        format_date(day)
    );
    let mut unit_choices = vec![Choice::new(0, "Alle enheter")];
    unit_choices.extend(units.iter().map(|u| Choice::new(u.id, &u.name)));
    Ok(Either::Left(
        Page::new(l.title, Some(&user))
            .with("kind", kind)
            .with("table", &l.table)
            .with("paging", paging)
            .with("base", base)
            .with("sorts", l.sorts)
            .with("filters", l.filters)
            .with("units", unit_choices)
            .with(
                "form",
                serde_json::json!({
                    "unit": unit.to_string(), "filter": q.filter, "sort": q.sort, "day": format_date(day),
                }),
            )
            .with("day", format_date(day))
            .render("dashboard/list"),
    ))
}

async fn followup_in_district(
    db: &Db,
    user: &Manager<'_>,
    id: i64,
) -> AppResult<db::followups::FollowupRow> {
    let district = district_of(user)?;
    db::followups::get(db, Scope::District(district), id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn owners(db: &Db, unit_id: i64) -> AppResult<Vec<Choice>> {
    crate::web::infra::page::staff_choices(db, unit_id).await
}

/// The reassignment form for a follow-up, with its history.
async fn reassign_form(
    db: &Db,
    user: &Manager<'_>,
    f: &db::followups::FollowupRow,
    owners: Vec<Choice>,
    clock: &Clock,
) -> AppResult<Page> {
    Ok(Page::new("Endre ansvarlig", Some(user))
        .with("f", f)
        .with("kind_label", label(choices::FOLLOWUP_KINDS, &f.kind))
        .with(
            "overdue_days",
            crate::domain::followup::days_overdue(f.due_on, clock.today()),
        )
        .with("owners", owners)
        .with("changes", db::followups::changes(db, f.id).await?))
}

#[rocket::get("/dashboard/followups/<id>/reassign")]
async fn reassign_page(
    user: Manager<'_>,
    id: i64,
    db: &State<Db>,
    clock: &State<Clock>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    let f = followup_in_district(db, &user, id).await?;
    crate::audit::record_view(
        db,
        &user.actor(),
        "followup",
        id,
        (f.patient_id, f.unit_id),
        clock.now(),
    )
    .await?;
    let owners = owners(db, f.unit_id).await?;
    Ok(reassign_form(db, &user, &f, owners, clock)
        .await?
        .with(
            "form",
            serde_json::json!({ "owner_id": f.owner_id.to_string() }),
        )
        .flash(flash)
        .render("dashboard/reassign"))
}

#[derive(Debug, FromForm, Serialize)]
struct ReassignForm {
    owner_id: Text,
    reason: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(ReassignForm);

#[rocket::post("/dashboard/followups/<id>/reassign", data = "<form>")]
async fn reassign(
    user: Manager<'_>,
    id: i64,
    form: CsrfForm<ReassignForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let f = followup_in_district(db, &user, id).await?;
    let choices = owners(db, f.unit_id).await?;
    let mut e = FieldErrors::new();
    let owner = form.owner_id.trim();
    let owner_id = crate::domain::forms::chosen_id(
        &mut e,
        "owner_id",
        owner,
        &crate::web::infra::page::ids(&choices),
        true,
        "Velg en ansatt på samme enhet som oppfølgingen hører til.",
    );
    if owner_id.is_some() && owner_id == Some(f.owner_id) {
        e.add("owner_id", "Velg en annen enn den som har oppfølgingen nå.");
    }
    let reason = f::line(
        &mut e,
        "reason",
        &form.reason,
        500,
        Some("Skriv hvorfor oppfølgingen får ny ansvarlig."),
    );
    if f.status != "open" {
        e.add("owner_id", "Oppfølgingen er ikke lenger åpen.");
    }
    let Some(owner_id) = owner_id.filter(|_| e.is_empty()) else {
        let page = reassign_form(db, &user, &f, choices, clock).await?;
        return Ok(invalid(page, &form.0, &e, "dashboard/reassign"));
    };
    let new_name = choices
        .iter()
        .find(|c| c.value == owner)
        .map(|c| c.label.clone())
        .unwrap_or_default();
    let now = clock.now();
    let mut tx = db.begin().await?;
    if db::followups::reassign(&mut tx, id, owner_id, now).await? {
        db::followups::record_change(
            &mut tx,
            id,
            Change::Reassigned {
                from: f.owner_id,
                to: owner_id,
            },
            &reason,
            user.id,
            now,
        )
        .await?;
        record_change(
            &mut tx,
            &user.actor(),
            Action::Update,
            "followup",
            id,
            (f.patient_id, f.unit_id),
            &format!(
                "Oppfølging «{}» overført fra {} til {new_name} av leder: {reason}",
                f.concerns, f.owner_name
            ),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(done(
        "/dashboard/list/followups?filter=overdue".into(),
        "Oppfølgingen har fått ny ansvarlig.",
    ))
}
