//! Follow-ups: the worker's list (overdue first), marking done, moving and cancelling with
//! a reason, and a calendar file for each.

use crate::audit::{record_change, record_view};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::access_log::Action;
use crate::db::followups::NewFollowup;
use crate::db::{self, Db};
use crate::domain::choices::{self, label};
use crate::domain::dates::format_date;
use crate::domain::followup::{bucket, calendar_event, week_end, Bucket};
use crate::domain::followup::{cancel_reason, Completion, Postponement};
use crate::domain::followup::{Change, Closing, FollowupDraft, FollowupInput};
use crate::domain::validation::FieldErrors;
use crate::web::infra::csrf::CsrfForm;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::forms::Text;
use crate::web::infra::page::{choice_list, ids, render, staff_choices};
use crate::web::infra::page::{done, invalid, Page, Submitted};
use crate::web::infra::reads::ReadDb;
use crate::web::infra::session::{Reader, Worker};
use crate::web::infra::templates::{Template, Templates};
use crate::web::patients::show::{followup_views, patient_page};
use crate::web::patients::{find, Paging};
use rocket::http::{ContentType, Header};
use rocket::request::FlashMessage;
use rocket::response::content::RawHtml;
use rocket::{FromForm, State};
use serde::Serialize;

pub mod children;

pub fn routes() -> Vec<rocket::Route> {
    let mut routes = rocket::routes![list, create, show, mark_done, move_due, cancel, calendar];
    routes.extend(children::routes());
    routes
}

#[derive(Serialize)]
struct Group<'a> {
    key: &'static str,
    label: &'static str,
    /// All of the worker's follow-ups in this part of the list, on every page.
    count: i64,
    items: Vec<&'a crate::web::patients::show::FollowupView>,
}

/// Follow-ups on a page of the worker's list.
const PAGE_SIZE: i64 = 50;

#[rocket::get("/followups?<kind>&<page>")]
async fn list(
    user: Worker<'_>,
    kind: Option<&str>,
    page: Option<&str>,
    snapshot: ReadDb,
    clock: &State<Clock>,
    templates: &State<Templates>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<RawHtml<String>> {
    let db: &Db = &snapshot;
    let kind = kind.filter(|k| choices::is_valid(choices::FOLLOWUP_KINDS, k));
    let today = clock.today();
    let counts =
        db::followups::bucket_counts_for_owner(db, user.id, kind, today, week_end(today)).await?;
    let paging = Paging::new(page, counts.total(), PAGE_SIZE);
    let rows = db::followups::open_for_owner(db, user.id, kind, PAGE_SIZE, paging.offset).await?;
    let views = followup_views(rows, today);
    let groups: Vec<Group<'_>> = [
        (Bucket::Overdue, "overdue", counts.overdue),
        (Bucket::ThisWeek, "week", counts.this_week),
        (Bucket::Later, "later", counts.later),
    ]
    .into_iter()
    .map(|(b, key, count)| Group {
        key,
        label: b.label(),
        count,
        items: views
            .iter()
            .filter(|v| bucket(v.row.due_on, today) == b)
            .collect(),
    })
    .collect();
    // The unit's tasks stand above the worker's own list on its first page only.
    let first = paging.page == 1;
    let children = match user.unit_id {
        Some(unit) if first => children::waiting(db, unit, today, children::NOTICE, 0).await?,
        _ => children::Waiting::default(),
    };
    let unowned = match user.unit_id {
        Some(unit) if first => {
            followup_views(db::followups::needing_owner(db, unit, 100).await?, today)
        }
        _ => Vec::new(),
    };
    let shown: Vec<i64> = views
        .iter()
        .chain(unowned.iter())
        .map(|v| v.row.patient_id)
        .chain(children.tasks.iter().map(|c| c.patient_id))
        .collect();
    let detail = if first {
        "mine oppfølginger".to_string()
    } else {
        format!("mine oppfølginger, side {}", paging.page)
    };
    let page = Page::new("Mine oppfølginger", Some(&user))
        .with("groups", groups)
        .with("unowned", unowned)
        .with("total", counts.total())
        .with("children", children)
        .with("kinds", choice_list(choices::FOLLOWUP_KINDS))
        .with("kind", kind.unwrap_or(""))
        .with("paging", paging)
        .flash(flash);
    let html = render(templates, page, "followups/list")?;
    // Every view is logged with the patients it showed.
    crate::audit::record_listing(
        db,
        &user.actor(),
        Action::View,
        "followup_list",
        &detail,
        &shown,
        clock.now(),
    )
    .await?;
    Ok(RawHtml(html))
}

#[derive(Debug, FromForm, Serialize)]
struct NewForm {
    kind: Text,
    concerns: Text,
    due_on: Text,
    owner_id: Text,
    relative_id: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(NewForm);

#[rocket::post("/patients/<id>/followups", data = "<form>")]
async fn create(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<NewForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let patient = find(db, user.read_scope(), id).await?;
    let staff = ids(&staff_choices(db, patient.unit_id).await?);
    let relatives: Vec<i64> = db::relatives::for_patient(db, id)
        .await?
        .iter()
        .map(|r| r.id)
        .collect();
    let input = FollowupInput {
        kind: &form.kind,
        concerns: &form.concerns,
        due_on: &form.due_on,
        owner_id: &form.owner_id,
        relative_id: &form.relative_id,
    };
    let draft = match FollowupDraft::parse(&input, &staff, &relatives, clock.today()) {
        Ok(d) => d,
        Err(e) => {
            // The patient's page again, with the form open, what was typed and each message.
            let now = clock.now();
            record_view(db, &user.actor(), "patient", id, (id, patient.unit_id), now).await?;
            let page = patient_page(db, &user, &patient, clock.today()).await?;
            return Ok(invalid(page, &form.0, &e, "patients/show"));
        }
    };
    let now = clock.now();
    let mut tx = db.begin().await?;
    let new = NewFollowup {
        patient_id: id,
        unit_id: patient.unit_id,
        relative_id: draft.relative_id,
        meeting_id: None,
        kind: &draft.kind,
        concerns: &draft.concerns,
        due_on: draft.due_on,
        owner_id: draft.owner_id,
    };
    let fid = db::followups::insert(&mut tx, &new, user.id, now).await?;
    let summary = format!(
        "Oppfølging opprettet: {} (frist {})",
        draft.concerns,
        format_date(draft.due_on)
    );
    record_change(
        &mut tx,
        &user.actor(),
        Action::Create,
        "followup",
        fid,
        (id, patient.unit_id),
        &summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        format!("/patients/{id}"),
        "Oppfølgingen er opprettet.",
    ))
}

async fn detail_page(db: &Db, user: &Reader<'_>, id: i64, clock: &Clock) -> AppResult<Page> {
    let row = db::followups::get(db, user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let changes = db::followups::changes(db, id).await?;
    let view = followup_views(vec![row], clock.today())
        .pop()
        .ok_or(AppError::NotFound)?;
    Ok(Page::new("Oppfølging", Some(user))
        .with("followup", view)
        .with("changes", changes)
        .with("can_edit", user.role == crate::domain::user::Role::Worker))
}

#[rocket::get("/followups/<id>")]
async fn show(
    user: Reader<'_>,
    id: i64,
    db: &State<Db>,
    clock: &State<Clock>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    let page = detail_page(db, &user, id, clock).await?;
    let row = db::followups::get(db, user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    record_view(
        db,
        &user.actor(),
        "followup",
        id,
        (row.patient_id, row.unit_id),
        clock.now(),
    )
    .await?;
    let form = serde_json::json!({ "done_on": format_date(clock.today()) });
    Ok(page
        .with("form", form)
        .flash(flash)
        .render("followups/show"))
}

#[derive(Debug, FromForm, Serialize)]
struct CloseForm {
    note: Text,
    done_on: Text,
    due_on: Text,
    reason: Text,
    /// The cancel form's own field, so its message shows at that form and not the move form's.
    cancel_reason: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(CloseForm);

async fn refuse(
    db: &Db,
    user: Worker<'_>,
    id: i64,
    clock: &Clock,
    form: &CloseForm,
    e: &FieldErrors,
) -> AppResult<Submitted> {
    let reader = Reader(user.0);
    let page = detail_page(db, &reader, id, clock).await?;
    Ok(invalid(page, form, e, "followups/show"))
}

/// The evaluation of an agreement is done, moved or cancelled on the agreement, so that the
/// agreement and its follow-up never disagree.
fn agreement_owned(agreement_id: i64) -> Submitted {
    Submitted::Done(rocket::response::Flash::error(
        rocket::response::Redirect::to(format!("/agreements/{agreement_id}#livslop")),
        "Evalueringen av en pårørendeavtale registreres på avtalen. Der kan du også endre evalueringsdatoen eller avslutte avtalen.",
    ))
}

#[rocket::post("/followups/<id>/done", data = "<form>")]
async fn mark_done(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<CloseForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let row = db::followups::get(db, user.read_scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(aid) = row.agreement_id.filter(|_| row.kind == "evaluation") {
        return Ok(agreement_owned(aid));
    }
    let Completion { note, on } = match Completion::parse(&form.note, &form.done_on, clock.today())
    {
        Ok(c) => c,
        Err(e) => return refuse(db, user, id, clock, &form, &e).await,
    };
    let now = clock.now();
    let mut tx = db.begin().await?;
    if db::followups::close(&mut tx, id, Closing::Done, on, &note, now).await? {
        db::followups::record_change(&mut tx, id, Change::Done { on }, &note, user.id, now).await?;
        if let Some(aid) = row.agreement_id.filter(|_| row.kind == "call") {
            crate::web::agreements::schedule_next_contact(db, &mut tx, &user, aid, on, now).await?;
        }
        let summary = format!("Oppfølging utført: {} ({note})", row.concerns);
        record_change(
            &mut tx,
            &user.actor(),
            Action::Update,
            "followup",
            id,
            (row.patient_id, row.unit_id),
            &summary,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(done(
        "/followups".into(),
        "Oppfølgingen er merket som utført.",
    ))
}

#[rocket::post("/followups/<id>/move", data = "<form>")]
async fn move_due(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<CloseForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let row = db::followups::get(db, user.read_scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(aid) = row.agreement_id.filter(|_| row.kind == "evaluation") {
        return Ok(agreement_owned(aid));
    }
    let Postponement { due, reason } =
        match Postponement::parse(&form.due_on, &form.reason, clock.today()) {
            Ok(p) => p,
            Err(e) => return refuse(db, user, id, clock, &form, &e).await,
        };
    let now = clock.now();
    let mut tx = db.begin().await?;
    if db::followups::move_due(&mut tx, id, due, now).await? {
        db::followups::record_change(
            &mut tx,
            id,
            Change::Moved {
                from: row.due_on,
                to: due,
            },
            &reason,
            user.id,
            now,
        )
        .await?;
        let summary = format!(
            "Oppfølging flyttet fra {} til {}: {reason}",
            format_date(row.due_on),
            format_date(due)
        );
        record_change(
            &mut tx,
            &user.actor(),
            Action::Update,
            "followup",
            id,
            (row.patient_id, row.unit_id),
            &summary,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(done(format!("/followups/{id}"), "Fristen er flyttet."))
}

#[rocket::post("/followups/<id>/cancel", data = "<form>")]
async fn cancel(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<CloseForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let row = db::followups::get(db, user.read_scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(aid) = row.agreement_id.filter(|_| row.kind == "evaluation") {
        return Ok(agreement_owned(aid));
    }
    let reason = match cancel_reason(&form.cancel_reason) {
        Ok(r) => r,
        Err(e) => return refuse(db, user, id, clock, &form, &e).await,
    };
    let now = clock.now();
    let today = clock.today();
    let mut tx = db.begin().await?;
    if db::followups::close(&mut tx, id, Closing::Cancelled, today, &reason, now).await? {
        db::followups::record_change(&mut tx, id, Change::Cancelled, &reason, user.id, now).await?;
        let summary = format!("Oppfølging avlyst: {} ({reason})", row.concerns);
        record_change(
            &mut tx,
            &user.actor(),
            Action::Update,
            "followup",
            id,
            (row.patient_id, row.unit_id),
            &summary,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(done("/followups".into(), "Oppfølgingen er avlyst."))
}

#[derive(rocket::Responder)]
struct Ics {
    body: String,
    content_type: ContentType,
    disposition: Header<'static>,
}

#[rocket::get("/followups/<id>/calendar.ics")]
async fn calendar(
    user: Reader<'_>,
    id: i64,
    db: &State<Db>,
    clock: &State<Clock>,
    settings: &State<Settings>,
    config: &rocket::Config,
) -> AppResult<Ics> {
    let row = db::followups::get(db, user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    record_view(
        db,
        &user.actor(),
        "followup",
        id,
        (row.patient_id, row.unit_id),
        clock.now(),
    )
    .await?;
    let kind = label(choices::FOLLOWUP_KINDS, &row.kind);
    let body = calendar_event(
        id,
        kind,
        row.due_on,
        &settings.public_base(config),
        clock.now(),
    );
    Ok(Ics {
        body,
        content_type: ContentType::new("text", "calendar").with_params(("charset", "utf-8")),
        disposition: Header::new(
            "Content-Disposition",
            format!("attachment; filename=\"oppfolging-{id}.ics\""),
        ),
    })
}
