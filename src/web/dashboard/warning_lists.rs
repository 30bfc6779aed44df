//! The lists behind the early warnings: relatives out of sight, with unmet support needs,
//! with consent due or with a contact person gone, and agreements behind their rhythm.

use super::figures::{warning_trend, Cache};
use super::lists::Listing;
use super::Chart;
use crate::db::oversight::Query;
use crate::db::warnings::Warnings;
use crate::db::warnings::{self, Params, RelativeWarning};
use crate::db::Db;
use crate::domain::agreement::rhythm::{Rhythm, RHYTHMS};
use crate::domain::choices::{self, label};
use crate::domain::dates::oslo_date;
use crate::domain::indicators::month_label;
use crate::web::infra::chart::count_chart;
use crate::web::infra::error::AppResult;
use crate::web::infra::export::{Cell, Table};
use crate::web::infra::page::Choice;
use chrono::NaiveDate;

fn params(q: &Query) -> Params {
    Params {
        district: q.district,
        unit: q.unit,
        day: q.day,
        limit: q.limit,
        offset: q.offset,
    }
}

/// The later of a follow-up's date and a meeting's day.
fn latest(
    followup: Option<NaiveDate>,
    meeting: Option<chrono::DateTime<chrono::Utc>>,
) -> Option<NaiveDate> {
    followup.max(meeting.map(oslo_date))
}

fn link(text: &str, href: String) -> Cell {
    Cell::Link(text.to_string(), href)
}

const RELATIVE_FILTERS: [(&str, &str); 4] = [
    ("silent", "Ute av syne i 6 måneder"),
    ("unmet_needs", "Støttebehov uten henvisning"),
    (
        "consent_due",
        "Samtykke mangler eller er eldre enn 12 måneder",
    ),
    ("contact_gone", "Kontaktperson borte"),
];

/// A relative warning list; an unknown filter is the first warning's.
pub(super) async fn relatives(db: &Db, q: &Query) -> AppResult<Listing> {
    let which = RelativeWarning::parse(&q.filter).unwrap_or(RelativeWarning::Silent);
    let (total, rows) = warnings::relatives(db, which, &q.sort, &params(q)).await?;
    let title = RELATIVE_FILTERS
        .iter()
        .find(|(k, _)| RelativeWarning::parse(k) == Some(which))
        .map_or("Tidlige varsler", |(_, t)| t);
    let mut headers = vec!["Pårørende", "Pasient", "Enhet", "Registrert"];
    headers.extend(match which {
        RelativeWarning::Silent => vec!["Siste kontakt"],
        RelativeWarning::UnmetNeeds => vec!["Kartlagt", "Behov uten henvisning"],
        RelativeWarning::ConsentDue => vec!["Siste samtykke gitt"],
        RelativeWarning::ContactGone => vec!["Kontaktperson", "Hvorfor"],
    });
    let table_rows = rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                link(&r.full_name, format!("/relatives/{}", r.id)),
                link(&r.patient_name, format!("/patients/{}", r.patient_id)),
                Cell::Text(r.unit_name.clone()),
                Cell::Date(Some(oslo_date(r.created_at))),
            ];
            match which {
                RelativeWarning::Silent => {
                    cells.push(match latest(r.last_followup_on, r.last_meeting_at) {
                        Some(d) => Cell::Date(Some(d)),
                        None => Cell::Text("Ingen registrert".into()),
                    });
                }
                RelativeWarning::UnmetNeeds => {
                    let needs: Vec<&str> = r
                        .unmet
                        .as_deref()
                        .unwrap_or("")
                        .split(',')
                        .filter(|k| !k.is_empty())
                        .map(|k| label(choices::SUPPORT_NEEDS, k))
                        .collect();
                    cells.push(Cell::Date(r.mapped_on));
                    cells.push(Cell::Text(needs.join(", ")));
                }
                RelativeWarning::ConsentDue => cells.push(match r.consent_on {
                    Some(d) => Cell::Date(Some(d)),
                    None => Cell::Text("Ikke registrert".into()),
                }),
                RelativeWarning::ContactGone => {
                    cells.push(Cell::Text(r.gone_name.clone().unwrap_or_default()));
                    cells.push(Cell::Text(
                        match r.gone_reason.as_deref() {
                            Some("inactive") => "Deaktivert",
                            Some("role") => "Ikke lenger helsepersonell",
                            Some("unit") => "Ikke lenger i pasientens enhet",
                            _ => "",
                        }
                        .into(),
                    ));
                }
            }
            cells
        })
        .collect();
    Ok(Listing {
        title,
        total,
        patients: rows.iter().map(|r| r.patient_id).collect(),
        table: Table {
            title: title.into(),
            headers: headers.into_iter().map(String::from).collect(),
            rows: table_rows,
        },
        sorts: vec![
            Choice::new("name", "Navn"),
            Choice::new("patient", "Pasient"),
            Choice::new("unit", "Enhet"),
            Choice::new("registered", "Registrert"),
        ],
        filters: RELATIVE_FILTERS
            .iter()
            .map(|(k, t)| Choice::new(*k, t))
            .collect(),
    })
}

/// The agreements in force behind their contact rhythm.
pub(super) async fn behind(db: &Db, q: &Query, filters: Vec<Choice>) -> AppResult<Listing> {
    let (total, rows) = warnings::behind(db, &q.sort, &params(q)).await?;
    let title = "Avtaler bak kontaktrytmen";
    let rhythm_label = |key: &str| {
        Rhythm::parse(key)
            .and_then(|r| RHYTHMS.iter().find(|(k, _)| *k == r.key()))
            .map_or("", |(_, l)| l)
    };
    let table_rows = rows
        .iter()
        .map(|r| {
            let last = latest(r.last_followup_on, r.last_meeting_at);
            let due = Rhythm::parse(&r.contact_rhythm)
                .zip(last.max(r.signed_on))
                .and_then(|(rhythm, since)| rhythm.next_after(since));
            vec![
                link(&r.patient_name, format!("/agreements/{}", r.id)),
                Cell::Text(r.unit_name.clone()),
                Cell::Text(rhythm_label(&r.contact_rhythm).into()),
                match last {
                    Some(d) => Cell::Date(Some(d)),
                    None => Cell::Text("Ingen siden signering".into()),
                },
                Cell::Date(due),
                Cell::Int(due.map_or(0, |d| (q.day - d).num_days())),
                Cell::Text(r.contact_person_name.clone().unwrap_or_default()),
            ]
        })
        .collect();
    Ok(Listing {
        title,
        total,
        patients: rows.iter().map(|r| r.patient_id).collect(),
        table: Table {
            title: title.into(),
            headers: [
                "Pasient",
                "Enhet",
                "Kontaktrytme",
                "Siste kontakt",
                "Neste kontakt skulle vært",
                "Dager bak",
                "Kontaktperson",
            ]
            .map(String::from)
            .to_vec(),
            rows: table_rows,
        },
        sorts: vec![
            Choice::new("patient", "Pasient"),
            Choice::new("unit", "Enhet"),
            Choice::new("contact", "Kontaktperson"),
        ],
        filters,
    })
}

/// Reads one warning's count from a unit's or district's warnings.
type Part = fn(&Warnings) -> Option<i64>;

/// The chart key and count of a warning list; None for a list that is no warning.
fn part_of(kind: &str, filter: &str) -> Option<(&'static str, Part)> {
    let (key, part): (&str, Part) = match (kind, filter) {
        ("agreements", "behind_rhythm") => ("behind-rhythm", |w| Some(w.behind_rhythm)),
        ("warnings", "unmet_needs") => ("unmet-needs", |w| Some(w.unmet_needs)),
        ("warnings", "consent_due") => ("consent-due", |w| Some(w.consent_due)),
        ("warnings", "contact_gone") => ("contact-gone", |w| w.contact_gone),
        ("warnings", _) => ("silent", |w| Some(w.silent)),
        _ => return None,
    };
    Some((key, part))
}

/// The chart of a warning list's count at each month end up to the list's day, for the
/// list's unit or the whole district; None for a list that is no warning.
pub(super) async fn trend_chart(
    db: &Db,
    cache: &Cache,
    kind: &str,
    title: &str,
    q: &Query,
    units: &[i64],
) -> AppResult<Option<Chart>> {
    let Some((key, part)) = part_of(kind, &q.filter) else {
        return Ok(None);
    };
    let chosen: Vec<i64> = if q.unit == 0 {
        units.to_vec()
    } else {
        vec![q.unit]
    };
    let trend = warning_trend(db, cache, q.district, &chosen, q.day).await?;
    let values: Vec<(String, Option<i64>)> = trend
        .iter()
        .map(|(day, w)| (month_label(*day), part(w)))
        .collect();
    let id = format!("chart-{key}");
    let title = format!("{title}, siste 12 måneder");
    Ok(Some(Chart {
        svg: count_chart(&id, &title, &values),
        points: values
            .iter()
            .map(|(l, v)| (l.clone(), v.map_or("–".into(), |v| v.to_string())))
            .collect(),
        id,
        title,
    }))
}
