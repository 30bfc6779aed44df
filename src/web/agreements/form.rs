//! Creating an agreement pre-filled from the record, and editing it: a draft in place, an
//! agreement in force as a new version, both guarded by an optimistic lock.

use super::record::{self, Record};
use super::view::{content_of, form_page};
use super::{commit, current_version, load, schedule_evaluation};
use crate::clock::Clock;
use crate::db::access_log::Action;
use crate::db::agreements::{AgreementRow, Save};
use crate::db::patients::PatientRow;
use crate::db::{self, Db};
use crate::domain::agreement::lifecycle::{self, Step};
use crate::domain::agreement::prefill::{default_parties, prefill};
use crate::domain::agreement::{AgreementDraft, AgreementInput, Edit, Status};
use crate::domain::dates::format_datetime;
use crate::domain::validation::FieldErrors;
use crate::web::infra::csrf::CsrfForm;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::forms::Text;
use crate::web::infra::page::{done, invalid, Submitted};
use crate::web::infra::session::{CurrentUser, Worker};
use crate::web::infra::templates::Template;
use crate::web::patients::find;
use rand::Rng;
use rocket::{FromForm, State};
use serde::Serialize;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![new_page, create, edit_page, save]
}

/// The form as the browser sends it; `input()` hands it to the aggregate.
#[derive(Debug, Default, FromForm, Serialize)]
pub struct AgreementForm {
    lock: Text,
    relative_ids: Vec<String>,
    capacity: Text,
    represented_by: Text,
    contact_id: Text,
    deputy_id: Text,
    reachable: Text,
    background: Text,
    matters_patient: Text,
    matters_relative: Text,
    relative_does: Text,
    relative_declines: Text,
    service_patient: Text,
    service_relative: Text,
    contact_means: Vec<String>,
    contact_rhythm: Text,
    contact_frequency: Text,
    contact_initiative: Text,
    next_meeting_on: Text,
    referral_ids: Vec<String>,
    support_note: Text,
    decision_applied: Text,
    acute: Text,
    children: Text,
    evaluation_on: Text,
    valid_until: Text,
    within_consent: Vec<String>,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(AgreementForm);

impl AgreementForm {
    fn input(&self) -> AgreementInput {
        AgreementInput {
            lock: self.lock.0.clone(),
            relative_ids: self.relative_ids.clone(),
            capacity: self.capacity.0.clone(),
            represented_by: self.represented_by.0.clone(),
            contact_id: self.contact_id.0.clone(),
            deputy_id: self.deputy_id.0.clone(),
            reachable: self.reachable.0.clone(),
            background: self.background.0.clone(),
            matters_patient: self.matters_patient.0.clone(),
            matters_relative: self.matters_relative.0.clone(),
            relative_does: self.relative_does.0.clone(),
            relative_declines: self.relative_declines.0.clone(),
            service_patient: self.service_patient.0.clone(),
            service_relative: self.service_relative.0.clone(),
            contact_means: self.contact_means.clone(),
            contact_rhythm: self.contact_rhythm.0.clone(),
            contact_frequency: self.contact_frequency.0.clone(),
            contact_initiative: self.contact_initiative.0.clone(),
            next_meeting_on: self.next_meeting_on.0.clone(),
            referral_ids: self.referral_ids.clone(),
            support_note: self.support_note.0.clone(),
            decision_applied: self.decision_applied.is_on(),
            acute: self.acute.0.clone(),
            children: self.children.0.clone(),
            evaluation_on: self.evaluation_on.0.clone(),
            valid_until: self.valid_until.0.clone(),
            within_consent: self.within_consent.clone(),
        }
    }
}

/// The form again with what was typed and a message at each bad field.
fn refused(
    user: &CurrentUser,
    patient: &PatientRow,
    rec: &Record,
    a: Option<&AgreementRow>,
    input: &AgreementInput,
    errors: &FieldErrors,
) -> Submitted {
    let page = form_page(user, patient, rec, a, input);
    invalid(page, input, errors, "agreements/form")
}

pub fn new_document_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let mut part = || -> String {
        (0..4)
            .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
            .collect()
    };
    format!("{}-{}", part(), part())
}

fn save_of<'a>(
    draft: &'a AgreementDraft,
    json: &'a str,
    ids: &'a [i64],
    document_id: &'a str,
    user: &'a CurrentUser,
) -> Save<'a> {
    Save {
        content_json: json,
        contact_rhythm: draft.content.contact_rhythm.map_or("", |r| r.key()),
        relative_ids: ids,
        contact_person_id: draft.contact_id(),
        deputy_id: draft.deputy_id(),
        evaluation_on: draft.evaluation_on(),
        document_id,
        by: user.id,
        by_name: &user.name,
    }
}

fn json_of(draft: &AgreementDraft) -> AppResult<String> {
    serde_json::to_string(&draft.content).map_err(|e| AppError::Internal(e.to_string()))
}

#[rocket::get("/patients/<id>/agreements/new?<relative>")]
async fn new_page(
    user: Worker<'_>,
    id: i64,
    relative: Vec<i64>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Template> {
    let patient = find(db, user.read_scope(), id).await?;
    let today = clock.today();
    let rec = record::load(db, &patient, today).await?;
    let mut chosen: Vec<i64> = relative
        .into_iter()
        .filter(|r| {
            rec.context
                .relatives
                .iter()
                .any(|x| x.relative_id == *r && x.party_problem().is_none())
        })
        .collect();
    if chosen.is_empty() {
        chosen = default_parties(&rec.context.relatives);
    }
    let ctx = rec.prefill_context(db, &patient, &chosen, user.id).await?;
    let form = prefill(&ctx, today);
    Ok(form_page(&user, &patient, &rec, None, &form).render("agreements/form"))
}

#[rocket::post("/patients/<id>/agreements", data = "<form>")]
async fn create(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<AgreementForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let patient = find(db, user.read_scope(), id).await?;
    let today = clock.today();
    let rec = record::load(db, &patient, today).await?;
    let input = form.input();
    let draft = match AgreementDraft::parse(&input, &rec.context, today) {
        Ok(d) => d,
        Err(e) => return Ok(refused(&user, &patient, &rec, None, &input, &e)),
    };
    let json = json_of(&draft)?;
    let ids = draft.party_ids();
    let document_id = new_document_id();
    let now = clock.now();
    let mut tx = db.begin().await?;
    let save = save_of(&draft, &json, &ids, &document_id, &user);
    let aid = db::agreements::insert(&mut tx, id, &save, now).await?;
    let names: Vec<&str> = draft
        .content
        .parties
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    let summary = format!(
        "Pårørendeavtale med {} opprettet som utkast",
        names.join(", ")
    );
    commit(tx, &user, Action::Create, aid, &patient, &summary, now).await?;
    Ok(done(
        format!("/agreements/{aid}"),
        "Utkastet til pårørendeavtale er lagret. Når partene har signert, registrerer du signaturene nederst på siden.",
    ))
}

#[rocket::get("/agreements/<id>/edit")]
async fn edit_page(
    user: Worker<'_>,
    id: i64,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Template> {
    let (a, patient, status) = load(db, &user, id).await?;
    if lifecycle::transition_refusal(status, Step::Edit).is_some() {
        return Err(AppError::NotFound);
    }
    let content = content_of(&current_version(db, &a).await?)?;
    let rec = record::load(db, &patient, clock.today()).await?;
    // The agreement's own evaluation date, which an evaluation may have moved since the
    // version was written.
    let form = AgreementInput::of(&content, a.evaluation_on, a.lock_version);
    Ok(form_page(&user, &patient, &rec, Some(&a), &form)
        .with("legacy_capacity", &content.patient_capacity)
        .render("agreements/form"))
}

#[rocket::post("/agreements/<id>", data = "<form>")]
async fn save(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<AgreementForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let (a, patient, status) = load(db, &user, id).await?;
    let edit = match lifecycle::edit(status) {
        Ok(e) => e,
        Err(why) => return Ok(done(format!("/agreements/{id}"), why)),
    };
    let today = clock.today();
    let rec = record::load(db, &patient, today).await?;
    let input = form.input();
    let draft = match AgreementDraft::parse(&input, &rec.context, today) {
        Ok(d) => d,
        Err(e) => return Ok(refused(&user, &patient, &rec, Some(&a), &input, &e)),
    };
    let expected: i64 = input.lock.trim().parse().unwrap_or(-1);
    let current = current_version(db, &a).await?;
    // The version's own date is history; the agreement's date is the one compared.
    let mut stored = content_of(&current)?;
    stored.evaluation_on = a.evaluation_on;
    let unchanged = stored == draft.content;
    if edit == Edit::NewVersion && expected == a.lock_version && unchanged {
        return Ok(done(
            format!("/agreements/{id}"),
            "Ingen endringer å lagre. Avtalen er uendret.",
        ));
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    if !db::agreements::take_lock(&mut tx, id, expected, user.id, now).await? {
        drop(tx);
        return conflict(db, &user, &patient, &rec, id, input).await;
    }
    let summary = store_edit(&mut tx, &user, &a, edit, &draft, now).await?;
    commit(tx, &user, Action::Update, id, &patient, &summary, now).await?;
    let message = if status == Status::Draft {
        "Utkastet er lagret."
    } else {
        "Endringene er lagret som en ny versjon. Den nye versjonen må signeres av partene."
    };
    Ok(done(format!("/agreements/{id}"), message))
}

/// Stores an edit after the lock was taken: a draft in place, or a new version of an
/// agreement in force with its evaluation follow-up kept in step. Returns the summary for
/// the patient's history.
async fn store_edit(
    tx: &mut crate::db::Tx,
    user: &CurrentUser,
    a: &AgreementRow,
    edit: Edit,
    draft: &AgreementDraft,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<String> {
    let json = json_of(draft)?;
    let ids = draft.party_ids();
    let document_id = new_document_id();
    let save = save_of(draft, &json, &ids, &document_id, user);
    if edit == Edit::InPlace {
        db::agreements::update_draft(tx, a.id, &save, now).await?;
        return Ok("Utkast til pårørendeavtale endret".to_string());
    }
    let number = a.current_version + 1;
    db::agreements::add_version(tx, a.id, number, &save, now).await?;
    if let Some(due) = draft.evaluation_on() {
        schedule_evaluation(tx, user, a, &draft.content, due, false, now).await?;
    }
    Ok(format!("Pårørendeavtale endret: versjon {number}"))
}

/// Somebody saved in between: the form again with what this user typed and the newest
/// lock, so a deliberate second save goes through.
async fn conflict(
    db: &Db,
    user: &CurrentUser,
    patient: &PatientRow,
    rec: &Record,
    id: i64,
    mut input: AgreementInput,
) -> AppResult<Submitted> {
    let fresh = db::agreements::get(db, user.read_scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::new();
    errors.add(
        "lock",
        format!(
            "{} lagret endringer i avtalen {} etter at du åpnet den. Det du skrev er ikke lagret, men står i skjemaet under. Se gjennom avtalen og lagre på nytt hvis endringene dine fortsatt skal gjelde.",
            fresh.updated_by_name.as_deref().unwrap_or("En annen bruker"),
            format_datetime(fresh.updated_at)
        ),
    );
    input.lock = fresh.lock_version.to_string();
    let page = form_page(user, patient, rec, Some(&fresh), &input);
    Ok(Submitted::Invalid(
        page.with("errors", &errors)
            .with("conflict", true)
            .render("agreements/form"),
    ))
}
