//! The relatives' feedback on the dashboard: per unit and for the district, how many answered
//! in the period and each question's average and distribution, shown only from five answers;
//! the twelve-month trend; and the free texts, past the same threshold, without dates.

use super::Chart;
use crate::clock::Clock;
use crate::db::access_log::Action;
use crate::db::feedback::Tally;
use crate::db::{self, Db};
use crate::domain::dates::format_date;
use crate::domain::feedback::{self as fb, month_key, SHORT_LABELS};
use crate::domain::indicators::{month_ends, month_label, Period};
use crate::web::infra::chart::count_chart;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::export::{download, Cell, Download, Table};
use crate::web::infra::page::Page;
use crate::web::infra::session::Manager;
use crate::web::infra::templates::Template;
use rocket::{Either, State};
use serde::Serialize;
use std::collections::BTreeMap;

/// One row of the feedback table: a unit or the district.
#[derive(Serialize)]
pub struct Row {
    pub unit_id: i64,
    pub name: String,
    pub answers: i64,
    /// Whether figures may be shown (`domain::feedback::may_show`).
    pub shown: bool,
    /// Each question's average ("4,2"), or "–" when no one scored it.
    pub averages: Vec<String>,
    /// Each question: how many gave 1–5, and how many would rather not answer.
    pub distributions: Vec<(String, [i64; 5], i64)>,
}

fn row(unit_id: i64, name: &str, t: &Tally) -> Row {
    let shown = fb::may_show(t.answers);
    Row {
        unit_id,
        name: name.to_string(),
        answers: t.answers,
        shown,
        averages: t
            .questions
            .iter()
            .map(|d| d.average().unwrap_or_else(|| "–".into()))
            .collect(),
        distributions: t
            .questions
            .iter()
            .zip(SHORT_LABELS)
            .map(|(d, label)| (label.to_string(), d.counts, t.answers - d.scored()))
            .collect(),
    }
}

/// What the dashboard shows of the feedback.
#[derive(Serialize)]
pub struct Section {
    pub headings: [&'static str; 8],
    pub rows: Vec<Row>,
    pub chart: Chart,
    /// Per month: (label, answers, the overall question's average or "for få svar").
    pub months: Vec<(String, i64, String)>,
    pub min_answers: i64,
}

/// The feedback section of the district's dashboard for the period.
pub async fn section(
    db: &Db,
    cache: &super::Cache,
    district: i64,
    units: &[(i64, String)],
    district_name: &str,
    period: Period,
) -> AppResult<Section> {
    let ends = month_ends(period.to);
    let first = ends.first().copied().unwrap_or(period.to);
    let from = month_key(period.from.min(first));
    let to = month_key(period.to);
    let tallies = super::figures::feedback_tallies(db, cache, district, &from, &to).await?;
    // The period's months, per unit; and the twelve months, per month for the district.
    let in_period = |m: &str| m >= month_key(period.from).as_str() && m <= to.as_str();
    let mut per_unit: BTreeMap<i64, Tally> = BTreeMap::new();
    let mut per_month: BTreeMap<String, Tally> = BTreeMap::new();
    for (unit, month, t) in tallies.iter() {
        if in_period(month) {
            per_unit.entry(*unit).or_default().add(t);
        }
        per_month.entry(month.clone()).or_default().add(t);
    }
    let mut total = Tally::default();
    let mut rows = Vec::new();
    for (id, name) in units {
        let t = per_unit.get(id).cloned().unwrap_or_default();
        total.add(&t);
        rows.push(row(*id, name, &t));
    }
    rows.push(row(0, &format!("Hele {district_name}"), &total));
    let months: Vec<(String, i64, String)> = ends
        .iter()
        .map(|d| {
            let t = per_month.get(&month_key(*d)).cloned().unwrap_or_default();
            let overall = if fb::may_show(t.answers) {
                t.questions[7].average().unwrap_or_else(|| "–".into())
            } else {
                "for få svar".into()
            };
            (month_label(*d), t.answers, overall)
        })
        .collect();
    let values: Vec<(String, Option<i64>)> = months
        .iter()
        .map(|(l, n, _)| (l.clone(), Some(*n)))
        .collect();
    let title = "Svar fra pårørende per måned";
    Ok(Section {
        headings: SHORT_LABELS,
        rows,
        chart: Chart {
            id: "chart-feedback".into(),
            title: title.into(),
            svg: count_chart("chart-feedback", title, &values),
            points: values
                .iter()
                .map(|(l, v)| (l.clone(), v.unwrap_or(0).to_string()))
                .collect(),
        },
        months,
        min_answers: fb::MIN_ANSWERS,
    })
}

/// The free texts of a unit (or the district) in the period, when at least five answered
/// there; as a page, or exported.
#[rocket::get("/dashboard/feedback/texts?<unit>&<from>&<to>&<format>")]
pub(super) async fn texts(
    user: Manager<'_>,
    unit: Option<i64>,
    from: Option<&str>,
    to: Option<&str>,
    format: Option<&str>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Either<Template, Download>> {
    let (district, units, unit) = super::scope_of(db, &user, unit).await?;
    let today = clock.today();
    let period = Period::parse(None, from, to, today)
        .or_else(|_| Period::parse(None, None, None, today))
        .map_err(AppError::Internal)?;
    let chosen: Vec<i64> = if unit == 0 {
        units.iter().map(|u| u.id).collect()
    } else {
        vec![unit]
    };
    let (from_m, to_m) = (month_key(period.from), month_key(period.to));
    let tallies = db::feedback::tallies(db, district, &from_m, &to_m).await?;
    let answers: i64 = tallies
        .iter()
        .filter(|(u, ..)| chosen.contains(u))
        .map(|(_, _, t)| t.answers)
        .sum();
    let shown = fb::may_show(answers);
    let texts = if shown {
        db::feedback::texts(db, &chosen, &from_m, &to_m).await?
    } else {
        Vec::new()
    };
    let name = if unit == 0 {
        format!("Hele {}", user.district_name.clone().unwrap_or_default())
    } else {
        units
            .iter()
            .find(|u| u.id == unit)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let title = format!("Hva kan bli bedre? – {name}");
    if let Some(format) = format {
        if !shown {
            return Err(AppError::NotFound);
        }
        let table = Table {
            title: title.clone(),
            headers: vec!["Hva kan bli bedre?".into()],
            rows: texts.iter().map(|t| vec![Cell::Text(t.clone())]).collect(),
        };
        let file = download(
            &table,
            format,
            &format!("samspill-tilbakemeldinger-{}", period.to),
        )?;
        let detail = format!("Fritekstsvar fra pårørende, {name}, som {format}");
        let entry = crate::audit::access(
            &user.actor(),
            Action::Export,
            "feedback",
            None,
            None,
            &detail,
        );
        db::access_log::record(db, &entry, clock.now()).await?;
        return Ok(Either::Right(file));
    }
    Ok(Either::Left(
        Page::new(&title, Some(&user))
            .with("name", &name)
            .with("answers", answers)
            .with("shown", shown)
            .with("texts", texts)
            .with("min_answers", fb::MIN_ANSWERS)
            .with("from", format_date(period.from))
            .with("to", format_date(period.to))
            .with("unit", unit)
            .render("dashboard/feedback_texts"),
    ))
}
