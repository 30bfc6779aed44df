//! Children who are relatives and still wait for their child follow-up (helsepersonelloven
//! § 10 a): the unit's tasks. The worker's day and list show the longest waiting with the
//! count of all; this page lists all of them, page by page.

use crate::clock::Clock;
use crate::db::access_log::Action;
use crate::db::followups::ChildTask;
use crate::db::{self, Db};
use crate::web::infra::error::AppResult;
use crate::web::infra::page::{render, Page};
use crate::web::infra::reads::ReadDb;
use crate::web::infra::session::Worker;
use crate::web::infra::templates::Templates;
use crate::web::patients::{requested_offset, Paging};
use chrono::{Months, NaiveDate};
use rocket::response::content::RawHtml;
use rocket::State;
use serde::Serialize;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![all]
}

/// How many the day and the list show before linking to all of them.
pub const NOTICE: i64 = 10;

/// Children on a page of their own list.
const PAGE_SIZE: i64 = 50;

/// Some of the unit's waiting children, and how many wait in all.
#[derive(Debug, Default, Serialize)]
pub struct Waiting {
    pub tasks: Vec<ChildTask>,
    pub total: i64,
}

/// The start (in Oslo) of the first day a recorded child follow-up still counts.
fn counts_from(today: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    let day = crate::domain::children::followup_counts_from(today);
    crate::db::dashboard::end_of(day - chrono::Duration::days(1))
}

fn adult_born_before(today: NaiveDate) -> NaiveDate {
    today
        .checked_sub_months(Months::new(12 * 18))
        .unwrap_or(today)
}

/// The unit's children waiting for their follow-up, the longest waiting first: `limit` of
/// them from `offset`, and the count of all.
pub async fn waiting(
    db: &Db,
    unit: i64,
    today: NaiveDate,
    limit: i64,
    offset: i64,
) -> AppResult<Waiting> {
    let tasks = db::followups::child_tasks(
        db,
        unit,
        adult_born_before(today),
        counts_from(today),
        limit,
        offset,
    )
    .await?;
    let total = match tasks.first() {
        Some(t) => t.total,
        // Past the last one: the count is asked for from the start.
        None if offset > 0 => Box::pin(waiting(db, unit, today, 1, 0)).await?.total,
        None => 0,
    };
    Ok(Waiting { tasks, total })
}

#[rocket::get("/followups/children?<page>")]
async fn all(
    user: Worker<'_>,
    page: Option<&str>,
    snapshot: ReadDb,
    clock: &State<Clock>,
    templates: &State<Templates>,
) -> AppResult<RawHtml<String>> {
    let db: &Db = &snapshot;
    let today = clock.today();
    let (waiting, paging) = match user.unit_id {
        Some(unit) => {
            // One query for the page asked for; a second only when it lies past the last.
            let offset = requested_offset(page, PAGE_SIZE);
            let mut w = waiting(db, unit, today, PAGE_SIZE, offset).await?;
            let paging = Paging::new(page, w.total, PAGE_SIZE);
            if paging.offset != offset {
                w = waiting(db, unit, today, PAGE_SIZE, paging.offset).await?;
            }
            (w, paging)
        }
        None => (Waiting::default(), Paging::new(None, 0, PAGE_SIZE)),
    };
    let shown: Vec<i64> = waiting.tasks.iter().map(|c| c.patient_id).collect();
    let detail = format!("barn uten oppfølging, side {}", paging.page);
    let page = Page::new("Barn som pårørende uten registrert oppfølging", Some(&user))
        .with("children", waiting)
        .with("paging", paging);
    let html = render(templates, page, "followups/children")?;
    crate::audit::record_listing(
        db,
        &user.actor(),
        Action::View,
        "child_tasks",
        &detail,
        &shown,
        clock.now(),
    )
    .await?;
    Ok(RawHtml(html))
}
