//! The pårørendeavtale: creating it pre-filled from what is recorded, editing it (a draft in
//! place, an agreement in force as a new version, both guarded by an optimistic lock), and
//! showing and printing any version.

use super::csrf::CsrfForm;
use super::error::{AppError, AppResult};
use super::forms::Text;
use super::page::{done, invalid, Choice, Page, Submitted};
use super::patients::find;
use super::record_change;
use super::routine::{choice_list, relation_text, staff_choices};
use super::session::{CurrentUser, Worker};
use crate::clock::Clock;
use crate::db::access_log::Action;
use crate::db::agreements::{AgreementRow, Save, VersionRow};
use crate::db::followups::NewFollowup;
use crate::db::patients::PatientRow;
use crate::db::{self, Db, Tx};
use crate::domain::agreement::{
    self as rules, Content, Edit, Measure, Party, Sharing, Signatures, Staff, Status,
};
use crate::domain::choices::{self, label};
use crate::domain::dates::format_date;
use crate::domain::forms as f;
use crate::domain::validation::FieldErrors;
use chrono::{DateTime, NaiveDate, Utc};
use rand::Rng;
use rocket::{FromForm, State};
use rocket_dyn_templates::Template;
use serde::Serialize;
use std::collections::HashMap;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![new_page, create, edit_page, save]
}

const FIELDS: &[&str] = &[
    "lock",
    "relative_ids",
    "patient_capacity",
    "contact_id",
    "deputy_id",
    "reachable",
    "background",
    "matters_patient",
    "matters_relative",
    "relative_does",
    "relative_declines",
    "service_patient",
    "service_relative",
    "contact_means",
    "contact_frequency",
    "contact_initiative",
    "next_meeting_on",
    "referral_ids",
    "support_note",
    "acute",
    "children",
    "evaluation_on",
    "valid_until",
    "within_consent",
];

/// The longest text a section may hold.
const SECTION_MAX: usize = 20_000;

#[derive(Debug, Default, FromForm, Serialize)]
pub struct AgreementForm {
    lock: Text,
    relative_ids: Vec<String>,
    patient_capacity: Text,
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

/// Everything about a patient an agreement is built from.
struct Record {
    relatives: Vec<db::relatives::RelativeRow>,
    consents: HashMap<i64, db::relatives::ConsentRow>,
    referrals: Vec<db::support::ReferralRow>,
    staff: Vec<Choice>,
}

async fn record(db: &Db, patient: &PatientRow) -> AppResult<Record> {
    Ok(Record {
        relatives: db::relatives::for_patient(db, patient.id).await?,
        consents: db::relatives::current_consents(db, patient.id)
            .await?
            .into_iter()
            .map(|c| (c.relative_id, c))
            .collect(),
        referrals: db::support::referrals_for_patient(db, patient.id).await?,
        staff: staff_choices(db, patient.unit_id).await?,
    })
}

fn scope_of(consent: Option<&db::relatives::ConsentRow>) -> (String, String) {
    match consent {
        Some(c) => (c.scope.clone(), c.topics.clone()),
        None => ("missing".into(), String::new()),
    }
}

async fn staff(db: &Db, id: Option<i64>) -> AppResult<Option<Staff>> {
    let Some(id) = id else { return Ok(None) };
    Ok(db::users::by_id(db, id).await?.map(|u| Staff {
        user_id: u.id,
        name: u.name,
        phone: u.phone.unwrap_or_default(),
    }))
}

fn pick_id(
    e: &mut FieldErrors,
    field: &str,
    raw: &str,
    allowed: &[Choice],
    msg: &str,
) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let id = raw
        .parse::<i64>()
        .ok()
        .filter(|_| allowed.iter().any(|c| c.value == raw));
    if id.is_none() {
        e.add(field, msg);
    }
    id
}

/// Parses the form into the contents of a version, with a message for each bad field.
async fn parse(
    db: &Db,
    form: &AgreementForm,
    patient: &PatientRow,
    rec: &Record,
    today: NaiveDate,
    from: NaiveDate,
) -> AppResult<Result<Content, FieldErrors>> {
    let mut e = FieldErrors::new();
    let mut parties = Vec::new();
    let mut sharing = Vec::new();
    for raw in &form.relative_ids {
        let Some(r) = raw
            .parse::<i64>()
            .ok()
            .and_then(|id| rec.relatives.iter().find(|r| r.id == id))
        else {
            e.add("relative_ids", "Velg pårørende blant pasientens pårørende.");
            continue;
        };
        if parties.iter().any(|p: &Party| p.relative_id == r.id) {
            continue;
        }
        parties.push(Party {
            relative_id: r.id,
            name: r.full_name.clone(),
            relation: r.relation.clone(),
            relation_other: r.relation_other.clone(),
            phone: r.phone.clone().unwrap_or_default(),
            email: r.email.clone().unwrap_or_default(),
            address: r.address.clone(),
            closest: r.closest,
        });
        let (scope, topics) = scope_of(rec.consents.get(&r.id));
        sharing.push(Sharing {
            relative_id: r.id,
            name: r.full_name.clone(),
            scope,
            topics,
        });
    }
    if parties.is_empty() {
        e.add(
            "relative_ids",
            "Velg hvilke pårørende avtalen gjelder (minst én).",
        );
    }
    let contact_id = pick_id(
        &mut e,
        "contact_id",
        &form.contact_id,
        &rec.staff,
        "Velg kontaktperson blant de ansatte på tjenestestedet.",
    );
    let deputy_id = pick_id(
        &mut e,
        "deputy_id",
        &form.deputy_id,
        &rec.staff,
        "Velg stedfortreder blant de ansatte på tjenestestedet.",
    );
    if deputy_id.is_some() && deputy_id == contact_id {
        e.add(
            "deputy_id",
            "Stedfortrederen må være en annen enn kontaktpersonen.",
        );
    }
    let long = |e: &mut FieldErrors, field: &str, raw: &str| f::text(e, field, raw, SECTION_MAX);
    let patient_capacity = f::line(
        &mut e,
        "patient_capacity",
        &form.patient_capacity,
        300,
        None,
    );
    let reachable = f::line(&mut e, "reachable", &form.reachable, 300, None);
    let background = long(&mut e, "background", &form.background);
    let matters_patient = long(&mut e, "matters_patient", &form.matters_patient);
    let matters_relative = long(&mut e, "matters_relative", &form.matters_relative);
    let relative_does = long(&mut e, "relative_does", &form.relative_does);
    let relative_declines = long(&mut e, "relative_declines", &form.relative_declines);
    let service_patient = long(&mut e, "service_patient", &form.service_patient);
    let service_relative = long(&mut e, "service_relative", &form.service_relative);
    let mut contact_means = Vec::new();
    for m in &form.contact_means {
        if rules::CONTACT_MEANS.iter().any(|(k, _)| k == m) {
            if !contact_means.contains(m) {
                contact_means.push(m.clone());
            }
        } else {
            e.add(
                "contact_means",
                "Velg hvordan dere holder kontakten fra listen.",
            );
        }
    }
    let contact_frequency = f::line(
        &mut e,
        "contact_frequency",
        &form.contact_frequency,
        300,
        None,
    );
    let contact_initiative = f::line(
        &mut e,
        "contact_initiative",
        &form.contact_initiative,
        300,
        None,
    );
    let next_meeting_on = f::date(&mut e, "next_meeting_on", &form.next_meeting_on, None);
    if next_meeting_on.is_some_and(|d| d < today) {
        e.add(
            "next_meeting_on",
            "Datoen for neste møte kan ikke være tilbake i tid.",
        );
    }
    let party_ids: Vec<i64> = parties.iter().map(|p| p.relative_id).collect();
    let mut measures = Vec::new();
    for raw in &form.referral_ids {
        match raw
            .parse::<i64>()
            .ok()
            .and_then(|id| rec.referrals.iter().find(|r| r.id == id))
        {
            Some(r) if party_ids.contains(&r.relative_id) => {
                if !measures
                    .iter()
                    .any(|m: &Measure| m.referral_id == Some(r.id))
                {
                    measures.push(Measure {
                        referral_id: Some(r.id),
                        offer: r.offer_name.clone(),
                        state: r.state.clone(),
                    });
                }
            }
            Some(_) => e.add(
                "referral_ids",
                "Velg bare henvisninger for de pårørende avtalen gjelder.",
            ),
            None => e.add("referral_ids", "Velg tiltak fra listen."),
        }
    }
    let support_note = long(&mut e, "support_note", &form.support_note);
    let acute = long(&mut e, "acute", &form.acute);
    let children = long(&mut e, "children", &form.children);
    let evaluation_on = f::date(
        &mut e,
        "evaluation_on",
        &form.evaluation_on,
        Some("Skriv datoen avtalen skal evalueres (normalt seks måneder etter signering)."),
    );
    if let Some(on) = evaluation_on {
        if let Some(p) = rules::evaluation_date_problem(on, from, today) {
            e.add("evaluation_on", p);
        }
    }
    let valid_until = f::date(&mut e, "valid_until", &form.valid_until, None);
    if valid_until.is_some_and(|d| d <= today) {
        e.add("valid_until", "Gyldighetsdatoen må være etter i dag.");
    }
    let mut within_consent = Vec::new();
    for s in &form.within_consent {
        if rules::PATIENT_SECTIONS.iter().any(|(k, _)| k == s) {
            within_consent.push(s.clone());
        } else {
            e.add("within_consent", "Velg avsnitt fra listen.");
        }
    }
    e.order_by(FIELDS);
    let contact = staff(db, contact_id).await?;
    let deputy = staff(db, deputy_id).await?;
    Ok(e.into_result(|| Content {
        patient_name: patient.full_name.clone(),
        patient_capacity,
        parties,
        unit_name: patient.unit_name.clone(),
        contact,
        deputy,
        reachable,
        background,
        matters_patient,
        matters_relative,
        relative_does,
        relative_declines,
        service_patient,
        service_relative,
        contact_means,
        contact_frequency,
        contact_initiative,
        next_meeting_on,
        sharing,
        measures,
        support_note,
        decision_applied: form.decision_applied.is_on(),
        acute,
        children,
        evaluation_on,
        valid_until,
        within_consent,
    }))
}

/// The form's values for a stored version.
fn form_of(c: &Content, lock: i64) -> serde_json::Value {
    let date = |d: Option<NaiveDate>| d.map(format_date).unwrap_or_default();
    serde_json::json!({
        "lock": lock.to_string(),
        "relative_ids": c.parties.iter().map(|p| p.relative_id.to_string()).collect::<Vec<_>>(),
        "patient_capacity": c.patient_capacity,
        "contact_id": c.contact.as_ref().map(|s| s.user_id.to_string()).unwrap_or_default(),
        "deputy_id": c.deputy.as_ref().map(|s| s.user_id.to_string()).unwrap_or_default(),
        "reachable": c.reachable,
        "background": c.background,
        "matters_patient": c.matters_patient,
        "matters_relative": c.matters_relative,
        "relative_does": c.relative_does,
        "relative_declines": c.relative_declines,
        "service_patient": c.service_patient,
        "service_relative": c.service_relative,
        "contact_means": c.contact_means,
        "contact_frequency": c.contact_frequency,
        "contact_initiative": c.contact_initiative,
        "next_meeting_on": date(c.next_meeting_on),
        "referral_ids": c.measures.iter().filter_map(|m| m.referral_id).map(|i| i.to_string()).collect::<Vec<_>>(),
        "support_note": c.support_note,
        "decision_applied": if c.decision_applied { "1" } else { "" },
        "acute": c.acute,
        "children": c.children,
        "evaluation_on": date(c.evaluation_on),
        "valid_until": date(c.valid_until),
        "within_consent": c.within_consent,
    })
}

/// A new agreement's form, filled from the relatives' records and latest mappings.
async fn prefill(
    db: &Db,
    user: &CurrentUser,
    patient: &PatientRow,
    rec: &Record,
    chosen: &[i64],
    today: NaiveDate,
) -> AppResult<serde_json::Value> {
    let parties: Vec<&db::relatives::RelativeRow> = rec
        .relatives
        .iter()
        .filter(|r| chosen.contains(&r.id))
        .collect();
    let mappings = db::mappings::latest_for_patient(db, patient.id).await?;
    let mut matters = Vec::new();
    let mut does = Vec::new();
    let mut declines = Vec::new();
    for r in &parties {
        if let Some(m) = mappings.iter().find(|m| m.relative_id == r.id) {
            let mut tasks: Vec<&str> = choices::split(&m.tasks)
                .into_iter()
                .map(|t| label(choices::CARE_TASKS, t))
                .filter(|l| !l.is_empty())
                .collect();
            if !m.task_other.is_empty() {
                tasks.push(&m.task_other);
            }
            let prefix = if parties.len() > 1 {
                format!("{}: ", r.full_name)
            } else {
                String::new()
            };
            if !m.what_matters.is_empty() {
                matters.push(format!("{prefix}{}", m.what_matters));
            }
            if !tasks.is_empty() {
                does.push(format!(
                    "{prefix}{} (om lag {} timer i uka).",
                    tasks.join(", "),
                    m.hours_per_week
                ));
            }
            if !m.not_wanted.is_empty() {
                declines.push(format!("{prefix}{}", m.not_wanted));
            }
        }
    }
    let children: Vec<String> = rec
        .relatives
        .iter()
        .filter(|r| crate::domain::relative::is_child(r.birth_date, &r.age_group, today))
        .map(|r| {
            format!(
                "{} ({})",
                r.full_name,
                relation_text(&r.relation, &r.relation_other)
            )
        })
        .collect();
    let children = if children.is_empty() {
        String::new()
    } else {
        format!(
            "Barn som er pårørende: {}. Barnas behov for informasjon og oppfølging er kartlagt etter helsepersonelloven § 10 a.",
            children.join(", ")
        )
    };
    let contact = parties
        .iter()
        .find_map(|r| r.contact_person_id)
        .filter(|id| rec.staff.iter().any(|c| c.value == id.to_string()))
        .unwrap_or(user.id);
    let referral_ids: Vec<String> = rec
        .referrals
        .iter()
        .filter(|x| chosen.contains(&x.relative_id) && x.state != "declined" && x.state != "ended")
        .map(|x| x.id.to_string())
        .collect();
    Ok(serde_json::json!({
        "lock": "0",
        "relative_ids": chosen.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
        "patient_capacity": "Pasienten kan samtykke selv.",
        "contact_id": contact.to_string(),
        "deputy_id": "",
        "reachable": "Hverdager kl. 08.00–15.30",
        "matters_relative": matters.join("\n"),
        "relative_does": does.join("\n"),
        "relative_declines": declines.join("\n"),
        "service_patient": patient.services,
        "contact_means": ["meeting", "phone"],
        "contact_frequency": "Minst hver tredje måned, og ellers ved behov",
        "contact_initiative": "Kontaktpersonen",
        "referral_ids": referral_ids,
        "children": children,
        "evaluation_on": format_date(rules::default_evaluation(today)),
        "within_consent": [],
    }))
}

#[derive(Serialize)]
struct PartyChoice {
    value: String,
    label: String,
    consent: &'static str,
}

fn form_page(
    user: &CurrentUser,
    patient: &PatientRow,
    rec: &Record,
    agreement: Option<&AgreementRow>,
) -> Page {
    let relatives: Vec<PartyChoice> = rec
        .relatives
        .iter()
        .map(|r| {
            let consent = match rec.consents.get(&r.id).map(|c| c.scope.as_str()) {
                Some("full") => "fullt samtykke",
                Some("limited") => "begrenset samtykke",
                Some("none") => "ikke samtykke",
                _ => "samtykke mangler",
            };
            PartyChoice {
                value: r.id.to_string(),
                label: format!(
                    "{} ({}), {consent}",
                    r.full_name,
                    relation_text(&r.relation, &r.relation_other)
                ),
                consent,
            }
        })
        .collect();
    let referrals: Vec<Choice> = rec
        .referrals
        .iter()
        .map(|x| {
            Choice::new(
                x.id,
                format!(
                    "{} for {} ({})",
                    x.offer_name,
                    x.relative_name,
                    label(choices::REFERRAL_STATES, &x.state).to_lowercase()
                ),
            )
        })
        .collect();
    let new_version = agreement
        .and_then(|a| Status::parse(&a.status))
        .map(|s| s.edit() == Edit::NewVersion)
        .unwrap_or(false);
    Page::new(
        if agreement.is_some() {
            "Endre pårørendeavtale"
        } else {
            "Ny pårørendeavtale"
        },
        Some(user),
    )
    .with("patient", patient)
    .with("agreement", agreement)
    .with("new_version", new_version)
    .with("relative_choices", relatives)
    .with("staff", &rec.staff)
    .with("referral_choices", referrals)
    .with("contact_means", choice_list(rules::CONTACT_MEANS))
    .with("patient_sections", choice_list(rules::PATIENT_SECTIONS))
}

fn new_document_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let mut part = || -> String {
        (0..4)
            .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
            .collect()
    };
    format!("{}-{}", part(), part())
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
    let rec = record(db, &patient).await?;
    let mut chosen: Vec<i64> = relative
        .into_iter()
        .filter(|r| rec.relatives.iter().any(|x| x.id == *r))
        .collect();
    if chosen.is_empty() {
        chosen = rec
            .relatives
            .iter()
            .filter(|r| r.involvement == "yes" && r.age_group != "child")
            .map(|r| r.id)
            .take(1)
            .collect();
    }
    let form = prefill(db, &user, &patient, &rec, &chosen, clock.today()).await?;
    Ok(form_page(&user, &patient, &rec, None)
        .with("form", form)
        .render("agreements/form"))
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
    let rec = record(db, &patient).await?;
    let today = clock.today();
    let content = match parse(db, &form, &patient, &rec, today, today).await? {
        Ok(c) => c,
        Err(errors) => {
            let page = form_page(&user, &patient, &rec, None);
            return Ok(invalid(page, &form.0, &errors, "agreements/form"));
        }
    };
    let json = serde_json::to_string(&content).map_err(|e| AppError::Internal(e.to_string()))?;
    let ids: Vec<i64> = content.parties.iter().map(|p| p.relative_id).collect();
    let document_id = new_document_id();
    let now = clock.now();
    let mut tx = db.begin().await?;
    let save = Save {
        content_json: &json,
        relative_ids: &ids,
        contact_person_id: content.contact.as_ref().map(|s| s.user_id),
        deputy_id: content.deputy.as_ref().map(|s| s.user_id),
        evaluation_on: content.evaluation_on,
        document_id: &document_id,
        by: user.id,
        by_name: &user.name,
    };
    let aid = db::agreements::insert(&mut tx, id, &save, now).await?;
    let names: Vec<&str> = content.parties.iter().map(|p| p.name.as_str()).collect();
    record_change(
        &mut tx,
        &user,
        Action::Create,
        "agreement",
        aid,
        (patient.id, patient.unit_id),
        &format!(
            "Pårørendeavtale med {} opprettet som utkast",
            names.join(", ")
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        format!("/agreements/{aid}"),
        "Utkastet til pårørendeavtale er lagret. Når partene har signert, registrerer du signaturene nederst på siden.",
    ))
}

/// An agreement in a list: the patient's page, the relative's page, the involve step.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementView {
    pub id: i64,
    pub status: String,
    pub status_label: &'static str,
    pub in_force: bool,
    pub parties: String,
    pub contact_person_name: Option<String>,
    pub evaluation_on: Option<NaiveDate>,
    pub overdue: bool,
    pub current_version: i64,
    pub ended_on: Option<NaiveDate>,
}

pub fn agreement_views(
    rows: &[AgreementRow],
    parties: &[(i64, i64)],
    names: &HashMap<i64, String>,
    today: NaiveDate,
) -> Vec<AgreementView> {
    rows.iter()
        .map(|a| {
            let status = Status::parse(&a.status).unwrap_or(Status::Draft);
            let party_names: Vec<&str> = parties
                .iter()
                .filter(|(aid, _)| *aid == a.id)
                .filter_map(|(_, rid)| names.get(rid).map(String::as_str))
                .collect();
            AgreementView {
                id: a.id,
                status: a.status.clone(),
                status_label: status.label(),
                in_force: status.in_force(),
                parties: party_names.join(", "),
                contact_person_name: a.contact_person_name.clone(),
                evaluation_on: a.evaluation_on,
                overdue: rules::is_overdue(status, a.evaluation_on, today),
                current_version: a.current_version,
                ended_on: a.ended_on,
            }
        })
        .collect()
}

/// The agreement and its patient, if within the user's scope.
pub async fn load(
    db: &Db,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(AgreementRow, PatientRow, Status)> {
    let scope = user.scope().ok_or(AppError::NotFound)?;
    let a = db::agreements::get(db, scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let patient = find(db, scope, a.patient_id).await?;
    let status = Status::parse(&a.status).unwrap_or(Status::Draft);
    Ok((a, patient, status))
}

pub fn content_of(v: &VersionRow) -> Content {
    serde_json::from_str(&v.content).unwrap_or_default()
}

pub fn signatures_of(v: &VersionRow) -> Signatures {
    Signatures {
        relative_on: v.relative_signed_on,
        service_on: v.service_signed_on,
        patient_on: v.patient_signed_on,
        patient_reason: v.patient_not_signed_reason.clone(),
    }
}

async fn current_version(db: &Db, a: &AgreementRow) -> AppResult<VersionRow> {
    db::agreements::version(db, a.id, a.current_version)
        .await?
        .ok_or(AppError::NotFound)
}

#[rocket::get("/agreements/<id>/edit")]
async fn edit_page(user: Worker<'_>, id: i64, db: &State<Db>) -> AppResult<Template> {
    let (a, patient, status) = load(db, &user, id).await?;
    if status == Status::Ended {
        return Err(AppError::NotFound);
    }
    let v = current_version(db, &a).await?;
    let rec = record(db, &patient).await?;
    Ok(form_page(&user, &patient, &rec, Some(&a))
        .with("form", form_of(&content_of(&v), a.lock_version))
        .render("agreements/form"))
}

/// Keeps the evaluation follow-up in step with the agreement: its date and its owner (the
/// contact person).
pub async fn sync_evaluation_followup(
    tx: &mut Tx,
    user: &CurrentUser,
    a: &AgreementRow,
    content: &Content,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(due) = content.evaluation_on else {
        return Ok(());
    };
    let owner = content
        .contact
        .as_ref()
        .map(|s| s.user_id)
        .unwrap_or(user.id);
    match db::agreements::open_evaluation_followup(tx, a.id).await? {
        Some((fid, old_due, old_owner)) => {
            if old_due != due {
                db::followups::move_due(tx, fid, due, now).await?;
                db::followups::record_change(
                    tx,
                    fid,
                    "moved",
                    &format_date(old_due),
                    &format_date(due),
                    "Evalueringsdatoen i pårørendeavtalen er endret",
                    user.id,
                    now,
                )
                .await?;
            }
            if old_owner != owner {
                db::followups::reassign(tx, fid, owner, now).await?;
                db::followups::record_change(
                    tx,
                    fid,
                    "reassigned",
                    &old_owner.to_string(),
                    &owner.to_string(),
                    "Ny kontaktperson i pårørendeavtalen",
                    user.id,
                    now,
                )
                .await?;
            }
        }
        None => {
            create_evaluation_followup(tx, user, a, content, due, now).await?;
        }
    }
    Ok(())
}

pub async fn create_evaluation_followup(
    tx: &mut Tx,
    user: &CurrentUser,
    a: &AgreementRow,
    content: &Content,
    due: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let names: Vec<&str> = content.parties.iter().map(|p| p.name.as_str()).collect();
    let concerns = format!("Evaluering av pårørendeavtalen med {}", names.join(", "));
    let f = NewFollowup {
        patient_id: a.patient_id,
        unit_id: a.unit_id,
        relative_id: content.parties.first().map(|p| p.relative_id),
        meeting_id: None,
        kind: "evaluation",
        concerns: &concerns,
        due_on: due,
        owner_id: content
            .contact
            .as_ref()
            .map(|s| s.user_id)
            .unwrap_or(user.id),
    };
    let fid = db::followups::insert(tx, &f, user.id, now).await?;
    db::agreements::link_followup(tx, fid, a.id).await?;
    Ok(fid)
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
    if let Some(why) = rules::transition_refusal(status, "edit") {
        return Ok(done(format!("/agreements/{id}"), why));
    }
    let rec = record(db, &patient).await?;
    let today = clock.today();
    let content = match parse(db, &form, &patient, &rec, today, today).await? {
        Ok(c) => c,
        Err(errors) => {
            let page = form_page(&user, &patient, &rec, Some(&a));
            return Ok(invalid(page, &form.0, &errors, "agreements/form"));
        }
    };
    let expected: i64 = form.lock.trim().parse().unwrap_or(-1);
    let current = current_version(db, &a).await?;
    let json = serde_json::to_string(&content).map_err(|e| AppError::Internal(e.to_string()))?;
    if status.edit() == Edit::NewVersion
        && expected == a.lock_version
        && content == content_of(&current)
    {
        return Ok(done(
            format!("/agreements/{id}"),
            "Ingen endringer å lagre. Avtalen er uendret.",
        ));
    }
    let ids: Vec<i64> = content.parties.iter().map(|p| p.relative_id).collect();
    let document_id = new_document_id();
    let now = clock.now();
    let save = Save {
        content_json: &json,
        relative_ids: &ids,
        contact_person_id: content.contact.as_ref().map(|s| s.user_id),
        deputy_id: content.deputy.as_ref().map(|s| s.user_id),
        evaluation_on: content.evaluation_on,
        document_id: &document_id,
        by: user.id,
        by_name: &user.name,
    };
    let mut tx = db.begin().await?;
    if !db::agreements::take_lock(&mut tx, id, expected, user.id, now).await? {
        drop(tx);
        // Somebody saved in between: show what this user typed, with the newest lock so a
        // deliberate second save goes through.
        let fresh = db::agreements::get(db, user.read_scope(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut errors = FieldErrors::new();
        errors.add(
            "lock",
            format!(
                "{} lagret endringer i avtalen {} etter at du åpnet den. Det du skrev er ikke lagret, men står i skjemaet under. Se gjennom avtalen og lagre på nytt hvis endringene dine fortsatt skal gjelde.",
                fresh.updated_by_name.as_deref().unwrap_or("En annen bruker"),
                crate::domain::dates::format_datetime(fresh.updated_at)
            ),
        );
        let mut typed = serde_json::to_value(&form.0).unwrap_or_default();
        typed["lock"] = serde_json::Value::from(fresh.lock_version.to_string());
        let page = form_page(&user, &patient, &rec, Some(&fresh));
        return Ok(Submitted::Invalid(
            page.with("form", typed)
                .with("errors", &errors)
                .with("conflict", true)
                .render("agreements/form"),
        ));
    }
    let summary = match status.edit() {
        Edit::InPlace => {
            db::agreements::update_draft(&mut tx, id, &save, now).await?;
            "Utkast til pårørendeavtale endret".to_string()
        }
        _ => {
            let number = a.current_version + 1;
            db::agreements::add_version(&mut tx, id, number, &save, now).await?;
            sync_evaluation_followup(&mut tx, &user, &a, &content, now).await?;
            format!("Pårørendeavtale endret: versjon {number}")
        }
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
    let message = if status == Status::Draft {
        "Utkastet er lagret."
    } else {
        "Endringene er lagret som en ny versjon. Den nye versjonen må signeres av partene."
    };
    Ok(done(format!("/agreements/{id}"), message))
}
