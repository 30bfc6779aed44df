//! Involve (Medvirke og samarbeide): meetings with relatives. A draft can be saved at any
//! time; completing needs minutes and an agreed next step.

use crate::audit::{record_change, record_view};
use crate::clock::Clock;
use crate::db::access_log::Action;
use crate::db::followups::NewFollowup;
use crate::db::meetings::{MeetingInput, MeetingRow};
use crate::db::{self, Db};
use crate::domain::choices::{self, label};
use crate::domain::dates::format_date;
use crate::domain::meeting::MeetingStatus;
use crate::domain::meeting::{MeetingDraft, MeetingFormInput, NextSteps};
use crate::domain::validation::FieldErrors;
use crate::web::infra::csrf::CsrfForm;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::forms::Text;
use crate::web::infra::page::{choice_list, ids, staff_choices};
use crate::web::infra::page::{done, invalid, Choice, Page, Submitted};
use crate::web::infra::session::{Reader, Worker};
use crate::web::infra::templates::Template;
use crate::web::patients::find;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Oslo;
use rocket::request::FlashMessage;
use rocket::{FromForm, State};
use serde::Serialize;

mod invitation;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        new_page,
        create,
        show,
        save,
        invitation::letter,
        invitation::minutes
    ]
}

#[derive(Debug, Default, FromForm, Serialize)]
struct MeetingForm {
    kind: Text,
    date: Text,
    time: Text,
    place: Text,
    patient_present: Text,
    relative_ids: Vec<String>,
    staff: Text,
    minutes: Text,
    informed_rights: Text,
    checklist: Vec<String>,
    next_due: Text,
    next_owner_id: Text,
    next_kind: Text,
    next_concerns: Text,
    evaluation_on: Text,
    new_meeting_on: Text,
    action: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(MeetingForm);

/// A local date and time in Oslo as an instant.
fn oslo_instant(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = date.and_time(time);
    Oslo.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| local.and_utc())
}

/// The form parsed once into a draft, and the meeting as stored.
async fn parse(
    db: &Db,
    form: &MeetingForm,
    patient_id: i64,
    unit_id: i64,
    today: NaiveDate,
) -> AppResult<Result<(MeetingInput, NextSteps, bool), FieldErrors>> {
    let relatives: Vec<i64> = db::relatives::for_patient(db, patient_id)
        .await?
        .iter()
        .map(|r| r.id)
        .collect();
    let staff = ids(&staff_choices(db, unit_id).await?);
    let input = MeetingFormInput {
        kind: &form.kind,
        date: &form.date,
        time: &form.time,
        place: &form.place,
        patient_present: form.patient_present.is_on(),
        relative_ids: &form.relative_ids,
        staff: &form.staff,
        minutes: &form.minutes,
        informed_rights: form.informed_rights.is_on(),
        checklist: &form.checklist,
        next_due: &form.next_due,
        next_owner_id: &form.next_owner_id,
        next_kind: &form.next_kind,
        next_concerns: &form.next_concerns,
        evaluation_on: &form.evaluation_on,
        new_meeting_on: &form.new_meeting_on,
        complete: &*form.action == "complete",
    };
    Ok(
        MeetingDraft::parse(&input, &relatives, &staff, today).map(|d| {
            let meeting = MeetingInput {
                kind: d.kind,
                starts_at: oslo_instant(d.date, d.time),
                patient_present: d.patient_present,
                staff: d.staff,
                minutes: d.minutes,
                informed_rights: d.informed_rights,
                checklist: d.checklist,
                place: d.place,
                relative_ids: d.relative_ids,
            };
            (meeting, d.next, d.complete)
        }),
    )
}

async fn form_page(
    db: &Db,
    user: &Worker<'_>,
    patient: &db::patients::PatientRow,
    meeting: Option<&MeetingRow>,
) -> AppResult<Page> {
    let relatives: Vec<Choice> = db::relatives::for_patient(db, patient.id)
        .await?
        .into_iter()
        .map(|r| Choice::new(r.id, r.full_name))
        .collect();
    Ok(Page::new(
        if meeting.is_some() {
            "Møte"
        } else {
            "Nytt møte"
        },
        Some(user),
    )
    .with("patient", patient)
    .with("meeting", meeting)
    .with("kinds", choice_list(choices::MEETING_KINDS))
    .with("followup_kinds", choice_list(choices::FOLLOWUP_KINDS))
    .with(
        "checklist_choices",
        choice_list(crate::domain::meeting::CHECKLIST),
    )
    .with("relative_choices", relatives)
    .with("staff", staff_choices(db, patient.unit_id).await?))
}

#[rocket::get("/patients/<id>/meetings/new")]
async fn new_page(
    user: Worker<'_>,
    id: i64,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Template> {
    let patient = find(db, user.read_scope(), id).await?;
    let first_done = db::meetings::for_patient(db, id)
        .await?
        .iter()
        .any(|m| m.kind == "first");
    let form = serde_json::json!({
        "kind": if first_done { "followup" } else { "first" },
        "date": format_date(clock.today()), "time": "10:00", "relative_ids": [],
        "staff": user.name, "next_owner_id": user.id.to_string(), "next_kind": "call",
    });
    Ok(form_page(db, &user, &patient, None)
        .await?
        .with("form", form)
        .render("meetings/form"))
}

/// Saves the meeting and, when completing, its next steps as follow-ups.
async fn store(
    db: &Db,
    user: &Worker<'_>,
    patient: &db::patients::PatientRow,
    existing: Option<i64>,
    input: &MeetingInput,
    next: &NextSteps,
    complete: bool,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let mut tx = db.begin().await?;
    let id = match existing {
        Some(id) => {
            db::meetings::update(&mut tx, id, input, complete, now).await?;
            id
        }
        None => {
            let id = db::meetings::insert(&mut tx, patient.id, input, user.id, now).await?;
            if complete {
                db::meetings::update(&mut tx, id, input, true, now).await?;
            }
            id
        }
    };
    let base = NewFollowup {
        patient_id: patient.id,
        unit_id: patient.unit_id,
        relative_id: input.relative_ids.first().copied(),
        meeting_id: Some(id),
        kind: "call",
        concerns: "",
        due_on: now.date_naive(),
        owner_id: user.id,
    };
    // Next steps are agreed when the meeting is completed; a draft only keeps its contents.
    let next = if complete {
        next
    } else {
        &NextSteps {
            followup: None,
            evaluation_on: None,
            new_meeting_on: None,
        }
    };
    if let Some((due, owner, kind, concerns)) = &next.followup {
        let f = NewFollowup {
            kind,
            concerns,
            due_on: *due,
            owner_id: *owner,
            ..base
        };
        db::followups::insert(&mut tx, &f, user.id, now).await?;
    }
    if let Some(on) = next.evaluation_on {
        let f = NewFollowup {
            kind: "evaluation",
            concerns: "Evaluering av samarbeidet",
            due_on: on,
            ..base
        };
        db::followups::insert(&mut tx, &f, user.id, now).await?;
    }
    if let Some(on) = next.new_meeting_on {
        let f = NewFollowup {
            kind: "meeting",
            concerns: "Nytt møte med pårørende",
            due_on: on,
            ..base
        };
        db::followups::insert(&mut tx, &f, user.id, now).await?;
        let follow = MeetingInput {
            kind: "followup".into(),
            starts_at: oslo_instant(on, NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default()),
            patient_present: input.patient_present,
            staff: input.staff.clone(),
            minutes: String::new(),
            informed_rights: false,
            checklist: String::new(),
            place: input.place.clone(),
            relative_ids: input.relative_ids.clone(),
        };
        db::meetings::insert(&mut tx, patient.id, &follow, user.id, now).await?;
    }
    let when = crate::domain::dates::format_datetime(input.starts_at);
    let kind = label(choices::MEETING_KINDS, &input.kind);
    let summary = if complete {
        format!("{kind} {when} fullført med referat")
    } else {
        format!("{kind} {when} lagret som utkast")
    };
    let action = if existing.is_some() {
        Action::Update
    } else {
        Action::Create
    };
    record_change(
        &mut tx,
        &user.actor(),
        action,
        "meeting",
        id,
        (patient.id, patient.unit_id),
        &summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[rocket::post("/patients/<id>/meetings", data = "<form>")]
async fn create(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<MeetingForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let patient = find(db, user.read_scope(), id).await?;
    let (input, next, complete) = match parse(db, &form, id, patient.unit_id, clock.today()).await?
    {
        Ok(ok) => ok,
        Err(errors) => {
            return Ok(invalid(
                form_page(db, &user, &patient, None).await?,
                &form.0,
                &errors,
                "meetings/form",
            ))
        }
    };
    let mid = store(
        db,
        &user,
        &patient,
        None,
        &input,
        &next,
        complete,
        clock.now(),
    )
    .await?;
    let message = if complete {
        "Møtet er fullført."
    } else {
        "Møtet er lagret som utkast."
    };
    Ok(done(format!("/meetings/{mid}"), message))
}

#[rocket::get("/meetings/<id>")]
async fn show(
    user: Reader<'_>,
    id: i64,
    db: &State<Db>,
    clock: &State<Clock>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    let m = db::meetings::get(db, user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    record_view(
        db,
        &user.actor(),
        "meeting",
        id,
        (m.patient_id, m.unit_id),
        clock.now(),
    )
    .await?;
    let patient = find(db, user.scope(), m.patient_id).await?;
    let ids = db::meetings::relative_ids(db, id).await?;
    let relatives = db::relatives::for_patient(db, m.patient_id).await?;
    let invited: Vec<Choice> = relatives
        .iter()
        .filter(|r| ids.contains(&r.id))
        .map(|r| Choice::new(r.id, &r.full_name))
        .collect();
    let participants: Vec<String> = relatives
        .iter()
        .filter(|r| ids.contains(&r.id))
        .map(|r| r.full_name.clone())
        .collect();
    let followups = db::followups::for_patient(db, m.patient_id).await?;
    let next: Vec<_> = followups
        .into_iter()
        .filter(|f| f.meeting_id == Some(id))
        .collect();
    let local = m.starts_at.with_timezone(&Oslo);
    let form = serde_json::json!({
        "kind": m.kind, "date": local.format("%d.%m.%Y").to_string(), "time": local.format("%H:%M").to_string(),
        "place": m.place,
        "patient_present": if m.patient_present { "1" } else { "" },
        "relative_ids": ids.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
        "staff": m.staff, "minutes": m.minutes, "informed_rights": if m.informed_rights { "1" } else { "" },
        "checklist": crate::domain::choices::split(&m.checklist),
        "next_owner_id": user.id.to_string(), "next_kind": "call",
    });
    let editable =
        m.status == MeetingStatus::Draft && user.role == crate::domain::user::Role::Worker;
    let staff = if editable {
        staff_choices(db, patient.unit_id).await?
    } else {
        Vec::new()
    };
    Ok(Page::new("Møte", Some(&user))
        .with("patient", &patient)
        .with("meeting", &m)
        .with("kind_label", label(choices::MEETING_KINDS, &m.kind))
        .with("participants", participants)
        .with(
            "next_steps",
            crate::web::patients::show::followup_views(next, clock.today()),
        )
        .with("editable", editable)
        .with("invited", invited)
        .with("can_print", user.role == crate::domain::user::Role::Worker)
        .with(
            "upcoming",
            m.starts_at.with_timezone(&Oslo).date_naive() >= clock.today(),
        )
        .with(
            "checklist_done",
            crate::domain::meeting::CHECKLIST
                .iter()
                .filter(|(k, _)| choices::split(&m.checklist).contains(k))
                .map(|(_, l)| *l)
                .collect::<Vec<_>>(),
        )
        .with(
            "checklist_left",
            crate::domain::meeting::checklist_left(&m.checklist),
        )
        .with(
            "checklist_choices",
            choice_list(crate::domain::meeting::CHECKLIST),
        )
        .with("kinds", choice_list(choices::MEETING_KINDS))
        .with("followup_kinds", choice_list(choices::FOLLOWUP_KINDS))
        .with(
            "relative_choices",
            relatives
                .iter()
                .map(|r| Choice::new(r.id, &r.full_name))
                .collect::<Vec<_>>(),
        )
        .with("staff", staff)
        .with("form", form)
        .flash(flash)
        .render(if editable {
            "meetings/form"
        } else {
            "meetings/show"
        }))
}

#[rocket::post("/meetings/<id>", data = "<form>")]
async fn save(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<MeetingForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let m = db::meetings::get(db, user.read_scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let patient = find(db, user.read_scope(), m.patient_id).await?;
    if m.status != MeetingStatus::Draft {
        return Ok(done(
            format!("/meetings/{id}"),
            "Møtet er allerede fullført og kan ikke endres.",
        ));
    }
    let (input, next, complete) =
        match parse(db, &form, m.patient_id, patient.unit_id, clock.today()).await? {
            Ok(ok) => ok,
            Err(errors) => {
                let page = form_page(db, &user, &patient, Some(&m))
                    .await?
                    .with("editable", true);
                return Ok(invalid(page, &form.0, &errors, "meetings/form"));
            }
        };
    store(
        db,
        &user,
        &patient,
        Some(id),
        &input,
        &next,
        complete,
        clock.now(),
    )
    .await?;
    let message = if complete {
        "Møtet er fullført."
    } else {
        "Utkastet er lagret."
    };
    Ok(done(format!("/meetings/{id}"), message))
}
