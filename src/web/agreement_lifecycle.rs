//! The agreement's lifecycle: signing (draft → active, or a new version in force), evaluation
//! (continue, revise or end), ending with date and reason, and deleting a draft.

use super::agreement_view::show_page;
use super::agreements::{content_of, create_evaluation_followup, load, sync_evaluation_followup};
use super::csrf::CsrfForm;
use super::error::{AppError, AppResult};
use super::forms::{CsrfOnly, Text};
use super::page::{done, invalid, Submitted};
use super::record_change;
use super::session::Worker;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::access_log::Action;
use crate::db::agreements::{AgreementRow, NewEvaluation};
use crate::db::{self, Db, Tx};
use crate::domain::agreement::{self as rules, Outcome, Signatures, Status};
use crate::domain::dates::format_date;
use crate::domain::forms as f;
use crate::domain::validation::FieldErrors;
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
    if status == Status::Ended || version.signed() {
        let why = rules::transition_refusal(status, "sign")
            .unwrap_or("Denne versjonen er allerede signert.");
        return Ok(refusal(id, why));
    }
    let mut e = FieldErrors::new();
    let sig = Signatures {
        relative_on: f::date(&mut e, "relative_signed_on", &form.relative_signed_on, None),
        service_on: f::date(&mut e, "service_signed_on", &form.service_signed_on, None),
        patient_on: f::date(&mut e, "patient_signed_on", &form.patient_signed_on, None),
        patient_reason: f::line(
            &mut e,
            "patient_not_signed_reason",
            &form.patient_not_signed_reason,
            500,
            None,
        ),
    };
    let today = clock.today();
    let mut content = content_of(&version);
    if status.in_force() {
        content.evaluation_on = a.evaluation_on;
    }
    for (field, message) in rules::activation_problems(&content, &sig, today) {
        e.add(field, message);
    }
    if !e.is_empty() {
        return refused(db, &user, id, clock, settings, &form.0, &e).await;
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    db::agreements::sign_version(&mut tx, id, version.number, &sig).await?;
    let summary = if status == Status::Draft {
        if !db::agreements::set_status(&mut tx, id, &["draft"], "active", now).await? {
            return Ok(refusal(
                id,
                "Avtalen ble endret samtidig. Last siden på nytt og prøv igjen.",
            ));
        }
        let signed_on = sig.signed_on().unwrap_or(today);
        db::agreements::set_activated(&mut tx, id, signed_on).await?;
        if let Some(due) = content.evaluation_on {
            create_evaluation_followup(&mut tx, &user, &a, &content, due, now).await?;
        }
        format!(
            "Pårørendeavtale signert {} og aktiv, evaluering {}",
            format_date(signed_on),
            content.evaluation_on.map(format_date).unwrap_or_default()
        )
    } else {
        sync_evaluation_followup(&mut tx, &user, &a, &content, now).await?;
        format!("Versjon {} av pårørendeavtalen signert", version.number)
    };
    record_change(
        &mut tx,
        &user,
        Action::Update,
        "agreement",
        id,
        (patient.id, patient.unit_id),
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
    status: &str,
    on: NaiveDate,
    note: &str,
    by: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if let Some((fid, _, _)) = db::agreements::open_evaluation_followup(tx, a.id).await? {
        db::followups::close(tx, fid, status, on, note, now).await?;
        let change = if status == "done" {
            "done"
        } else {
            "cancelled"
        };
        db::followups::record_change(tx, fid, change, "", "", note, by, now).await?;
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
    if let Some(why) = rules::transition_refusal(status, "evaluate") {
        return Ok(refusal(id, why));
    }
    let today = clock.today();
    let mut e = FieldErrors::new();
    let on = f::date(
        &mut e,
        "evaluated_on",
        &form.evaluated_on,
        Some("Skriv datoen for evalueringen."),
    );
    if on.is_some_and(|d| d > today) {
        e.add(
            "evaluated_on",
            "Evalueringen kan ikke registreres fram i tid.",
        );
    }
    let participants = f::line(&mut e, "participants", &form.participants, 500, None);
    let outcome = Outcome::parse(&form.outcome);
    if outcome.is_none() {
        e.add("outcome", "Velg utfallet av evalueringen.");
    }
    let note = f::text(&mut e, "note", &form.note, 10_000);
    if outcome == Some(Outcome::End) && note.trim().is_empty() {
        e.add("note", "Skriv hvorfor avtalen avsluttes.");
    }
    let next = f::date(&mut e, "next_evaluation_on", &form.next_evaluation_on, None);
    if matches!(outcome, Some(Outcome::Continue | Outcome::Revise)) {
        match next {
            None if !e.has("next_evaluation_on") => {
                e.add("next_evaluation_on", "Skriv datoen for neste evaluering.")
            }
            Some(d) => {
                if let Some(p) = rules::evaluation_date_problem(d, on.unwrap_or(today), today) {
                    e.add("next_evaluation_on", p);
                }
            }
            None => {}
        }
    }
    let meetings = db::meetings::for_patient(db, patient.id).await?;
    let meeting_id = match form.meeting_id.trim() {
        "" => None,
        raw => {
            let found = raw
                .parse::<i64>()
                .ok()
                .filter(|mid| meetings.iter().any(|m| m.id == *mid));
            if found.is_none() {
                e.add("meeting_id", "Velg et møte fra listen.");
            }
            found
        }
    };
    let (Some(on), Some(outcome)) = (on, outcome) else {
        return refused(db, &user, id, clock, settings, &form.0, &e).await;
    };
    if !e.is_empty() {
        return refused(db, &user, id, clock, settings, &form.0, &e).await;
    }
    let now = clock.now();
    let next = if outcome == Outcome::End { None } else { next };
    let mut tx = db.begin().await?;
    let to = outcome.next_status().as_str();
    if !db::agreements::set_status(&mut tx, id, &["active", "evaluated"], to, now).await? {
        return Ok(refusal(
            id,
            "Avtalen ble endret samtidig. Last siden på nytt og prøv igjen.",
        ));
    }
    let key = match outcome {
        Outcome::Continue => "continue",
        Outcome::Revise => "revise",
        Outcome::End => "end",
    };
    db::agreements::add_evaluation(
        &mut tx,
        id,
        &NewEvaluation {
            version_number: a.current_version,
            evaluated_on: on,
            outcome: key,
            participants: &participants,
            note: &note,
            next_evaluation_on: next,
            meeting_id,
        },
        (user.id, &user.name),
        now,
    )
    .await?;
    let outcome_label = crate::domain::choices::label(rules::OUTCOMES, key);
    close_followup(
        &mut tx,
        &a,
        "done",
        on,
        &format!("Evaluert: {outcome_label}"),
        user.id,
        now,
    )
    .await?;
    let version = db::agreements::version(db, id, a.current_version)
        .await?
        .ok_or(AppError::NotFound)?;
    let content = content_of(&version);
    match next {
        Some(next) => {
            db::agreements::set_evaluation_on(&mut tx, id, next).await?;
            create_evaluation_followup(&mut tx, &user, &a, &content, next, now).await?;
        }
        None => db::agreements::set_ended(&mut tx, id, on, &note).await?,
    }
    record_change(
        &mut tx,
        &user,
        Action::Update,
        "agreement",
        id,
        (patient.id, patient.unit_id),
        &format!(
            "Pårørendeavtale evaluert {}: {outcome_label}",
            format_date(on)
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(match outcome {
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
    if let Some(why) = rules::transition_refusal(status, "end") {
        return Ok(refusal(id, why));
    }
    let today = clock.today();
    let mut e = FieldErrors::new();
    let on = f::date(
        &mut e,
        "ended_on",
        &form.ended_on,
        Some("Skriv datoen avtalen avsluttes."),
    );
    if on.is_some_and(|d| d > today) {
        e.add("ended_on", "Sluttdatoen kan ikke være fram i tid.");
    }
    let reason = f::text(&mut e, "end_reason", &form.end_reason, 2000);
    if reason.trim().is_empty() {
        e.add("end_reason", "Skriv hvorfor avtalen avsluttes.");
    }
    let Some(on) = on.filter(|_| e.is_empty()) else {
        return refused(db, &user, id, clock, settings, &form.0, &e).await;
    };
    let now = clock.now();
    let mut tx = db.begin().await?;
    if !db::agreements::set_status(&mut tx, id, &["active", "evaluated"], "ended", now).await? {
        return Ok(refusal(
            id,
            "Avtalen ble endret samtidig. Last siden på nytt og prøv igjen.",
        ));
    }
    db::agreements::set_ended(&mut tx, id, on, &reason).await?;
    close_followup(
        &mut tx,
        &a,
        "cancelled",
        on,
        "Pårørendeavtalen er avsluttet",
        user.id,
        now,
    )
    .await?;
    record_change(
        &mut tx,
        &user,
        Action::Update,
        "agreement",
        id,
        (patient.id, patient.unit_id),
        &format!("Pårørendeavtale avsluttet {}", format_date(on)),
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
    if let Some(why) = rules::transition_refusal(status, "delete") {
        return Ok(refusal(id, why));
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    if !db::agreements::delete_draft(&mut tx, id).await? {
        return Ok(refusal(id, "Bare utkast kan slettes."));
    }
    record_change(
        &mut tx,
        &user,
        Action::Delete,
        "agreement",
        id,
        (patient.id, patient.unit_id),
        "Utkast til pårørendeavtale slettet",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        format!("/patients/{}", patient.id),
        "Utkastet er slettet.",
    ))
}
