//! The agreement's lifecycle on the web: signing (draft → active, or a new version in
//! force), evaluation (continue, revise or end), ending with date and reason, and deleting
//! a draft. Each handler asks `domain::agreement::lifecycle` whether the step is allowed.

use super::record;
use super::view::{content_of, show_page};
use super::{commit, current_version, load, schedule_contacts, schedule_evaluation};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::access_log::Action;
use crate::db::agreements::{AgreementRow, NewEvaluation, VersionRow};
use crate::db::{self, Db, Tx};
use crate::domain::agreement::lifecycle::{
    self as rules, ActivationFacts, Ending, Evaluation, EvaluationInput, SignatureInput, Step,
    CONCURRENT_CHANGE,
};
use crate::domain::agreement::{Content, Outcome, Signatures, Status, OUTCOMES};
use crate::domain::choices::label;
use crate::domain::dates::{format_date, oslo_date};
use crate::domain::followup::{Change, Closing};
use crate::domain::validation::FieldErrors;
use crate::web::infra::csrf::CsrfForm;
use crate::web::infra::error::AppResult;
use crate::web::infra::forms::{CsrfOnly, Text};
use crate::web::infra::page::{done, invalid, Submitted};
use crate::web::infra::session::Worker;
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
    let version = current_version(db, &a).await?;
    let next = match rules::sign(status, version.signed()) {
        Ok(next) => next,
        Err(why) => return Ok(refusal(id, why)),
    };
    let (sig, mut e) = Signatures::parse(&form.input());
    let today = clock.today();
    let content = content_of(&version)?;
    let facts = activation_facts(db, &patient, &a, today).await?;
    for (field, message) in rules::activation_problems(&content, &sig, &facts, today) {
        e.add(field, message);
    }
    if !e.is_empty() {
        return refused(db, &user, id, clock, settings, &form.0, &e).await;
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    let Some(summary) = store_signing(
        &mut tx,
        &user,
        &a,
        (status, next),
        (&version, &content),
        &sig,
        now,
    )
    .await?
    else {
        return Ok(refusal(id, CONCURRENT_CHANGE));
    };
    commit(tx, &user, Action::Update, id, &patient, &summary, now).await?;
    Ok(ok(
        id,
        if status == Status::Draft {
            "Avtalen er signert og aktiv. Evalueringen ligger på kontaktpersonens oppfølgingsliste."
        } else {
            "Signaturene for den nye versjonen er registrert."
        },
    ))
}

impl SignForm {
    fn input(&self) -> SignatureInput<'_> {
        SignatureInput {
            relative_signed_on: &self.relative_signed_on,
            service_signed_on: &self.service_signed_on,
            patient_signed_on: &self.patient_signed_on,
            patient_not_signed_reason: &self.patient_not_signed_reason,
        }
    }
}

/// What the record says today that signing depends on.
async fn activation_facts(
    db: &Db,
    patient: &crate::db::patients::PatientRow,
    a: &AgreementRow,
    today: NaiveDate,
) -> AppResult<ActivationFacts> {
    let rec = record::load(db, patient, today).await?;
    Ok(ActivationFacts {
        evaluation_on: a.evaluation_on,
        children_without_followup: rec.children_without_followup(db).await?,
        unit: db::org::unit(db, patient.unit_id)
            .await?
            .map(|u| u.contact())
            .unwrap_or_default(),
    })
}

/// Stores the signatures; a draft becomes active with its evaluation on the contact
/// person's list, a new version keeps the evaluation in step. Returns the summary for the
/// patient's history, or None when somebody changed the status in between.
async fn store_signing(
    tx: &mut Tx,
    user: &Worker<'_>,
    a: &AgreementRow,
    (from, to): (Status, Status),
    (version, content): (&VersionRow, &Content),
    sig: &Signatures,
    now: DateTime<Utc>,
) -> AppResult<Option<String>> {
    db::agreements::sign_version(tx, a.id, version.number, sig).await?;
    let activated = from == Status::Draft;
    if activated {
        if !db::agreements::set_status(tx, a.id, from, to, now).await? {
            return Ok(None);
        }
        let signed_on = sig.signed_on().unwrap_or(oslo_date(now));
        db::agreements::set_activated(tx, a.id, signed_on).await?;
    }
    if let Some(due) = a.evaluation_on {
        schedule_evaluation(tx, user, a, content, due, activated, now).await?;
    }
    let signed_on = sig.signed_on().unwrap_or(oslo_date(now));
    schedule_contacts(tx, user, a, content, signed_on, now).await?;
    Ok(Some(if activated {
        format!(
            "Pårørendeavtale signert {} og aktiv, evaluering {}",
            sig.signed_on().map(format_date).unwrap_or_default(),
            a.evaluation_on.map(format_date).unwrap_or_default()
        )
    } else {
        format!("Versjon {} av pårørendeavtalen signert", version.number)
    }))
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
        let (closing, change) = if evaluated {
            (Closing::Done, Change::Done { on })
        } else {
            (Closing::Cancelled, Change::Cancelled)
        };
        db::followups::close(tx, fid, closing, on, note, now).await?;
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
    let meetings: Vec<i64> = db::meetings::for_patient(db, patient.id)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let ev = match Evaluation::parse(&form.input(), &meetings, clock.today()) {
        Ok(ev) => ev,
        Err(e) => return refused(db, &user, id, clock, settings, &form.0, &e).await,
    };
    let next = match rules::evaluate(status, ev.outcome) {
        Ok(s) => s,
        Err(why) => return Ok(refusal(id, why)),
    };
    let content = content_of(&current_version(db, &a).await?)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    if !store_evaluation(&mut tx, &user, &a, (status, next), &ev, &content, now).await? {
        return Ok(refusal(id, CONCURRENT_CHANGE));
    }
    let summary = format!(
        "Pårørendeavtale evaluert {}: {}",
        format_date(ev.on),
        label(OUTCOMES, ev.outcome.key())
    );
    commit(tx, &user, Action::Update, id, &patient, &summary, now).await?;
    Ok(match ev.outcome {
        Outcome::Revise => done(
            format!("/agreements/{id}/edit"),
            "Evalueringen er registrert. Gjør endringene i avtalen under; de lagres som en ny versjon.",
        ),
        Outcome::Continue => ok(id, "Evalueringen er registrert, og neste evaluering ligger på oppfølgingslisten."),
        Outcome::End => ok(id, "Evalueringen er registrert, og avtalen er avsluttet."),
    })
}

impl EvaluateForm {
    fn input(&self) -> EvaluationInput<'_> {
        EvaluationInput {
            evaluated_on: &self.evaluated_on,
            participants: &self.participants,
            outcome: &self.outcome,
            note: &self.note,
            next_evaluation_on: &self.next_evaluation_on,
            meeting_id: &self.meeting_id,
        }
    }
}

/// Stores an evaluation: the new status, the evaluation itself, the evaluation follow-up
/// done, and either the next evaluation (the agreement's one date, and a new follow-up) or
/// the end. False when somebody changed the status in between.
async fn store_evaluation(
    tx: &mut Tx,
    user: &Worker<'_>,
    a: &AgreementRow,
    (from, to): (Status, Status),
    ev: &Evaluation,
    content: &Content,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    if !db::agreements::set_status(tx, a.id, from, to, now).await? {
        return Ok(false);
    }
    let new = NewEvaluation {
        version_number: a.current_version,
        evaluated_on: ev.on,
        outcome: ev.outcome.key(),
        participants: &ev.participants,
        note: &ev.note,
        next_evaluation_on: ev.next,
        meeting_id: ev.meeting_id,
    };
    db::agreements::add_evaluation(tx, a.id, &new, (user.id, &user.name), now).await?;
    let note = format!("Evaluert: {}", label(OUTCOMES, ev.outcome.key()));
    close_followup(tx, a, true, ev.on, &note, user.id, now).await?;
    match ev.next {
        Some(next) => {
            db::agreements::set_evaluation_on(tx, a.id, next).await?;
            schedule_evaluation(tx, user, a, content, next, true, now).await?;
        }
        None => {
            db::agreements::set_ended(tx, a.id, ev.on, &ev.note).await?;
            let ended = "Pårørendeavtalen er avsluttet etter evaluering";
            db::agreements::cancel_contact_followups(tx, a.id, ended, user.id, now).await?;
        }
    }
    Ok(true)
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
        return Ok(refusal(id, CONCURRENT_CHANGE));
    }
    db::agreements::set_ended(&mut tx, id, ending.on, &ending.reason).await?;
    let note = "Pårørendeavtalen er avsluttet";
    close_followup(&mut tx, &a, false, ending.on, note, user.id, now).await?;
    db::agreements::cancel_contact_followups(&mut tx, id, note, user.id, now).await?;
    let summary = format!("Pårørendeavtale avsluttet {}", format_date(ending.on));
    commit(tx, &user, Action::Update, id, &patient, &summary, now).await?;
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
    let summary = "Utkast til pårørendeavtale slettet";
    commit(tx, &user, Action::Delete, id, &patient, summary, now).await?;
    Ok(done(
        format!("/patients/{}", patient.id),
        "Utkastet er slettet.",
    ))
}
