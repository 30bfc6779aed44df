//! The routine of the patients a worker takes part in: for each, the first step the worker
//! can do something about. The worker's day shows those of the first patients by name; this
//! page goes through all of them, page by page, so that none is left out.

use crate::clock::Clock;
use crate::db::access_log::Action;
use crate::db::{self, Db};
use crate::domain::routine::StepState;
use crate::web::infra::error::AppResult;
use crate::web::infra::page::{render, Page};
use crate::web::infra::reads::ReadDb;
use crate::web::infra::session::Worker;
use crate::web::infra::templates::Templates;
use crate::web::patients::show::{fix_href, load_many};
use crate::web::patients::Paging;
use chrono::NaiveDate;
use rocket::response::content::RawHtml;
use rocket::State;
use serde::Serialize;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![all]
}

/// How many patients, first by name, the worker's day goes through.
pub const DAY_PATIENTS: i64 = 20;

/// Patients on a page of their own list.
const PAGE_SIZE: i64 = 50;

/// A patient the worker takes part in, with the first step of the routine that is not done
/// and has a form to do it.
#[derive(Debug, Serialize)]
pub struct PatientStep {
    pub patient_id: i64,
    pub patient_name: String,
    /// "2. Kartlegge"; None when no step waits for the worker.
    pub step: Option<String>,
    pub next: String,
    pub href: Option<String>,
}

/// Each patient's first step to do, in the order given. The routine of all of them is read
/// at once (`load_many`).
pub async fn first_steps(
    db: &Db,
    patients: Vec<(i64, String)>,
    today: NaiveDate,
) -> AppResult<Vec<PatientStep>> {
    let ids: Vec<i64> = patients.iter().map(|(id, _)| *id).collect();
    let mut routines = load_many(db, &ids, today).await?.into_iter();
    let mut out = Vec::new();
    for (id, name) in patients {
        // `load_many` gives them in the order asked for.
        let Some((_, routine)) = routines.find(|(rid, _)| *rid == id) else {
            continue;
        };
        // The first step the worker can do something about: a step that only waits for the
        // relatives (none wants to be involved yet) is a state, not a task.
        let open = routine.steps.iter().find(|s| {
            matches!(s.state, StepState::NotStarted | StepState::InProgress) && s.fix.is_some()
        });
        out.push(PatientStep {
            patient_id: id,
            patient_name: name,
            step: open.map(|s| format!("{}. {}", s.number, s.name)),
            next: open.map(|s| s.next.clone()).unwrap_or_default(),
            href: open.and_then(|s| s.fix).map(|f| fix_href(id, f)),
        });
    }
    Ok(out)
}

#[rocket::get("/today/patients?<page>")]
async fn all(
    user: Worker<'_>,
    page: Option<&str>,
    snapshot: ReadDb,
    clock: &State<Clock>,
    templates: &State<Templates>,
) -> AppResult<RawHtml<String>> {
    let db: &Db = &snapshot;
    let (lines, paging) = match user.unit_id {
        Some(unit) => {
            let total = db::today::count_involved(db, user.id, unit).await?;
            let paging = Paging::new(page, total, PAGE_SIZE);
            let patients =
                db::today::involved_patients(db, user.id, unit, PAGE_SIZE, paging.offset).await?;
            (first_steps(db, patients, clock.today()).await?, paging)
        }
        None => (Vec::new(), Paging::new(None, 0, PAGE_SIZE)),
    };
    let shown: Vec<i64> = lines.iter().map(|l| l.patient_id).collect();
    let detail = format!("rutinen for mine pasienter, side {}", paging.page);
    let page = Page::new("Rutinen for dine pasienter", Some(&user))
        .with("lines", lines)
        .with("paging", paging);
    let html = render(templates, page, "today/patients")?;
    crate::audit::record_listing(
        db,
        &user.actor(),
        Action::View,
        "my_patients",
        &detail,
        &shown,
        clock.now(),
    )
    .await?;
    Ok(RawHtml(html))
}
