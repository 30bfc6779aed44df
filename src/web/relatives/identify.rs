//! Identify (Identifisere), continued: the follow-up of child relatives, and the explicit
//! outcome when there is nobody to involve.

use crate::audit::record_change;
use crate::clock::Clock;
use crate::db::access_log::Action;
use crate::db::relatives::RelativeRow;
use crate::db::{self, Db};
use crate::domain::children::{self, ChildFollowup, ChildFollowupFields};
use crate::domain::choices::{self, label};
use crate::domain::forms as f;
use crate::domain::patient::Outcome;
use crate::domain::relative::is_child;
use crate::domain::validation::FieldErrors;
use crate::web::infra::csrf::CsrfForm;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::forms::{CsrfOnly, Text};
use crate::web::infra::page::choice_list;
use crate::web::infra::page::{done, invalid, Page, Submitted};
use crate::web::infra::session::Worker;
use crate::web::infra::templates::Template;
use crate::web::patients::find;
use crate::web::relatives::find_relative;
use rocket::{FromForm, State};
use serde::Serialize;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        child_page,
        save_child,
        set_outcome,
        clear_outcome,
        set_minor_children
    ]
}

#[derive(Debug, Default, FromForm, Serialize)]
struct ChildForm {
    informed: Text,
    informed_how: Text,
    follower: Text,
    services: Vec<String>,
    concern: Text,
    concern_action: Text,
    care_tasks: Text,
    care_tasks_note: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(ChildForm);

async fn child_form_page(user: &Worker<'_>, r: &RelativeRow) -> Page {
    Page::new("Oppfølging av barn som pårørende", Some(user))
        .with("relative", r)
        .with("informed_choices", choice_list(choices::CHILD_INFORMED))
        .with("service_choices", choice_list(choices::CHILD_SERVICES))
        .with("concern_choices", choice_list(choices::YES_NO_UNSURE))
        .with("care_choices", choice_list(choices::YES_NO_UNSURE))
}

#[rocket::get("/relatives/<id>/child-followup")]
async fn child_page(
    user: Worker<'_>,
    id: i64,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Template> {
    let r = find_relative(db, user.read_scope(), id).await?;
    if !is_child(r.birth_date, &r.age_group, clock.today()) {
        return Err(AppError::NotFound);
    }
    Ok(child_form_page(&user, &r)
        .await
        .with("form", ChildForm::default())
        .render("relatives/child"))
}

#[rocket::post("/relatives/<id>/child-followup", data = "<form>")]
async fn save_child(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<ChildForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let r = find_relative(db, user.read_scope(), id).await?;
    if !is_child(r.birth_date, &r.age_group, clock.today()) {
        return Err(AppError::NotFound);
    }
    let services: Vec<&str> = form.services.iter().map(String::as_str).collect();
    let typed = ChildFollowupFields {
        informed: &form.informed,
        informed_how: &form.informed_how,
        follower: &form.follower,
        services: &services,
        concern: &form.concern,
        concern_action: &form.concern_action,
        care_tasks: &form.care_tasks,
        care_tasks_note: &form.care_tasks_note,
    };
    let input = match ChildFollowup::parse(&typed) {
        Ok(input) => input,
        Err(e) => {
            let page = child_form_page(&user, &r).await;
            return Ok(invalid(page, &form.0, &e, "relatives/child"));
        }
    };
    let now = clock.now();
    let mut tx = db.begin().await?;
    db::relatives::add_child_followup(&mut tx, id, &input, user.id, now).await?;
    let summary = format!("Oppfølging av barnet {} registrert", r.full_name);
    record_change(
        &mut tx,
        &user.actor(),
        Action::Create,
        "child_followup",
        id,
        (r.patient_id, r.unit_id),
        &summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        format!("/relatives/{id}"),
        "Oppfølgingen av barnet er registrert.",
    ))
}

#[derive(Debug, FromForm, Serialize)]
struct OutcomeForm {
    outcome: Text,
    outcome_on: Text,
    reason: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(OutcomeForm);

#[rocket::post("/patients/<id>/outcome", data = "<form>")]
async fn set_outcome(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<OutcomeForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let patient = find(db, user.read_scope(), id).await?;
    let parsed = Outcome::parse(&form.outcome, &form.outcome_on, &form.reason, clock.today());
    let Outcome {
        outcome,
        on,
        reason,
    } = match parsed {
        Ok(o) => o,
        Err(e) => {
            let page = crate::web::patients::show::step_view(
                db,
                &user,
                &patient,
                "identify",
                clock.today(),
            )
            .await?;
            return Ok(invalid(page, &form.0, &e, "routine/identify"));
        }
    };
    let now = clock.now();
    let mut tx = db.begin().await?;
    db::relatives::set_outcome(&mut tx, id, Some(&outcome), on, &reason).await?;
    let summary = format!(
        "Utfall av identifisering: {}",
        label(choices::OUTCOMES, &outcome)
    );
    record_change(
        &mut tx,
        &user.actor(),
        Action::Update,
        "identify_outcome",
        id,
        (id, patient.unit_id),
        &summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        format!("/patients/{id}/steps/identify"),
        "Utfallet er registrert.",
    ))
}

#[rocket::post("/patients/<id>/outcome/clear", data = "<_form>")]
async fn clear_outcome(
    user: Worker<'_>,
    id: i64,
    _form: CsrfForm<CsrfOnly>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let patient = find(db, user.read_scope(), id).await?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    db::relatives::set_outcome(&mut tx, id, None, None, "").await?;
    record_change(
        &mut tx,
        &user.actor(),
        Action::Update,
        "identify_outcome",
        id,
        (id, patient.unit_id),
        "Utfallet av identifiseringen er åpnet igjen",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        format!("/patients/{id}/steps/identify"),
        "Identifiseringen er åpnet igjen.",
    ))
}

#[derive(Debug, FromForm, Serialize)]
struct ChildrenForm {
    minor_children: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(ChildrenForm);

/// Whether the patient has minor children or siblings: asked for every patient, and
/// identification is not done until it is answered.
#[rocket::post("/patients/<id>/children", data = "<form>")]
async fn set_minor_children(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<ChildrenForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let patient = find(db, user.read_scope(), id).await?;
    let mut e = FieldErrors::new();
    let answer = f::choice(
        &mut e,
        "minor_children",
        &form.minor_children,
        children::ANSWERS,
        "Velg om pasienten har barn eller søsken under 18 år.",
    );
    if !e.is_empty() {
        let page =
            crate::web::patients::show::step_view(db, &user, &patient, "identify", clock.today())
                .await?;
        return Ok(invalid(page, &form.0, &e, "routine/identify"));
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    db::relatives::set_minor_children(&mut tx, id, &answer, clock.today()).await?;
    let summary = format!(
        "Barn eller søsken under 18 år: {}",
        label(children::ANSWERS, &answer).to_lowercase()
    );
    record_change(
        &mut tx,
        &user.actor(),
        Action::Update,
        "minor_children",
        id,
        (id, patient.unit_id),
        &summary,
        now,
    )
    .await?;
    tx.commit().await?;
    let message = match answer.as_str() {
        "yes" => "Svaret er registrert. Registrer barna eller søsknene som pårørende.",
        "unknown" => "Svaret er registrert. Det står som en oppgave til det er avklart.",
        _ => "Svaret er registrert.",
    };
    Ok(done(format!("/patients/{id}/steps/identify#barn"), message))
}
