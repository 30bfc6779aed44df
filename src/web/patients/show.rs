//! The patient's page, which guides the routine: the four steps with their state and what is
//! missing next, the relatives, open follow-ups and the timeline; and each step's own page.

use crate::audit::record_view;
use crate::clock::Clock;
use crate::db::agreements::AgreementRow;
use crate::db::{self, Db};
use crate::domain::agreement::{is_overdue, Status};
use crate::domain::children::ChildrenAnswer;
use crate::domain::choices::{self, label};
use crate::domain::dates::oslo_date;
use crate::domain::relative::is_child;
use crate::domain::relative::relation_text;
use crate::domain::routine::{steps, Fix, MeetingFacts, PatientFacts, RelativeFacts, Step};
use crate::domain::strain;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::page::{choice_list, render, staff_choices, Choice, Page};
use crate::web::infra::reads::ReadDb;
use crate::web::infra::session::{CurrentUser, Reader};
use crate::web::infra::templates::{Template, Templates};
use crate::web::patients::{find, PatientView};
use chrono::NaiveDate;
use rocket::request::FlashMessage;
use rocket::response::content::RawHtml;
use rocket::State;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![show, step_page]
}

/// A relative as the routine's pages show it.
#[derive(Serialize)]
pub struct RelativeSummary {
    pub id: i64,
    pub full_name: String,
    pub relation: String,
    pub involvement: String,
    pub involvement_label: &'static str,
    pub closest: bool,
    pub child: bool,
    pub child_followup_missing: bool,
    pub guardian: bool,
    pub contact_person_name: Option<String>,
    /// The contact person named in an agreement in force with this relative.
    pub agreement_contact: Option<String>,
    pub consent: &'static str,
    pub consent_label: &'static str,
    pub consent_topics: String,
    pub phone: Option<String>,
    pub latest_mapping: Option<MappingSummary>,
    pub support_needs: Vec<&'static str>,
    pub referrals: Vec<db::support::ReferralRow>,
}

#[derive(Serialize)]
pub struct MappingSummary {
    pub id: i64,
    pub mapped_on: NaiveDate,
    pub strain_score: Option<i64>,
    pub high_strain: bool,
    pub hours_per_week: i64,
}

/// Everything the routine knows about one patient.
pub struct Routine {
    pub relatives: Vec<RelativeSummary>,
    pub meetings: Vec<db::meetings::MeetingRow>,
    pub outcome: db::relatives::Outcome,
    pub steps: [Step; 4],
    pub agreements: Vec<AgreementView>,
}

pub async fn load(db: &Db, patient_id: i64, today: NaiveDate) -> AppResult<Routine> {
    load_many(db, &[patient_id], today)
        .await?
        .pop()
        .map(|(_, routine)| routine)
        .ok_or(AppError::NotFound)
}

/// The routine of several patients, in the order given, read with one statement per kind of
/// record for all of them rather than one per patient (the worker's day and its list).
pub async fn load_many(
    db: &Db,
    patients: &[i64],
    today: NaiveDate,
) -> AppResult<Vec<(i64, Routine)>> {
    let relatives = db::relatives::for_patients(db, patients).await?;
    let consents: HashMap<i64, db::relatives::ConsentRow> =
        db::relatives::current_consents_of(db, patients)
            .await?
            .into_iter()
            .map(|c| (c.relative_id, c))
            .collect();
    let mappings: HashMap<i64, db::mappings::MappingRow> =
        db::mappings::latest_for_patients(db, patients)
            .await?
            .into_iter()
            .map(|m| (m.relative_id, m))
            .collect();
    // A child's follow-up is repeated at least yearly: one recorded within the year counts.
    let child_done: HashSet<i64> = db::relatives::latest_child_followups(db, patients)
        .await?
        .into_iter()
        .filter(|(_, at)| !crate::domain::children::followup_due(Some(oslo_date(*at)), today))
        .map(|(id, _)| id)
        .collect();
    let referrals = db::support::referrals_for_patients(db, patients).await?;
    let meetings = db::meetings::for_patients(db, patients).await?;
    let mut outcomes: HashMap<i64, db::relatives::Outcome> = db::relatives::outcomes(db, patients)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let agreements = db::agreements::for_patients(db, patients).await?;
    let parties = db::agreements::parties_for_patients(db, patients).await?;
    let known = Known {
        consents: &consents,
        mappings: &mappings,
        child_done: &child_done,
        referrals: &referrals,
        parties: &parties,
    };
    let mut out = Vec::new();
    for &id in patients {
        // A patient asked for twice is read once; one that does not exist has no outcome.
        let Some(outcome) = outcomes.remove(&id) else {
            continue;
        };
        let rows = relatives.iter().filter(|r| r.patient_id == id).cloned();
        let meetings = meetings.iter().filter(|m| m.patient_id == id).cloned();
        let agreements: Vec<AgreementRow> = agreements
            .iter()
            .filter(|a| a.patient_id == id)
            .cloned()
            .collect();
        let routine = assemble(
            rows.collect(),
            meetings.collect(),
            outcome,
            &agreements,
            &known,
            today,
        );
        out.push((id, routine));
    }
    Ok(out)
}

/// What the routine reads about relatives and agreements, by relative or agreement id.
#[derive(Clone, Copy)]
struct Known<'a> {
    consents: &'a HashMap<i64, db::relatives::ConsentRow>,
    mappings: &'a HashMap<i64, db::mappings::MappingRow>,
    child_done: &'a HashSet<i64>,
    referrals: &'a [db::support::ReferralRow],
    parties: &'a [(i64, i64)],
}

/// One patient's routine from its records.
fn assemble(
    rows: Vec<db::relatives::RelativeRow>,
    meetings: Vec<db::meetings::MeetingRow>,
    outcome: db::relatives::Outcome,
    agreement_rows: &[AgreementRow],
    known: &Known<'_>,
    today: NaiveDate,
) -> Routine {
    let Known {
        consents,
        mappings,
        child_done,
        referrals,
        parties,
    } = *known;
    let names: HashMap<i64, String> = rows.iter().map(|r| (r.id, r.full_name.clone())).collect();
    let agreements = agreement_views(agreement_rows, parties, &names, today);
    // A contact person named in an agreement in force counts as the relative's contact person.
    let agreement_contact = |relative_id: i64| -> Option<String> {
        agreements
            .iter()
            .filter(|a| a.in_force && parties.contains(&(a.id, relative_id)))
            .find_map(|a| a.contact_person_name.clone())
    };

    let mut relatives = Vec::new();
    let mut facts = PatientFacts {
        outcome: outcome.identify_outcome.clone(),
        minor_children: ChildrenAnswer::parse(&outcome.minor_children),
        ..Default::default()
    };
    for r in rows {
        let consent = consents.get(&r.id);
        let scope = match consent.map(|c| c.scope.as_str()) {
            Some("full") => "full",
            Some("limited") => "limited",
            Some("none") => "none",
            _ => "missing",
        };
        let mapping = mappings.get(&r.id);
        let needs: Vec<&'static str> = mapping
            .map(|m| {
                choices::split(&m.support_needs)
                    .into_iter()
                    .map(|n| label(choices::SUPPORT_NEEDS, n))
                    .filter(|l| !l.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let mine: Vec<db::support::ReferralRow> = referrals
            .iter()
            .filter(|x| x.relative_id == r.id)
            .cloned()
            .collect();
        let child = is_child(r.birth_date, &r.age_group, today);
        facts.relatives.push(RelativeFacts {
            id: r.id,
            name: r.full_name.clone(),
            involvement: r.involvement.clone(),
            has_mapping: mapping.is_some(),
            has_support_need: !needs.is_empty(),
            has_referral: !mine.is_empty(),
            has_contact_person: r.contact_person_id.is_some() || agreement_contact(r.id).is_some(),
            child,
            child_followup_missing: child && !child_done.contains(&r.id),
        });
        relatives.push(RelativeSummary {
            id: r.id,
            relation: relation_text(&r.relation, &r.relation_other),
            involvement_label: label(choices::INVOLVEMENT, &r.involvement),
            involvement: r.involvement,
            full_name: r.full_name,
            closest: r.closest,
            child,
            child_followup_missing: child && !child_done.contains(&r.id),
            guardian: r.guardian,
            contact_person_name: r.contact_person_name,
            agreement_contact: agreement_contact(r.id),
            consent: scope,
            consent_label: match scope {
                "full" => "Fullt samtykke",
                "limited" => "Begrenset samtykke",
                "none" => "Ikke samtykke",
                _ => "Samtykke mangler",
            },
            consent_topics: consent.map(|c| c.topics.clone()).unwrap_or_default(),
            phone: r.phone,
            latest_mapping: mapping.map(|m| MappingSummary {
                id: m.id,
                mapped_on: m.mapped_on,
                strain_score: m.strain_score,
                high_strain: strain::is_high(m.strain_score),
                hours_per_week: m.hours_per_week,
            }),
            support_needs: needs,
            referrals: mine,
        });
    }
    facts.meetings = meetings
        .iter()
        .map(|m| MeetingFacts {
            id: m.id,
            kind: m.kind.clone(),
            date: crate::domain::dates::oslo_date(m.starts_at),
            completed: m.status == crate::domain::meeting::MeetingStatus::Completed,
            has_minutes: !m.minutes.trim().is_empty(),
        })
        .collect();
    let steps = steps(&facts, today);
    Routine {
        relatives,
        meetings,
        outcome,
        steps,
        agreements,
    }
}

#[derive(Serialize)]
struct MeetingView<'a> {
    #[serde(flatten)]
    row: &'a db::meetings::MeetingRow,
    kind_label: &'static str,
}

fn meeting_views(rows: &[db::meetings::MeetingRow]) -> Vec<MeetingView<'_>> {
    rows.iter()
        .map(|row| MeetingView {
            row,
            kind_label: label(choices::MEETING_KINDS, &row.kind),
        })
        .collect()
}

#[derive(Serialize)]
pub struct FollowupView {
    #[serde(flatten)]
    pub row: db::followups::FollowupRow,
    pub kind_label: &'static str,
    pub overdue_days: i64,
    pub bucket: &'static str,
}

pub fn followup_views(
    rows: Vec<db::followups::FollowupRow>,
    today: NaiveDate,
) -> Vec<FollowupView> {
    use crate::domain::followup::{bucket, days_overdue};
    rows.into_iter()
        .map(|row| FollowupView {
            kind_label: label(choices::FOLLOWUP_KINDS, &row.kind),
            overdue_days: if row.status == "open" {
                days_overdue(row.due_on, today)
            } else {
                0
            },
            bucket: if row.status == "open" {
                bucket(row.due_on, today).label()
            } else {
                ""
            },
            row,
        })
        .collect()
}

#[rocket::get("/patients/<id>")]
async fn show(
    user: Reader<'_>,
    id: i64,
    snapshot: ReadDb,
    clock: &State<Clock>,
    templates: &State<Templates>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<RawHtml<String>> {
    let db: &Db = &snapshot;
    let today = clock.today();
    let patient = find(db, user.scope(), id).await?;
    let form = serde_json::json!({ "owner_id": user.id.to_string(), "kind": "call" });
    let page = patient_page(db, &user, &patient, today)
        .await?
        .with("form", form)
        .flash(flash);
    // Logged once the page is read and before it is shown: all its reads share the snapshot
    // begun by `find` (logging first ended it, and the reads after began a second one).
    record_view(
        db,
        &user.actor(),
        "patient",
        id,
        (id, patient.unit_id),
        clock.now(),
    )
    .await?;
    Ok(RawHtml(render(templates, page, "patients/show")?))
}

/// A step as a page shows it: what is missing next links to the form that resolves it, for
/// those who may fill it in.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    #[serde(flatten)]
    pub step: Step,
    pub href: Option<String>,
}

/// Where each fix is made.
pub fn fix_href(patient_id: i64, fix: Fix) -> String {
    match fix {
        Fix::AddRelative => format!("/patients/{patient_id}/relatives/new"),
        Fix::EditRelative(id) => format!("/relatives/{id}/edit"),
        Fix::ChildrenAnswer => format!("/patients/{patient_id}/steps/identify#barn"),
        Fix::ChildFollowup(id) => format!("/relatives/{id}/child-followup"),
        Fix::NewMapping(id) => format!("/relatives/{id}/mappings/new"),
        Fix::Meeting(id) => format!("/meetings/{id}"),
        Fix::NewMeeting => format!("/patients/{patient_id}/meetings/new"),
        Fix::Referral(id) => format!("/patients/{patient_id}/steps/support#henvisning-{id}"),
    }
}

pub fn step_views(patient_id: i64, steps: &[Step], can_edit: bool) -> Vec<StepView> {
    steps
        .iter()
        .map(|s| StepView {
            step: s.clone(),
            href: s.fix.filter(|_| can_edit).map(|f| fix_href(patient_id, f)),
        })
        .collect()
}

/// The patient's page as the record shows it today: the steps, relatives, meetings,
/// agreements, open follow-ups and timeline, and the new follow-up form's choices. The
/// caller adds the form's values (empty, or what was typed when it came back with errors).
pub async fn patient_page(
    db: &Db,
    user: &CurrentUser,
    patient: &db::patients::PatientRow,
    today: NaiveDate,
) -> AppResult<Page> {
    let routine = load(db, patient.id, today).await?;
    let followups = db::followups::for_patient(db, patient.id).await?;
    let open: Vec<_> = followups
        .into_iter()
        .filter(|f| f.status == "open")
        .collect();
    let can_edit = user.role == crate::domain::user::Role::Worker;
    let staff = if can_edit {
        staff_choices(db, patient.unit_id).await?
    } else {
        Vec::new()
    };
    Ok(Page::new(&patient.full_name, Some(user))
        .with("patient", PatientView::new(patient, today))
        .with("steps", step_views(patient.id, &routine.steps, can_edit))
        .with("relatives", &routine.relatives)
        .with("meetings", meeting_views(&routine.meetings))
        .with("agreements", &routine.agreements)
        .with("outcome", &routine.outcome)
        .with(
            "outcome_label",
            routine
                .outcome
                .identify_outcome
                .as_deref()
                .map(|o| label(choices::OUTCOMES, o)),
        )
        .with("followups", followup_views(open, today))
        .with(
            "timeline",
            db::events::for_patient(db, patient.id, 200).await?,
        )
        .with("staff", staff)
        .with("followup_kinds", choice_list(choices::FOLLOWUP_KINDS))
        .with(
            "archive_reasons",
            choice_list(crate::domain::children::ARCHIVE_REASONS),
        )
        .with("referral_states", choice_list(choices::REFERRAL_STATES))
        .with(
            "relative_choices",
            routine
                .relatives
                .iter()
                .map(|r| Choice::new(r.id, &r.full_name))
                .collect::<Vec<_>>(),
        )
        .with("can_edit", can_edit))
}

/// A step's page as the patient's record shows it today, before any form values: the GET
/// and every form of the step that comes back with errors render from it.
pub async fn step_view(
    db: &Db,
    user: &CurrentUser,
    patient: &db::patients::PatientRow,
    step: &str,
    today: NaiveDate,
) -> AppResult<Page> {
    let routine = load(db, patient.id, today).await?;
    let offers: Vec<Choice> = db::support::offers(db, false)
        .await?
        .into_iter()
        .map(|o| Choice::new(o.id, format!("{} ({})", o.name, o.provider)))
        .collect();
    let can_edit = user.role == crate::domain::user::Role::Worker;
    let steps = step_views(patient.id, &routine.steps, can_edit);
    let current = steps.iter().find(|s| s.step.key == step).cloned();
    Ok(Page::new(
        current.as_ref().map(|s| s.step.name).unwrap_or("Steg"),
        Some(user),
    )
    .with("patient", PatientView::new(patient, today))
    .with("step", current)
    .with("steps", steps)
    .with("relatives", &routine.relatives)
    .with("meetings", meeting_views(&routine.meetings))
    .with("agreements", &routine.agreements)
    .with("outcome", &routine.outcome)
    .with(
        "outcome_label",
        routine
            .outcome
            .identify_outcome
            .as_deref()
            .map(|o| label(choices::OUTCOMES, o)),
    )
    .with("outcomes", choice_list(choices::OUTCOMES))
    .with(
        "children_answers",
        choice_list(crate::domain::children::ANSWERS),
    )
    .with("offers", offers)
    .with("referral_states", choice_list(choices::REFERRAL_STATES))
    .with("can_edit", user.role == crate::domain::user::Role::Worker)
    .today(today))
}

#[rocket::get("/patients/<id>/steps/<step>")]
async fn step_page(
    user: Reader<'_>,
    id: i64,
    step: &str,
    db: &State<Db>,
    clock: &State<Clock>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    let template = match step {
        "identify" => "routine/identify",
        "map" => "routine/map",
        "involve" => "routine/involve",
        "support" => "routine/support",
        _ => return Err(AppError::NotFound),
    };
    let patient = find(db, user.scope(), id).await?;
    record_view(
        db,
        &user.actor(),
        "patient",
        id,
        (id, patient.unit_id),
        clock.now(),
    )
    .await?;
    let today = clock.today();
    let form = serde_json::json!({ "outcome_on": crate::domain::dates::format_date(today), "state": "referred",
        "referred_on": crate::domain::dates::format_date(today) });
    Ok(step_view(db, &user, &patient, step, today)
        .await?
        .with("form", form)
        .flash(flash)
        .render(template))
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
                overdue: is_overdue(status, a.evaluation_on, today),
                current_version: a.current_version,
                ended_on: a.ended_on,
            }
        })
        .collect()
}
