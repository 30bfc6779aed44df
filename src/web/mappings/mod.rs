//! Map (Kartlegge): dated mappings of a relative's situation, never overwritten.

use crate::audit::{record_change, record_view};
use crate::clock::Clock;
use crate::db::access_log::Action;
use crate::db::mappings::MappingRow;
use crate::db::{self, Db};
use crate::domain::choices::{self, label, split};
use crate::domain::dates::format_date;
use crate::domain::mapping::{MappingDraft, MappingFormInput};
use crate::domain::strain;
use crate::web::infra::csrf::CsrfForm;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::forms::Text;
use crate::web::infra::page::choice_list;
use crate::web::infra::page::{done, invalid, Page, Submitted};
use crate::web::infra::session::{Reader, Worker};
use crate::web::infra::templates::Template;
use crate::web::relatives::find_relative;
use rocket::{FromForm, State};
use serde::Serialize;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![new_page, create, show]
}

#[derive(Debug, Default, FromForm, Serialize)]
struct MappingForm {
    mapped_on: Text,
    roles: Vec<String>,
    tasks: Vec<String>,
    task_other: Text,
    hours_per_week: Text,
    care_duration: Text,
    lost_income: Text,
    legal_duty: Text,
    work_study: Text,
    own_health: Text,
    other_care: Text,
    distance: Text,
    /// `s0`..`s12`: "1" yes, "0" no.
    s0: Text,
    s1: Text,
    s2: Text,
    s3: Text,
    s4: Text,
    s5: Text,
    s6: Text,
    s7: Text,
    s8: Text,
    s9: Text,
    s10: Text,
    s11: Text,
    s12: Text,
    what_matters: Text,
    views: Text,
    not_wanted: Text,
    violence: Text,
    violence_action: Text,
    support_needs: Vec<String>,
    support_other: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(MappingForm);

impl MappingForm {
    fn strain(&self) -> [&Text; 13] {
        [
            &self.s0, &self.s1, &self.s2, &self.s3, &self.s4, &self.s5, &self.s6, &self.s7,
            &self.s8, &self.s9, &self.s10, &self.s11, &self.s12,
        ]
    }
}

#[derive(Serialize)]
struct StrainItem {
    field: String,
    number: usize,
    text: &'static str,
}

fn strain_items() -> Vec<StrainItem> {
    strain::ITEMS
        .iter()
        .enumerate()
        .map(|(i, t)| StrainItem {
            field: format!("s{i}"),
            number: i + 1,
            text: t,
        })
        .collect()
}

fn form_page(user: &Worker<'_>, r: &db::relatives::RelativeRow) -> Page {
    Page::new("Ny kartlegging", Some(user))
        .with("relative", r)
        .with("role_choices", choice_list(choices::ROLES))
        .with("task_choices", choice_list(choices::CARE_TASKS))
        .with("need_choices", choice_list(choices::SUPPORT_NEEDS))
        .with("duration_choices", choice_list(choices::CARE_DURATIONS))
        .with("violence_choices", choice_list(choices::YES_NO_UNSURE))
        .with("strain_items", strain_items())
        .with("yes_no", choice_list(&[("1", "Ja"), ("0", "Nei")]))
}

#[rocket::get("/relatives/<id>/mappings/new")]
async fn new_page(
    user: Worker<'_>,
    id: i64,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Template> {
    let r = find_relative(db, user.read_scope(), id).await?;
    let form = serde_json::json!({ "mapped_on": format_date(clock.today()), "violence": "no", "roles": [], "tasks": [], "support_needs": [] });
    Ok(form_page(&user, &r)
        .with("form", form)
        .render("mappings/form"))
}

#[rocket::post("/relatives/<id>/mappings", data = "<form>")]
async fn create(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<MappingForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let r = find_relative(db, user.read_scope(), id).await?;
    let strain = form.strain().map(|t| t.0.as_str());
    let input = MappingFormInput {
        mapped_on: &form.mapped_on,
        roles: &form.roles,
        tasks: &form.tasks,
        task_other: &form.task_other,
        hours_per_week: &form.hours_per_week,
        care_duration: &form.care_duration,
        lost_income: form.lost_income.is_on(),
        legal_duty: form.legal_duty.is_on(),
        work_study: &form.work_study,
        own_health: &form.own_health,
        other_care: &form.other_care,
        distance: &form.distance,
        strain,
        what_matters: &form.what_matters,
        views: &form.views,
        not_wanted: &form.not_wanted,
        violence: &form.violence,
        violence_action: &form.violence_action,
        support_needs: &form.support_needs,
        support_other: &form.support_other,
    };
    let d = match MappingDraft::parse(&input, clock.today()) {
        Ok(d) => d,
        Err(e) => return Ok(invalid(form_page(&user, &r), &form.0, &e, "mappings/form")),
    };
    let score = d.strain_score;
    let row = MappingRow {
        relative_id: id,
        mapped_on: d.mapped_on,
        roles: d.roles,
        tasks: d.tasks,
        task_other: d.task_other,
        hours_per_week: d.hours_per_week,
        care_duration: d.care_duration,
        lost_income: d.lost_income,
        legal_duty: d.legal_duty,
        work_study: d.work_study,
        own_health: d.own_health,
        other_care: d.other_care,
        distance: d.distance,
        strain_answers: d.strain_answers,
        strain_score: d.strain_score,
        what_matters: d.what_matters,
        views: d.views,
        not_wanted: d.not_wanted,
        violence: d.violence,
        violence_action: d.violence_action,
        support_needs: d.support_needs,
        support_other: d.support_other,
        ..MappingRow::default()
    };
    let now = clock.now();
    let mut tx = db.begin().await?;
    let mid = db::mappings::insert(&mut tx, &row, user.id, now).await?;
    let summary = match score {
        Some(s) => format!("Kartlegging av {}, belastning {s} av 13", r.full_name),
        None => format!("Kartlegging av {}", r.full_name),
    };
    record_change(
        &mut tx,
        &user.actor(),
        Action::Create,
        "mapping",
        mid,
        (r.patient_id, r.unit_id),
        &summary,
        now,
    )
    .await?;
    tx.commit().await?;
    let message = if strain::is_high(score) {
        "Kartleggingen er lagret. Belastningen er høy (7 eller mer): snakk med den pårørende om støttetiltak, og vurder en pårørendeavtale."
    } else {
        "Kartleggingen er lagret."
    };
    Ok(done(format!("/mappings/{mid}"), message))
}

#[derive(Serialize)]
struct Labelled {
    label: &'static str,
}

fn labels(list: choices::Choices, stored: &str) -> Vec<Labelled> {
    split(stored)
        .into_iter()
        .map(|k| Labelled {
            label: label(list, k),
        })
        .collect()
}

#[rocket::get("/mappings/<id>")]
async fn show(
    user: Reader<'_>,
    id: i64,
    db: &State<Db>,
    clock: &State<Clock>,
    flash: Option<rocket::request::FlashMessage<'_>>,
) -> AppResult<Template> {
    let m = db::mappings::get(db, id).await?.ok_or(AppError::NotFound)?;
    let r = find_relative(db, user.scope(), m.relative_id).await?;
    record_view(
        db,
        &user.actor(),
        "mapping",
        id,
        (r.patient_id, r.unit_id),
        clock.now(),
    )
    .await?;
    let answers = strain::decode(&m.strain_answers);
    let strain_rows: Vec<serde_json::Value> = strain::ITEMS
        .iter()
        .zip(answers.iter())
        .map(|(t, a)| serde_json::json!({ "text": t, "answer": match a { Some(true) => "Ja", Some(false) => "Nei", None => "–" } }))
        .collect();
    let history = db::mappings::for_relative(db, m.relative_id).await?;
    Ok(Page::new("Kartlegging", Some(&user))
        .with("mapping", &m)
        .with("relative", &r)
        .with("roles", labels(choices::ROLES, &m.roles))
        .with("tasks", labels(choices::CARE_TASKS, &m.tasks))
        .with("needs", labels(choices::SUPPORT_NEEDS, &m.support_needs))
        .with("violence_label", label(choices::YES_NO_UNSURE, &m.violence))
        .with(
            "duration_label",
            label(choices::CARE_DURATIONS, &m.care_duration),
        )
        .with(
            "heavy",
            crate::domain::indicators::is_heavy(&crate::domain::indicators::CareFacts {
                strain_score: m.strain_score,
                hours_per_week: m.hours_per_week,
                care_duration: &m.care_duration,
                lost_income: m.lost_income,
                legal_duty: m.legal_duty,
            }),
        )
        .with("strain_rows", strain_rows)
        .with("high_strain", strain::is_high(m.strain_score))
        .with("history", history)
        .flash(flash)
        .render("mappings/show"))
}
