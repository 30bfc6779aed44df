//! "I dag": where a worker lands after login. Overdue and today's follow-ups, children who
//! are relatives without follow-up, the unit's patients the worker takes part in with a
//! routine step missing, and the relatives the worker is contact person for with the next
//! contact agreed.

use crate::clock::Clock;
use crate::db::access_log::Action;
use crate::db::{self, Db};
use crate::domain::choices::{self, label};
use crate::domain::routine::StepState;
use crate::web::followups::children::{waiting, Waiting, NOTICE};
use crate::web::infra::error::AppResult;
use crate::web::infra::page::{render, Page};
use crate::web::infra::reads::ReadDb;
use crate::web::infra::session::Worker;
use crate::web::infra::templates::Templates;
use crate::web::patients::show::{fix_href, followup_views, load_many};
use chrono::NaiveDate;
use rocket::request::FlashMessage;
use rocket::response::content::RawHtml;
use rocket::State;
use serde::Serialize;

/// The most patients the page reads the routine of; a caseload is well below it.
const PATIENTS: i64 = 60;

/// A patient with the first step of the routine that is not done and has a form to do it.
#[derive(Debug, Serialize)]
struct Missing {
    patient_id: i64,
    patient_name: String,
    step: String,
    next: String,
    href: Option<String>,
}

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
    let (children, missing, relatives) = match user.unit_id {
        Some(unit) => (
            waiting(db, unit, today, NOTICE, 0).await?,
            missing_steps(db, user.id, unit, today).await?,
            my_relatives(db, user.id, unit, today).await?,
        ),
        None => (Waiting::default(), Vec::new(), Vec::new()),
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

async fn missing_steps(
    db: &Db,
    user_id: i64,
    unit: i64,
    today: NaiveDate,
) -> AppResult<Vec<Missing>> {
    let involved = db::today::involved_patients(db, user_id, unit, PATIENTS).await?;
    let ids: Vec<i64> = involved.iter().map(|(id, _)| *id).collect();
    let mut routines = load_many(db, &ids, today).await?.into_iter();
    let mut out = Vec::new();
    for (id, name) in involved {
        // `load_many` gives them in the order asked for.
        let Some((_, routine)) = routines.find(|(rid, _)| *rid == id) else {
            continue;
        };
        // The first step the worker can do something about: a step that only waits for the
        // relatives (none wants to be involved yet) is a state, not a task.
        let open = routine.steps.iter().find(|s| {
            matches!(s.state, StepState::NotStarted | StepState::InProgress) && s.fix.is_some()
        });
        if let Some(s) = open {
            out.push(Missing {
                patient_id: id,
                patient_name: name,
                step: format!("{}. {}", s.number, s.name),
                next: s.next.clone(),
                href: s.fix.map(|f| fix_href(id, f)),
            });
        }
    }
    Ok(out)
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
