//! The manager's lists behind the dashboard's figures (overdue follow-ups, patients without
//! a step, …), as pages and exports.

use super::{EXPORT_MAX, PAGE_SIZE};
use crate::clock::Clock;
use crate::db::access_log::Action;
use crate::db::oversight::Query;
use crate::db::{self, Db};
use crate::domain::choices::{self, label};
use crate::domain::dates::format_date;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::export::{download, Cell, Download, Table};
use crate::web::infra::page::{Choice, Page};
use crate::web::infra::session::Manager;
use crate::web::infra::templates::Template;
use crate::web::patients::{requested_offset, Paging};
use rocket::{Either, State};

/// A list page or export: its title, table and paging.
pub(super) struct Listing {
    pub title: &'static str,
    pub table: Table,
    /// The patients the rows concern, for the access log.
    pub patients: Vec<i64>,
    pub total: i64,
    pub sorts: Vec<Choice>,
    pub filters: Vec<Choice>,
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
        "warnings" => super::warning_lists::relatives(db, q).await?,
        "agreements" if q.filter == "behind_rhythm" => {
            super::warning_lists::behind(db, q, agreement_filters()).await?
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
                filters: agreement_filters(),
            }
        }
        _ => return Err(AppError::NotFound),
    })
}

fn agreement_filters() -> Vec<Choice> {
    vec![
        Choice::new("in_force", "Gjeldende"),
        Choice::new("overdue", "På overtid for evaluering"),
        Choice::new("behind_rhythm", "Bak kontaktrytmen"),
    ]
}

#[allow(clippy::too_many_arguments)]
#[rocket::get("/dashboard/list/<kind>?<unit>&<filter>&<sort>&<page>&<day>&<format>")]
pub(super) async fn list(
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
    cache: &State<super::figures::Cache>,
) -> AppResult<Either<Template, Download>> {
    let (district, units, unit) = super::scope_of(db, &user, unit).await?;
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
    let listing = &l.patients;
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
    let unit_ids: Vec<i64> = units.iter().map(|u| u.id).collect();
    let chart = super::warning_lists::trend_chart(db, cache, kind, l.title, &q, &unit_ids).await?;
    let mut unit_choices = vec![Choice::new(0, "Alle enheter")];
    unit_choices.extend(units.iter().map(|u| Choice::new(u.id, &u.name)));
    Ok(Either::Left(
        Page::new(l.title, Some(&user))
            .with("kind", kind)
            .with("table", &l.table)
            .with("paging", paging)
            .with("chart", chart)
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
