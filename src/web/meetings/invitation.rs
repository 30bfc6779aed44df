//! Letters to a relative about a meeting, in their language (bokmål, nynorsk or English):
//! the invitation to a planned meeting, and the minutes of a meeting they took part in.

use crate::audit::access;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::access_log::Action;
use crate::db::{self, Db};
use crate::domain::agreement::Language;
use crate::domain::meeting::MeetingStatus;
use crate::pdf::invitation::Invitation;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::page::PdfFile;
use crate::web::infra::session::Worker;
use crate::web::patients::find;
use chrono_tz::Europe::Oslo;
use rocket::State;

/// The meeting in the user's reach, the relative asked for (one of the meeting's), the
/// meeting's relatives, and the language asked for (bokmål when left out); 404 otherwise.
async fn asked(
    db: &Db,
    user: &Worker<'_>,
    id: i64,
    relative: Option<i64>,
    lang: Option<&str>,
) -> AppResult<(db::meetings::MeetingRow, i64, Vec<i64>, Language)> {
    let m = db::meetings::get(db, user.read_scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lang = match lang.filter(|l| !l.is_empty()) {
        None => Language::Bokmal,
        Some(l) => Language::parse(l).ok_or(AppError::NotFound)?,
    };
    let present = db::meetings::relative_ids(db, id).await?;
    let relative = relative
        .filter(|r| present.contains(r))
        .ok_or(AppError::NotFound)?;
    Ok((m, relative, present, lang))
}

/// Records the print of a letter about meeting `id` in the access log, and returns the
/// letterhead and logo it is printed with.
async fn printed(
    db: &Db,
    user: &Worker<'_>,
    settings: &Settings,
    id: i64,
    patient: &crate::db::patients::PatientRow,
    detail: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<(Vec<String>, Option<crate::pdf::LogoImage>)> {
    let entry = access(
        &user.actor(),
        Action::Print,
        "meeting",
        Some(id),
        Some((patient.id, patient.unit_id)),
        detail,
    );
    db::access_log::record(db, &entry, now).await?;
    let letterhead = vec![settings.municipality.clone(), patient.unit_name.clone()];
    Ok((letterhead, crate::web::infra::letterhead::logo(db).await?))
}

/// `?relative=` one of the meeting's invited relatives, `&lang=nb|nn|en` (bokmål when left
/// out). Only a planned meeting (a draft, today or later) is invited to.
#[rocket::get("/meetings/<id>/invitation?<relative>&<lang>")]
pub async fn letter(
    user: Worker<'_>,
    id: i64,
    relative: Option<i64>,
    lang: Option<&str>,
    db: &State<Db>,
    clock: &State<Clock>,
    settings: &State<Settings>,
    key: &State<crate::security::LinkKey>,
    config: &rocket::Config,
) -> AppResult<PdfFile> {
    let (m, relative, _, lang) = asked(db, &user, id, relative, lang).await?;
    let scope = user.read_scope();
    let local = m.starts_at.with_timezone(&Oslo);
    if m.status != MeetingStatus::Draft || local.date_naive() < clock.today() {
        return Err(AppError::NotFound);
    }
    let patient = find(db, scope, m.patient_id).await?;
    let r = db::relatives::for_patient(db, patient.id)
        .await?
        .into_iter()
        .find(|x| x.id == relative)
        .ok_or(AppError::NotFound)?;
    let unit = db::org::unit(db, patient.unit_id)
        .await?
        .map(|u| u.contact())
        .unwrap_or_default();
    let me = db::users::by_id(db, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut letter = Invitation {
        relative: &r.full_name,
        patient: &patient.full_name,
        first: m.kind == "first",
        date: local.date_naive(),
        time: local.time(),
        place: &m.place,
        unit: &patient.unit_name,
        from: &me.name,
        from_phone: me.phone.as_deref().unwrap_or_default(),
        unit_phone: &unit.phone,
        unit_hours: &unit.phone_hours,
        lang,
        feedback: None,
    };
    let now = clock.now();
    if let Some(party) = db::feedback::party_in_force(db, r.id, clock.today()).await? {
        letter.feedback = crate::web::feedback::address(
            db,
            key,
            &party,
            lang,
            now,
            &settings.public_base(config),
        )
        .await?;
    }
    let detail = format!("Invitasjon til {} ({})", r.full_name, lang.code());
    let (letterhead, logo) = printed(db, &user, settings, id, &patient, &detail, now).await?;
    let body = crate::pdf::invitation::pdf(&letter, &letterhead, logo.as_ref(), now);
    Ok(PdfFile::inline(
        body,
        &format!("invitasjon-{}-{}.pdf", id, lang.code()),
    ))
}

/// A completed meeting's minutes for a relative who took part, `&lang=nb|nn|en`: the minutes
/// and what was agreed only within the patient's full consent for that relative.
#[rocket::get("/meetings/<id>/minutes?<relative>&<lang>")]
pub async fn minutes(
    user: Worker<'_>,
    id: i64,
    relative: Option<i64>,
    lang: Option<&str>,
    db: &State<Db>,
    clock: &State<Clock>,
    settings: &State<Settings>,
) -> AppResult<PdfFile> {
    let (m, relative, present, lang) = asked(db, &user, id, relative, lang).await?;
    let scope = user.read_scope();
    if m.status != MeetingStatus::Completed {
        return Err(AppError::NotFound);
    }
    let patient = find(db, scope, m.patient_id).await?;
    let relatives = db::relatives::for_patient(db, patient.id).await?;
    let r = relatives
        .iter()
        .find(|x| x.id == relative)
        .ok_or(AppError::NotFound)?;
    let consent = db::relatives::current_consents(db, patient.id)
        .await?
        .into_iter()
        .find(|c| c.relative_id == relative)
        .map(|c| c.scope);
    let may = crate::domain::meeting::minutes_may_print(consent.as_deref());
    let mut participants: Vec<String> = relatives
        .iter()
        .filter(|x| present.contains(&x.id))
        .map(|x| x.full_name.clone())
        .collect();
    if !m.staff.trim().is_empty() {
        participants.push(m.staff.clone());
    }
    let next: Vec<(String, chrono::NaiveDate)> = db::followups::for_patient(db, patient.id)
        .await?
        .into_iter()
        .filter(|f| f.meeting_id == Some(id))
        .map(|f| (f.concerns, f.due_on))
        .collect();
    let local = m.starts_at.with_timezone(&Oslo);
    let doc = crate::pdf::minutes::Minutes {
        relative: &r.full_name,
        patient: &patient.full_name,
        date: local.date_naive(),
        time: local.time(),
        place: &m.place,
        participants: &participants,
        text: may.then_some(m.minutes.as_str()),
        next: &next,
        unit: &patient.unit_name,
        lang,
    };
    let now = clock.now();
    let detail = format!(
        "Referat til {} ({}{})",
        r.full_name,
        lang.code(),
        if may {
            ""
        } else {
            ", uten referatet: ikke fullt samtykke"
        }
    );
    let (letterhead, logo) = printed(db, &user, settings, id, &patient, &detail, now).await?;
    let body = crate::pdf::minutes::pdf(&doc, &letterhead, logo.as_ref(), now);
    Ok(PdfFile::inline(
        body,
        &format!("referat-{}-{}.pdf", id, lang.code()),
    ))
}
