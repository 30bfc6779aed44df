//! Patients: the unit's list with search, registration, the patient's page, editing and
//! archiving. Workers change their own unit's patients; managers read their district's.

pub mod show;

use crate::audit::access;
use crate::clock::Clock;
use crate::db::access_log::{self, Action};
use crate::db::patients::{self, Filter, PatientRow};
use crate::db::{self, Db};
use crate::domain::access::Scope;
use crate::domain::children::ArchiveReason;
use crate::domain::dates::{age_on, format_date, parse_date};
use crate::domain::patient::PatientDraft;
use crate::domain::validation::FieldErrors;
use crate::web::infra::csrf::CsrfForm;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::forms::{CsrfOnly, Text};
use crate::web::infra::page::{done, invalid, Choice, Page, Submitted};
use crate::web::infra::reads::ReadDb;
use crate::web::infra::session::{Reader, Worker};
use crate::web::infra::templates::Template;
use rocket::request::FlashMessage;
use rocket::{FromForm, State};
use serde::Serialize;

pub const PAGE_SIZE: i64 = 25;

pub fn routes() -> Vec<rocket::Route> {
    let mut routes = rocket::routes![list, new_page, create, edit_page, update, archive, restore];
    routes.extend(show::routes());
    routes
}

/// Page numbers for a list of `total` rows.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Paging {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub offset: i64,
}

/// The offset of the page asked for, before the total is known (pages start at 1).
pub fn requested_offset(requested: Option<&str>, size: i64) -> i64 {
    let page = requested
        .and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    page.saturating_sub(1).saturating_mul(size)
}

impl Paging {
    /// Clamps the requested page into 1..=pages.
    pub fn new(requested: Option<&str>, total: i64, size: i64) -> Paging {
        let pages = ((total + size - 1) / size).max(1);
        let page = requested
            .and_then(|p| p.trim().parse::<i64>().ok())
            .unwrap_or(1)
            .clamp(1, pages);
        Paging {
            page,
            pages,
            total,
            offset: (page - 1) * size,
        }
    }
}

#[derive(Serialize)]
struct ListQuery {
    q: String,
    born: String,
    archived: bool,
    /// The query string without the page, for page links.
    base: String,
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[rocket::get("/patients?<q>&<born>&<archived>&<page>")]
async fn list(
    user: Reader<'_>,
    q: Option<String>,
    born: Option<String>,
    archived: Option<String>,
    page: Option<String>,
    snapshot: ReadDb,
    clock: &State<Clock>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    let db: &Db = &snapshot;
    let q: String = q
        .unwrap_or_default()
        .chars()
        .filter(|c| *c != '\0')
        .take(200)
        .collect();
    let born_text: String = born.unwrap_or_default().chars().take(20).collect();
    let include_archived = archived.is_some_and(|a| !a.is_empty());
    let mut errors = FieldErrors::new();
    let birth_date = match born_text.trim() {
        "" => None,
        text => {
            let parsed = parse_date(text);
            if parsed.is_none() {
                errors.add("born", "Skriv fødselsdatoen som dd.mm.åååå.");
            }
            parsed
        }
    };
    let filter = Filter {
        name: q.clone(),
        birth_date,
        include_archived,
    };
    let scope = user.scope();
    let total = patients::count(db, scope, &filter).await?;
    let paging = Paging::new(page.as_deref(), total, PAGE_SIZE);
    let rows = patients::list(db, scope, &filter, PAGE_SIZE, paging.offset).await?;
    // Every list shown is logged with the patients it showed; a search also with what was
    // searched for, being a targeted lookup.
    let searched = !q.trim().is_empty() || birth_date.is_some();
    let (entity, detail) = if searched {
        (
            "patient_search",
            format!(
                "søk: navn «{}» fødselsdato «{}»",
                q.trim(),
                born_text.trim()
            ),
        )
    } else {
        (
            "patient_list",
            format!("pasientliste, side {}", paging.page),
        )
    };
    let shown: Vec<i64> = rows.iter().map(|p| p.id).collect();
    crate::audit::record_listing(
        db,
        &user.actor(),
        Action::View,
        entity,
        &detail,
        &shown,
        clock.now(),
    )
    .await?;
    let today = clock.today();
    let items: Vec<_> = rows.iter().map(|p| PatientView::new(p, today)).collect();
    let mut base = format!("q={}&born={}", encode(&q), encode(&born_text));
    if include_archived {
        base.push_str("&archived=1");
    }
    Ok(Page::new("Pasienter", Some(&user))
        .with("patients", items)
        .with("paging", paging)
        .with(
            "query",
            ListQuery {
                q,
                born: born_text,
                archived: include_archived,
                base,
            },
        )
        .with("errors", &errors)
        .with(
            "can_register",
            user.role == crate::domain::user::Role::Worker,
        )
        .flash(flash)
        .render("patients/list"))
}

/// A patient as pages show it.
#[derive(Serialize)]
pub struct PatientView<'a> {
    #[serde(flatten)]
    pub row: &'a PatientRow,
    pub age: i32,
    pub birth_date_text: String,
}

impl<'a> PatientView<'a> {
    pub fn new(row: &'a PatientRow, today: chrono::NaiveDate) -> Self {
        PatientView {
            row,
            age: age_on(row.birth_date, today),
            birth_date_text: format_date(row.birth_date),
        }
    }
}

#[derive(Debug, Default, FromForm, Serialize)]
pub struct PatientForm {
    full_name: Text,
    birth_date: Text,
    fnr: Text,
    phone: Text,
    address: Text,
    services: Text,
    unit_id: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(PatientForm);

impl PatientForm {
    fn from_row(p: &PatientRow) -> Self {
        PatientForm {
            full_name: p.full_name.as_str().into(),
            birth_date: format_date(p.birth_date).as_str().into(),
            fnr: p.fnr.as_deref().unwrap_or_default().into(),
            phone: p.phone.as_deref().unwrap_or_default().into(),
            address: p.address.as_str().into(),
            services: p.services.as_str().into(),
            unit_id: p.unit_id.to_string().as_str().into(),
            csrf_token: Text::default(),
        }
    }
}

/// The units a worker may place a patient in: those of their own district.
async fn unit_choices(db: &Db, user: &Worker<'_>) -> AppResult<Vec<db::org::Unit>> {
    match user.district_id {
        Some(d) => Ok(db::org::units_in_district(db, d).await?),
        None => Ok(Vec::new()),
    }
}

fn form_page(
    title: &str,
    user: &Worker<'_>,
    units: Vec<db::org::Unit>,
    patient_id: Option<i64>,
) -> Page {
    let choices: Vec<Choice> = units.iter().map(|u| Choice::new(u.id, &u.name)).collect();
    Page::new(title, Some(user))
        .with("units", choices)
        .with("patient_id", patient_id)
}

#[rocket::get("/patients/new")]
async fn new_page(user: Worker<'_>, db: &State<Db>) -> AppResult<Template> {
    let units = unit_choices(db, &user).await?;
    let form = PatientForm {
        unit_id: user
            .unit_id
            .map(|u| u.to_string())
            .unwrap_or_default()
            .as_str()
            .into(),
        ..PatientForm::default()
    };
    Ok(form_page("Registrer pasient", &user, units, None)
        .with("form", form)
        .render("patients/form"))
}

/// What a worker is told when the fødselsnummer is taken: that it is registered, only when
/// the patient is within the worker's own unit; otherwise nothing about whether or where.
fn fnr_taken_message(user: &Worker<'_>, holder_unit: i64) -> &'static str {
    if user.unit_id == Some(holder_unit) {
        "Det er allerede registrert en pasient med dette fødselsnummeret. Søk opp pasienten i pasientlisten."
    } else {
        FNR_ELSEWHERE
    }
}

const FNR_ELSEWHERE: &str =
    "Pasienten kan ikke registreres her. Kontakt leder dersom pasienten skal flyttes til din enhet.";

/// Parses the form and checks what needs the database: the unit and a unique fødselsnummer.
async fn parse_form(
    db: &Db,
    user: &Worker<'_>,
    units: &[db::org::Unit],
    form: &PatientForm,
    clock: &Clock,
    except_id: Option<i64>,
) -> AppResult<Result<(crate::domain::patient::PatientInput, i64), FieldErrors>> {
    let (today, now) = (clock.today(), clock.now());
    let draft = PatientDraft {
        full_name: &form.full_name,
        birth_date: &form.birth_date,
        fnr: &form.fnr,
        phone: &form.phone,
        address: &form.address,
        services: &form.services,
    };
    let mut errors = FieldErrors::new();
    let parsed = draft.parse(today).map_err(|e| errors = e).ok();
    let unit_id = form
        .unit_id
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| units.iter().any(|u| u.id == *id));
    if unit_id.is_none() {
        errors.add(
            "unit_id",
            "Velg tjenestestedet som gir pasienten tjenester.",
        );
    }
    if let Some(fnr) = parsed.as_ref().and_then(|p| p.fnr.as_ref()) {
        if let Some(holder) = patients::fnr_holder(db, fnr.as_str(), except_id).await? {
            errors.add("fnr", fnr_taken_message(user, holder.unit_id));
            if !user
                .scope()
                .is_some_and(|s| s.covers(holder.unit_id, holder.district_id))
            {
                // Not a hint of where, but reviewable: the attempt shows in that patient's
                // access history and in the report of access outside the user's unit.
                let detail = if except_id.is_some() {
                    "endring av pasient med et fødselsnummer som tilhører en pasient utenfor egen enhet"
                } else {
                    "registrering med et fødselsnummer som tilhører en pasient utenfor egen enhet"
                };
                access_log::record(
                    db,
                    &access(
                        &user.actor(),
                        Action::Refused,
                        "patient",
                        Some(holder.id),
                        Some((holder.id, holder.unit_id)),
                        detail,
                    ),
                    now,
                )
                .await?;
            }
        }
    }
    errors.order_by(crate::domain::patient::FIELDS);
    Ok(match (parsed, unit_id) {
        (Some(p), Some(u)) if errors.is_empty() => Ok((p, u)),
        _ => Err(errors),
    })
}

#[rocket::post("/patients", data = "<form>")]
async fn create(
    user: Worker<'_>,
    form: CsrfForm<PatientForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let units = unit_choices(db, &user).await?;
    let (input, unit_id) = match parse_form(db, &user, &units, &form, clock, None).await? {
        Ok(ok) => ok,
        Err(errors) => {
            return Ok(invalid(
                form_page("Registrer pasient", &user, units, None),
                &form.0,
                &errors,
                "patients/form",
            ))
        }
    };
    let now = clock.now();
    let mut tx = db.begin().await?;
    let id = match patients::insert(&mut tx, unit_id, &input, now).await {
        Ok(id) => id,
        Err(e) if db::is_unique_violation(&e) => {
            let mut errors = FieldErrors::new();
            errors.add("fnr", FNR_ELSEWHERE);
            return Ok(invalid(
                form_page("Registrer pasient", &user, units, None),
                &form.0,
                &errors,
                "patients/form",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    db::changes::patient(&mut tx, id, unit_id).await?;
    access_log::record_tx(
        &mut tx,
        &access(
            &user.actor(),
            Action::Create,
            "patient",
            Some(id),
            Some((id, unit_id)),
            "",
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(done(format!("/patients/{id}"), "Pasienten er registrert."))
}

/// The patient within the reader's scope, or 404.
pub async fn find(db: &Db, scope: Scope, id: i64) -> AppResult<PatientRow> {
    patients::get(db, scope, id)
        .await?
        .ok_or(AppError::NotFound)
}

#[rocket::get("/patients/<id>/edit")]
async fn edit_page(
    user: Worker<'_>,
    id: i64,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Template> {
    let patient = find(db, user.scope().unwrap_or(Scope::Unit(-1)), id).await?;
    access_log::record(
        db,
        &access(
            &user.actor(),
            Action::View,
            "patient",
            Some(id),
            Some((id, patient.unit_id)),
            "redigering",
        ),
        clock.now(),
    )
    .await?;
    let units = unit_choices(db, &user).await?;
    Ok(form_page("Endre pasient", &user, units, Some(id))
        .with("form", PatientForm::from_row(&patient))
        .render("patients/form"))
}

#[rocket::post("/patients/<id>", data = "<form>")]
async fn update(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<PatientForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let patient = find(db, user.scope().unwrap_or(Scope::Unit(-1)), id).await?;
    let units = unit_choices(db, &user).await?;
    let (input, unit_id) = match parse_form(db, &user, &units, &form, clock, Some(id)).await? {
        Ok(ok) => ok,
        Err(errors) => {
            return Ok(invalid(
                form_page("Endre pasient", &user, units, Some(id)),
                &form.0,
                &errors,
                "patients/form",
            ))
        }
    };
    let now = clock.now();
    let mut tx = db.begin().await?;
    if let Err(e) = patients::update(&mut tx, id, unit_id, &input, now).await {
        if db::is_unique_violation(&e) {
            let mut errors = FieldErrors::new();
            errors.add("fnr", FNR_ELSEWHERE);
            return Ok(invalid(
                form_page("Endre pasient", &user, units, Some(id)),
                &form.0,
                &errors,
                "patients/form",
            ));
        }
        return Err(e.into());
    }
    db::changes::patient(&mut tx, id, unit_id).await?;
    let detail = if unit_id != patient.unit_id {
        db::changes::unit(&mut tx, patient.unit_id).await?;
        let unit_name = units
            .iter()
            .find(|u| u.id == unit_id)
            .map(|u| u.name.as_str())
            .unwrap_or_default();
        db::followups::follow_patient(&mut tx, id, unit_id, unit_name, user.id, now).await?;
        "flyttet til annet tjenestested"
    } else {
        ""
    };
    access_log::record_tx(
        &mut tx,
        &access(
            &user.actor(),
            Action::Update,
            "patient",
            Some(id),
            Some((id, unit_id)),
            detail,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    if user.unit_id != Some(unit_id) {
        // Moved out of the worker's own unit: its page is no longer theirs to open.
        let unit = units
            .iter()
            .find(|u| u.id == unit_id)
            .map(|u| u.name.as_str());
        return Ok(done(
            "/patients".into(),
            &format!(
                "Pasienten er flyttet til {}. Du har ikke lenger tilgang til pasienten.",
                unit.unwrap_or("en annen enhet")
            ),
        ));
    }
    Ok(done(format!("/patients/{id}"), "Endringene er lagret."))
}

async fn set_archived(
    user: Worker<'_>,
    id: i64,
    archive: Option<ArchiveReason>,
    db: &Db,
    clock: &Clock,
) -> AppResult<Submitted> {
    let patient = find(db, user.scope().unwrap_or(Scope::Unit(-1)), id).await?;
    let now = clock.now();
    let today = clock.today();
    let mut tx = db.begin().await?;
    let reason = archive.map_or("", |r| r.key());
    patients::set_archived(&mut tx, id, archive.map(|_| now), reason, now).await?;
    db::changes::patient(&mut tx, id, patient.unit_id).await?;
    // After a death, the bereaved children are owed a follow-up (helsepersonelloven § 10 b).
    let children: Vec<db::relatives::RelativeRow> = db::relatives::for_patient(db, id)
        .await?
        .into_iter()
        .filter(|r| crate::domain::relative::is_child(r.birth_date, &r.age_group, today))
        .collect();
    let names: Vec<String> = children.iter().map(|r| r.full_name.clone()).collect();
    let bereaved = archive.and_then(|r| crate::domain::children::bereaved_followup(r, &names));
    if let Some(concerns) = &bereaved {
        let f = db::followups::NewFollowup {
            patient_id: id,
            unit_id: patient.unit_id,
            relative_id: children.first().map(|r| r.id),
            meeting_id: None,
            kind: "child",
            concerns,
            due_on: today + chrono::Duration::days(7),
            owner_id: user.id,
        };
        db::followups::insert(&mut tx, &f, user.id, now).await?;
    }
    let detail = match archive {
        Some(r) => format!("arkivert: {}", r.label().to_lowercase()),
        None => "gjenopprettet".to_string(),
    };
    let detail = detail.as_str();
    access_log::record_tx(
        &mut tx,
        &access(
            &user.actor(),
            Action::Archive,
            "patient",
            Some(id),
            Some((id, patient.unit_id)),
            detail,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    let message = match (archive, bereaved) {
        (Some(_), Some(_)) => {
            "Pasienten er arkivert. Oppfølgingen av de etterlatte barna ligger på listen din."
        }
        (Some(_), None) => "Pasienten er arkivert.",
        (None, _) => "Pasienten er gjenopprettet.",
    };
    Ok(done(format!("/patients/{id}"), message))
}

#[derive(Debug, FromForm, Serialize)]
struct ArchiveForm {
    archive_reason: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(ArchiveForm);

/// Archiving asks why: a death with children who are relatives gives their follow-up.
#[rocket::post("/patients/<id>/archive", data = "<form>")]
async fn archive(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<ArchiveForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let Some(reason) = ArchiveReason::parse(form.archive_reason.trim()) else {
        let patient = find(db, user.read_scope(), id).await?;
        let mut e = FieldErrors::new();
        e.add("archive_reason", "Velg hvorfor pasienten arkiveres.");
        let page = show::patient_page(db, &user, &patient, clock.today())
            .await?
            .with("failed", "archive");
        return Ok(invalid(page, &form.0, &e, "patients/show"));
    };
    set_archived(user, id, Some(reason), db, clock).await
}

#[rocket::post("/patients/<id>/restore", data = "<_form>")]
async fn restore(
    user: Worker<'_>,
    id: i64,
    _form: CsrfForm<CsrfOnly>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    set_archived(user, id, None, db, clock).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_clamps_to_existing_pages() {
        assert_eq!(
            Paging::new(None, 0, 25),
            Paging {
                page: 1,
                pages: 1,
                total: 0,
                offset: 0
            }
        );
        assert_eq!(
            Paging::new(Some("3"), 51, 25),
            Paging {
                page: 3,
                pages: 3,
                total: 51,
                offset: 50
            }
        );
        assert_eq!(Paging::new(Some("99"), 51, 25).page, 3);
        assert_eq!(Paging::new(Some("-4"), 51, 25).page, 1);
        assert_eq!(Paging::new(Some("x"), 51, 25).page, 1);
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(encode("Åse B&a"), "%C3%85se+B%26a");
    }
}
