//! "I dag": where a worker lands after login. Overdue and today's follow-ups, children who
//! are relatives without follow-up, the unit's patients the worker takes part in with a
//! routine step missing, and the relatives the worker is contact person for with the next
//! contact agreed.

use crate::clock::Clock;
use crate::db::access_log::Action;
use crate::db::{self, Db};
use crate::domain::choices::{self, label};
use crate::web::followups::children::{waiting, Waiting, NOTICE};
use crate::web::home::patients::{first_steps, PatientStep, DAY_PATIENTS};
use crate::web::infra::error::AppResult;
use crate::web::infra::page::{render, Page};
use crate::web::infra::reads::ReadDb;
use crate::web::infra::session::Worker;
use crate::web::infra::templates::Templates;
use crate::web::patients::show::followup_views;
use chrono::NaiveDate;
use rocket::request::FlashMessage;
use rocket::response::content::RawHtml;
use rocket::State;
use serde::Serialize;

#[derive(Debug, Serialize)]
struct RelativeLine {
    #[serde(flatten)]
    row: db::today::MyRelative,
    relation_label: &'static str,
    /// The next contact is overdue.
    late: bool,
}

#[rocket::get("/today")]
pub async fn today(
    user: Worker<'_>,
    snapshot: ReadDb,
    clock: &State<Clock>,
    templates: &State<Templates>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<RawHtml<String>> {
    let db: &Db = &snapshot;
    let today = clock.today();
    let due = followup_views(
        db::followups::due_for_owner(db, user.id, today, 500).await?,
        today,
    );
    let (children, (missing, more), relatives) = match user.unit_id {
        Some(unit) => (
            waiting(db, unit, today, NOTICE, 0).await?,
            missing_steps(db, user.id, unit, today).await?,
            my_relatives(db, user.id, unit, today).await?,
        ),
        None => (Waiting::default(), (Vec::new(), false), Vec::new()),
    };
    let shown: Vec<i64> = due
        .iter()
        .map(|v| v.row.patient_id)
        .chain(children.tasks.iter().map(|c| c.patient_id))
        .chain(missing.iter().map(|m| m.patient_id))
        .chain(relatives.iter().map(|r| r.row.patient_id))
        .collect();
    let page = Page::new("I dag", Some(&user))
        .with("due", &due)
        .with("overdue", due.iter().filter(|v| v.overdue_days > 0).count())
        .with("children", children)
        .with("missing", missing)
        .with("more", more)
        .with("checked", DAY_PATIENTS)
        .with("relatives", relatives)
        .today(today)
        .flash(flash);
    let html = render(templates, page, "today")?;
    crate::audit::record_listing(
        db,
        &user.actor(),
        Action::View,
        "today",
        "i dag",
        &shown,
        clock.now(),
    )
    .await?;
    Ok(RawHtml(html))
}

/// The patients among the worker's first by name (`DAY_PATIENTS`) with a step to do, and
/// whether the worker takes part in more patients than those.
async fn missing_steps(
    db: &Db,
    user_id: i64,
    unit: i64,
    today: NaiveDate,
) -> AppResult<(Vec<PatientStep>, bool)> {
    let mut patients = db::today::involved_patients(db, user_id, unit, DAY_PATIENTS + 1, 0).await?;
    let more = patients.len() > DAY_PATIENTS as usize;
    patients.truncate(DAY_PATIENTS as usize);
    let steps = first_steps(db, patients, today).await?;
    Ok((
        steps.into_iter().filter(|s| s.step.is_some()).collect(),
        more,
    ))
}

async fn my_relatives(
    db: &Db,
    user_id: i64,
    unit: i64,
    today: NaiveDate,
) -> AppResult<Vec<RelativeLine>> {
    Ok(db::today::my_relatives(db, user_id, unit)
        .await?
        .into_iter()
        .map(|row| RelativeLine {
            relation_label: label(choices::RELATIONS, &row.relation),
            late: row.next_contact.is_some_and(|d| d < today),
            row,
        })
        .collect())
}
