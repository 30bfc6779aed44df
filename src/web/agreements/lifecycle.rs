//! The agreement's lifecycle on the web: signing (draft → active, or a new version in
//! force), evaluation (continue, revise or end), ending with date and reason, and deleting
//! a draft. Each handler asks `domain::agreement::lifecycle` whether the step is allowed.

use super::record;
use super::view::{content_of, show_page};
use super::{load, schedule_evaluation};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::access_log::Action;
use crate::db::agreements::{AgreementRow, NewEvaluation};
use crate::db::{self, Db, Tx};
use crate::domain::agreement::lifecycle::{
    self as rules, concurrent_change, ActivationFacts, Ending, Evaluation, EvaluationInput,
    SignatureInput, Step,
};
use crate::domain::agreement::{Outcome, Signatures, Status, OUTCOMES};
use crate::domain::choices::label;
use crate::domain::dates::format_date;
use crate::domain::followup::Change;
use crate::domain::validation::FieldErrors;
use crate::web::csrf::CsrfForm;
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{CsrfOnly, Text};
use crate::web::page::{done, invalid, Submitted};
use crate::web::record_change;
use crate::web::session::Worker;
use chrono::{DateTime, NaiveDate, Utc};
use rocket::response::{Flash, Redirect};
use rocket::{FromForm, State};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![sign, evaluate, end, delete]
}

/// The agreement page again, with what was typed and a message at each bad field.
async fn refused(
    db: &Db,
    user: &Worker<'_>,
    id: i64,
    clock: &Clock,
    settings: &Settings,
    typed: impl serde::Serialize,
    errors: &FieldErrors,
) -> AppResult<Submitted> {
    let page = show_page(db, user, id, clock, settings).await?;
    Ok(invalid(page, typed, errors, "agreements/show"))
}

fn ok(id: i64, message: &str) -> Submitted {
    done(format!("/agreements/{id}"), message)
}

fn refusal(id: i64, why: &str) -> Submitted {
    Submitted::Done(Flash::error(
        Redirect::to(format!("/agreements/{id}")),
        why.to_string(),
    ))
}

#[derive(Debug, FromForm, serde::Serialize)]
struct SignForm {
    relative_signed_on: Text,
    service_signed_on: Text,
    patient_signed_on: Text,
    patient_not_signed_reason: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(SignForm);

#[rocket::post("/agreements/<id>/sign", data = "<form>")]
async fn sign(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<SignForm>,
    db: &State<Db>,
    clock: &State<Clock>,
    settings: &State<Settings>,
) -> AppResult<Submitted> {
    let (a, patient, status) = load(db, &user, id).await?;
    let version = db::agreements::version(db, id, a.current_version)
        .await?
        .ok_or(AppError::NotFound)?;
    let next = match rules::sign(status, version.signed()) {
        Ok(next) => next,
        Err(why) => return Ok(refusal(id, why)),
    };
    let (sig, mut e) = Signatures::parse(&SignatureInput {
        relative_signed_on: &form.relative_signed_on,
        service_signed_on: &form.service_signed_on,
        patient_signed_on: &form.patient_signed_on,
        patient_not_signed_reason: &form.patient_not_signed_reason,
    });
    let today = clock.today();
    let content = content_of(&version)?;
    let rec = record::load(db, &patient, today).await?;
    let facts = ActivationFacts {
        evaluation_on: a.evaluation_on,
        children_without_followup: rec.children_without_followup(db).await?,
    };
    for (field, message) in rules::activation_problems(&content, &sig, &facts, today) {
        e.add(field, message);
    }
    if !e.is_empty() {
        return refused(db, &user, id, clock, settings, &form.0, &e).await;
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    db::agreements::sign_version(&mut tx, id, version.number, &sig).await?;
    let due = a.evaluation_on;
    let summary = if status == Status::Draft {
        if !db::agreements::set_status(&mut tx, id, status, next, now).await? {
            return Ok(refusal(id, concurrent_change()));
        }
        let signed_on = sig.signed_on().unwrap_or(today);
        db::agreements::set_activated(&mut tx, id, signed_on).await?;
        if let Some(due) = due {
            schedule_evaluation(&mut tx, &user, &a, &content, due, true, now).await?;
        }
        format!(
            "Pårørendeavtale signert {} og aktiv, evaluering {}",
            format_date(signed_on),
            due.map(format_date).unwrap_or_default()
        )
    } else {
        if let Some(due) = due {
            schedule_evaluation(&mut tx, &user, &a, &content, due, false, now).await?;
        }
        format!("Versjon {} av pårørendeavtalen signert", version.number)
    };
    let target = (patient.id, patient.unit_id);
    record_change(
        &mut tx,
        &user,
        Action::Update,
        "agreement",
        id,
        target,
        &summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(ok(
        id,
        if status == Status::Draft {
            "Avtalen er signert og aktiv. Evalueringen ligger på kontaktpersonens oppfølgingsliste."
        } else {
            "Signaturene for den nye versjonen er registrert."
        },
    ))
}

#[derive(Debug, FromForm, serde::Serialize)]
struct EvaluateForm {
    evaluated_on: Text,
    participants: Text,
    outcome: Text,
    note: Text,
    next_evaluation_on: Text,
    meeting_id: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(EvaluateForm);

/// Closes the open evaluation follow-up, if any.
async fn close_followup(
    tx: &mut Tx,
    a: &AgreementRow,
    evaluated: bool,
    on: NaiveDate,
    note: &str,
    by: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if let Some((fid, _, _)) = db::agreements::open_evaluation_followup(tx, a.id).await? {
        let (status, change) = if evaluated {
            ("done", Change::Done { on })
        } else {
            ("cancelled", Change::Cancelled)
        };
        db::followups::close(tx, fid, status, on, note, now).await?;
        db::followups::record_change(tx, fid, change, note, by, now).await?;
    }
    Ok(())
}

#[rocket::post("/agreements/<id>/evaluate", data = "<form>")]
async fn evaluate(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<EvaluateForm>,
    db: &State<Db>,
    clock: &State<Clock>,
    settings: &State<Settings>,
) -> AppResult<Submitted> {
    let (a, patient, status) = load(db, &user, id).await?;
    if let Some(why) = rules::transition_refusal(status, Step::Evaluate) {
        return Ok(refusal(id, why));
    }
    let today = clock.today();
    let meetings: Vec<i64> = db::meetings::for_patient(db, patient.id)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let input = EvaluationInput {
        evaluated_on: &form.evaluated_on,
        participants: &form.participants,
        outcome: &form.outcome,
        note: &form.note,
        next_evaluation_on: &form.next_evaluation_on,
        meeting_id: &form.meeting_id,
    };
    let ev = match Evaluation::parse(&input, &meetings, today) {
        Ok(ev) => ev,
        Err(e) => return refused(db, &user, id, clock, settings, &form.0, &e).await,
    };
    let next_status = match rules::evaluate(status, ev.outcome) {
        Ok(s) => s,
        Err(why) => return Ok(refusal(id, why)),
    };
    let version = db::agreements::version(db, id, a.current_version)
        .await?
        .ok_or(AppError::NotFound)?;
    let content = content_of(&version)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    if !db::agreements::set_status(&mut tx, id, status, next_status, now).await? {
        return Ok(refusal(id, concurrent_change()));
    }
    let key = ev.outcome.key();
    let new = NewEvaluation {
        version_number: a.current_version,
        evaluated_on: ev.on,
        outcome: key,
        participants: &ev.participants,
        note: &ev.note,
        next_evaluation_on: ev.next,
        meeting_id: ev.meeting_id,
    };
    db::agreements::add_evaluation(&mut tx, id, &new, (user.id, &user.name), now).await?;
    let outcome_label = label(OUTCOMES, key);
    let note = format!("Evaluert: {outcome_label}");
    close_followup(&mut tx, &a, true, ev.on, &note, user.id, now).await?;
    match ev.next {
        Some(next) => {
            db::agreements::set_evaluation_on(&mut tx, id, next).await?;
            schedule_evaluation(&mut tx, &user, &a, &content, next, true, now).await?;
        }
        None => db::agreements::set_ended(&mut tx, id, ev.on, &ev.note).await?,
    }
    let summary = format!(
        "Pårørendeavtale evaluert {}: {outcome_label}",
        format_date(ev.on)
    );
    let target = (patient.id, patient.unit_id);
    record_change(
        &mut tx,
        &user,
        Action::Update,
        "agreement",
        id,
        target,
        &summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(match ev.outcome {
        Outcome::Revise => done(
            format!("/agreements/{id}/edit"),
            "Evalueringen er registrert. Gjør endringene i avtalen under; de lagres som en ny versjon.",
        ),
        Outcome::Continue => ok(id, "Evalueringen er registrert, og neste evaluering ligger på oppfølgingslisten."),
        Outcome::End => ok(id, "Evalueringen er registrert, og avtalen er avsluttet."),
    })
}

#[derive(Debug, FromForm, serde::Serialize)]
struct EndForm {
    ended_on: Text,
    end_reason: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(EndForm);

#[rocket::post("/agreements/<id>/end", data = "<form>")]
async fn end(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<EndForm>,
    db: &State<Db>,
    clock: &State<Clock>,
    settings: &State<Settings>,
) -> AppResult<Submitted> {
    let (a, patient, status) = load(db, &user, id).await?;
    let next = match rules::end(status) {
        Ok(s) => s,
        Err(why) => return Ok(refusal(id, why)),
    };
    let ending = match Ending::parse(&form.ended_on, &form.end_reason, clock.today()) {
        Ok(x) => x,
        Err(e) => return refused(db, &user, id, clock, settings, &form.0, &e).await,
    };
    let now = clock.now();
    let mut tx = db.begin().await?;
    if !db::agreements::set_status(&mut tx, id, status, next, now).await? {
        return Ok(refusal(id, concurrent_change()));
    }
    db::agreements::set_ended(&mut tx, id, ending.on, &ending.reason).await?;
    let note = "Pårørendeavtalen er avsluttet";
    close_followup(&mut tx, &a, false, ending.on, note, user.id, now).await?;
    let summary = format!("Pårørendeavtale avsluttet {}", format_date(ending.on));
    let target = (patient.id, patient.unit_id);
    record_change(
        &mut tx,
        &user,
        Action::Update,
        "agreement",
        id,
        target,
        &summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(ok(id, "Avtalen er avsluttet."))
}

#[rocket::post("/agreements/<id>/delete", data = "<form>")]
async fn delete(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<CsrfOnly>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let _ = form;
    let (_, patient, status) = load(db, &user, id).await?;
    if let Some(why) = rules::transition_refusal(status, Step::Delete) {
        return Ok(refusal(id, why));
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    if !db::agreements::delete_draft(&mut tx, id).await? {
        return Ok(refusal(id, "Bare utkast kan slettes."));
    }
    let target = (patient.id, patient.unit_id);
    let summary = "Utkast til pårørendeavtale slettet";
    record_change(
        &mut tx,
        &user,
        Action::Delete,
        "agreement",
        id,
        target,
        summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        format!("/patients/{}", patient.id),
        "Utkastet er slettet.",
    ))
}
