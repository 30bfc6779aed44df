//! Identify (Identifisere): registering relatives, their consent, the follow-up of child
//! relatives, and the explicit outcome when there is nobody to involve.

pub mod identify;

use crate::audit::{record_change, record_view};
use crate::clock::Clock;
use crate::db::access_log::Action;
use crate::db::relatives::{ConsentInput, RelativeInput, RelativeRow};
use crate::db::{self, Db};
use crate::domain::choices::{self, label};
use crate::domain::dates::format_date;
use crate::domain::relative::relation_text;
use crate::domain::relative::{
    age_group_for, is_child, RelativeContext, RelativeDraft, RelativeFormInput,
};
use crate::domain::relative::{Consent, ConsentFields};
use crate::domain::validation::FieldErrors;
use crate::web::infra::csrf::CsrfForm;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::forms::Text;
use crate::web::infra::page::{choice_list, ids, staff_choices};
use crate::web::infra::page::{done, invalid, Page, Submitted};
use crate::web::infra::session::{Reader, Worker};
use crate::web::infra::templates::Template;
use crate::web::patients::find;
use chrono::NaiveDate;
use rocket::request::FlashMessage;
use rocket::{FromForm, State};
use serde::Serialize;

pub fn routes() -> Vec<rocket::Route> {
    let mut routes = rocket::routes![new_page, create, show, edit_page, update, add_consent];
    routes.extend(identify::routes());
    routes
}

const FIELDS: &[&str] = &[
    "full_name",
    "relation",
    "relation_other",
    "phone",
    "email",
    "address",
    "birth_date",
    "age_group",
    "language",
    "interpreter",
    "closest",
    "closest_basis",
    "closest_on",
    "confirm_closest",
    "guardian",
    "involvement",
    "contact_person_id",
    "consent_scope",
    "consent_topics",
    "consent_on",
    "consent_how",
];

#[derive(Debug, Default, FromForm, Serialize)]
pub struct RelativeForm {
    full_name: Text,
    relation: Text,
    relation_other: Text,
    phone: Text,
    email: Text,
    address: Text,
    birth_date: Text,
    age_group: Text,
    language: Text,
    interpreter: Text,
    closest: Text,
    closest_basis: Text,
    closest_on: Text,
    confirm_closest: Text,
    guardian: Text,
    involvement: Text,
    contact_person_id: Text,
    consent_scope: Text,
    consent_topics: Text,
    consent_on: Text,
    consent_how: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(RelativeForm);

/// Parses the relative form; `with_consent` on registration, where consent is asked too.
async fn parse(
    db: &Db,
    form: &RelativeForm,
    patient_id: i64,
    unit_id: i64,
    except: Option<i64>,
    today: NaiveDate,
    with_consent: bool,
) -> AppResult<Result<(RelativeInput, Option<ConsentInput>), FieldErrors>> {
    let staff = match form.contact_person_id.trim() {
        "" => Vec::new(),
        _ => ids(&staff_choices(db, unit_id).await?),
    };
    let other_closest = if form.closest.is_on() && !form.confirm_closest.is_on() {
        db::relatives::other_closest(db, patient_id, except).await?
    } else {
        Vec::new()
    };
    let ctx = RelativeContext {
        staff: &staff,
        other_closest: &other_closest,
    };
    let input = RelativeFormInput {
        full_name: &form.full_name,
        relation: &form.relation,
        relation_other: &form.relation_other,
        phone: &form.phone,
        email: &form.email,
        address: &form.address,
        birth_date: &form.birth_date,
        age_group: &form.age_group,
        language: &form.language,
        interpreter: form.interpreter.is_on(),
        closest: form.closest.is_on(),
        closest_basis: &form.closest_basis,
        closest_on: &form.closest_on,
        confirm_closest: form.confirm_closest.is_on(),
        guardian: form.guardian.is_on(),
        involvement: &form.involvement,
        contact_person_id: &form.contact_person_id,
    };
    let (input, mut e) = RelativeDraft::parse(&input, &ctx, today);
    let consent = if with_consent {
        let typed = ConsentFields {
            scope: &form.consent_scope,
            topics: &form.consent_topics,
            on: &form.consent_on,
            how: &form.consent_how,
            prefix: "consent_",
        };
        Consent::parse(&typed, today, &mut e)
    } else {
        None
    };
    e.order_by(FIELDS);
    Ok(e.into_result(|| (input, consent)))
}

async fn form_page(
    db: &Db,
    title: &str,
    user: &Worker<'_>,
    patient: &db::patients::PatientRow,
    relative_id: Option<i64>,
) -> AppResult<Page> {
    Ok(Page::new(title, Some(user))
        .with("patient", patient)
        .with("relative_id", relative_id)
        .with("relations", choice_list(choices::RELATIONS))
        .with("age_groups", choice_list(choices::AGE_GROUPS))
        .with("involvements", choice_list(choices::INVOLVEMENT))
        .with("closest_bases", choice_list(choices::CLOSEST_BASIS))
        .with("consent_scopes", choice_list(choices::CONSENT_SCOPES))
        .with("staff", staff_choices(db, patient.unit_id).await?))
}

#[rocket::get("/patients/<id>/relatives/new")]
async fn new_page(
    user: Worker<'_>,
    id: i64,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Template> {
    let patient = find(db, user.read_scope(), id).await?;
    let today = format_date(clock.today());
    let form = serde_json::json!({ "involvement": "unclear", "age_group": "", "consent_on": today, "consent_scope": "" });
    Ok(form_page(db, "Registrer pårørende", &user, &patient, None)
        .await?
        .with("form", form)
        .render("relatives/form"))
}

#[rocket::post("/patients/<id>/relatives", data = "<form>")]
async fn create(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<RelativeForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let patient = find(db, user.read_scope(), id).await?;
    let today = clock.today();
    let (input, consent) = match parse(db, &form, id, patient.unit_id, None, today, true).await? {
        Ok(ok) => ok,
        Err(errors) => {
            let page = form_page(db, "Registrer pårørende", &user, &patient, None).await?;
            return Ok(invalid(page, &form.0, &errors, "relatives/form"));
        }
    };
    let now = clock.now();
    let mut tx = db.begin().await?;
    let rid = db::relatives::insert(&mut tx, id, &input, user.id, now).await?;
    if let Some(c) = consent {
        db::relatives::add_consent(&mut tx, rid, &c, user.id, now).await?;
    }
    let child = is_child(input.birth_date, &input.age_group, today);
    let summary = format!(
        "Pårørende registrert: {} ({}){}",
        input.full_name,
        relation_text(&input.relation, &input.relation_other),
        if child { ", barn under 18 år" } else { "" }
    );
    record_change(
        &mut tx,
        &user.actor(),
        Action::Create,
        "relative",
        rid,
        (id, patient.unit_id),
        &summary,
        now,
    )
    .await?;
    tx.commit().await?;
    let message = if child {
        "Den pårørende er registrert. Barnet trenger oppfølging: registrer det når barnet har fått informasjon og noen følger det opp."
    } else {
        "Den pårørende er registrert."
    };
    Ok(done(format!("/relatives/{rid}"), message))
}

pub async fn find_relative(
    db: &Db,
    scope: crate::domain::access::Scope,
    id: i64,
) -> AppResult<RelativeRow> {
    db::relatives::get(db, scope, id)
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Serialize)]
struct ConsentView {
    #[serde(flatten)]
    row: db::relatives::ConsentRow,
    scope_label: &'static str,
}

#[rocket::get("/relatives/<id>")]
async fn show(
    user: Reader<'_>,
    id: i64,
    db: &State<Db>,
    clock: &State<Clock>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    let r = find_relative(db, user.scope(), id).await?;
    record_view(
        db,
        &user.actor(),
        "relative",
        id,
        (r.patient_id, r.unit_id),
        clock.now(),
    )
    .await?;
    let today = clock.today();
    let consents: Vec<ConsentView> = db::relatives::consents(db, id)
        .await?
        .into_iter()
        .map(|row| ConsentView {
            scope_label: label(choices::CONSENT_SCOPES, &row.scope),
            row,
        })
        .collect();
    let mappings = db::mappings::for_relative(db, id).await?;
    let child = is_child(r.birth_date, &r.age_group, today);
    let child_followups = db::relatives::child_followups(db, id).await?;
    let routine = crate::web::patients::show::load(db, r.patient_id, today).await?;
    let summary = routine.relatives.into_iter().find(|s| s.id == id);
    let parties = db::agreements::parties_for_patient(db, r.patient_id).await?;
    let agreements: Vec<_> = routine
        .agreements
        .into_iter()
        .filter(|a| parties.contains(&(a.id, id)))
        .collect();
    Ok(Page::new(&r.full_name, Some(&user))
        .with("agreements", agreements)
        .with("relative", &r)
        .with("relation", relation_text(&r.relation, &r.relation_other))
        .with(
            "involvement_label",
            label(choices::INVOLVEMENT, &r.involvement),
        )
        .with(
            "closest_basis_label",
            label(choices::CLOSEST_BASIS, &r.closest_basis),
        )
        .with("age_group_label", label(choices::AGE_GROUPS, &r.age_group))
        .with("summary", summary)
        .with("consents", consents)
        .with("consent_scopes", choice_list(choices::CONSENT_SCOPES))
        .with("mappings", mappings)
        .with("child", child)
        .with("child_followups", child_followups)
        .with("form", serde_json::json!({ "on": format_date(today) }))
        .with("can_edit", user.role == crate::domain::user::Role::Worker)
        .flash(flash)
        .render("relatives/show"))
}

impl RelativeForm {
    fn from_row(r: &RelativeRow, today: NaiveDate) -> RelativeForm {
        let on = |b: bool| Text::from(if b { "1" } else { "" });
        RelativeForm {
            full_name: r.full_name.as_str().into(),
            relation: r.relation.as_str().into(),
            relation_other: r.relation_other.as_str().into(),
            phone: r.phone.as_deref().unwrap_or_default().into(),
            email: r.email.as_deref().unwrap_or_default().into(),
            address: r.address.as_str().into(),
            birth_date: r
                .birth_date
                .map(format_date)
                .unwrap_or_default()
                .as_str()
                .into(),
            // A birthday since the record was saved must not make the form disagree.
            age_group: age_group_for(r.birth_date, "", today)
                .unwrap_or_else(|_| r.age_group.clone())
                .as_str()
                .into(),
            language: r.language.as_str().into(),
            interpreter: on(r.interpreter),
            closest: on(r.closest),
            closest_basis: r.closest_basis.as_str().into(),
            closest_on: r
                .closest_on
                .map(format_date)
                .unwrap_or_default()
                .as_str()
                .into(),
            confirm_closest: on(r.closest),
            guardian: on(r.guardian),
            involvement: r.involvement.as_str().into(),
            contact_person_id: r
                .contact_person_id
                .map(|i| i.to_string())
                .unwrap_or_default()
                .as_str()
                .into(),
            ..RelativeForm::default()
        }
    }
}

#[rocket::get("/relatives/<id>/edit")]
async fn edit_page(
    user: Worker<'_>,
    id: i64,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Template> {
    let r = find_relative(db, user.read_scope(), id).await?;
    record_view(
        db,
        &user.actor(),
        "relative",
        id,
        (r.patient_id, r.unit_id),
        clock.now(),
    )
    .await?;
    let patient = find(db, user.read_scope(), r.patient_id).await?;
    Ok(form_page(db, "Endre pårørende", &user, &patient, Some(id))
        .await?
        .with("form", RelativeForm::from_row(&r, clock.today()))
        .render("relatives/form"))
}

#[rocket::post("/relatives/<id>", data = "<form>")]
async fn update(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<RelativeForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let r = find_relative(db, user.read_scope(), id).await?;
    let patient = find(db, user.read_scope(), r.patient_id).await?;
    let (input, _) = match parse(
        db,
        &form,
        r.patient_id,
        r.unit_id,
        Some(id),
        clock.today(),
        false,
    )
    .await?
    {
        Ok(ok) => ok,
        Err(errors) => {
            let page = form_page(db, "Endre pårørende", &user, &patient, Some(id)).await?;
            return Ok(invalid(page, &form.0, &errors, "relatives/form"));
        }
    };
    let now = clock.now();
    let mut tx = db.begin().await?;
    db::relatives::update(&mut tx, id, &input, now).await?;
    let summary = format!("Opplysninger om {} endret", input.full_name);
    record_change(
        &mut tx,
        &user.actor(),
        Action::Update,
        "relative",
        id,
        (r.patient_id, r.unit_id),
        &summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(done(format!("/relatives/{id}"), "Endringene er lagret."))
}

#[derive(Debug, FromForm, Serialize)]
struct ConsentForm {
    scope: Text,
    topics: Text,
    on: Text,
    how: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(ConsentForm);

#[rocket::post("/relatives/<id>/consent", data = "<form>")]
async fn add_consent(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<ConsentForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let r = find_relative(db, user.read_scope(), id).await?;
    let mut errors = FieldErrors::new();
    let typed = ConsentFields {
        scope: &form.scope,
        topics: &form.topics,
        on: &form.on,
        how: &form.how,
        prefix: "",
    };
    let consent = Consent::parse(&typed, clock.today(), &mut errors);
    let consent = match consent {
        Some(c) if errors.is_empty() => c,
        _ => {
            let page = Page::new("Registrer samtykke", Some(&user))
                .with("relative", &r)
                .with("consent_scopes", choice_list(choices::CONSENT_SCOPES));
            return Ok(invalid(page, &form.0, &errors, "relatives/consent"));
        }
    };
    let now = clock.now();
    let mut tx = db.begin().await?;
    db::relatives::add_consent(&mut tx, id, &consent, user.id, now).await?;
    let summary = format!(
        "Samtykke for {}: {}",
        r.full_name,
        label(choices::CONSENT_SCOPES, &consent.scope).to_lowercase()
    );
    record_change(
        &mut tx,
        &user.actor(),
        Action::Update,
        "consent",
        id,
        (r.patient_id, r.unit_id),
        &summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        format!("/relatives/{id}"),
        "Samtykket er registrert. Tidligere samtykker er tatt vare på i historikken.",
    ))
}
