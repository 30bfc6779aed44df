//! Map (Kartlegge): dated mappings of a relative's situation, never overwritten.

use crate::audit::{record_change, record_view};
use crate::clock::Clock;
use crate::db::access_log::Action;
use crate::db::mappings::MappingRow;
use crate::db::{self, Db};
use crate::domain::choices::{self, label, split};
use crate::domain::dates::format_date;
use crate::domain::forms as f;
use crate::domain::strain;
use crate::domain::validation::FieldErrors;
use crate::web::infra::csrf::CsrfForm;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::forms::Text;
use crate::web::infra::page::choice_list;
use crate::web::infra::page::{done, invalid, Page, Submitted};
use crate::web::infra::session::{Reader, Worker};
use crate::web::relatives::find_relative;
use rocket::{FromForm, State};
use rocket_dyn_templates::Template;
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
        .with("violence_choices", choice_list(choices::YES_NO_UNSURE))
        .with("strain_items", strain_items())
        .with("yes_no", choice_list(&[("1", "Ja"), ("0", "Nei")]))
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
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
    let mut e = FieldErrors::new();
    let mapped_on = f::date(
        &mut e,
        "mapped_on",
        &form.mapped_on,
        Some("Skriv datoen for kartleggingen."),
    );
    f::not_in_future(
        &mut e,
        "mapped_on",
        mapped_on,
        clock.today(),
        "Kartleggingen",
    );
    let roles = choices::join_valid(choices::ROLES, &strs(&form.roles));
    let tasks = choices::join_valid(choices::CARE_TASKS, &strs(&form.tasks));
    let task_other = f::line(&mut e, "task_other", &form.task_other, 300, None);
    let hours_per_week = f::hours(&mut e, "hours_per_week", &form.hours_per_week);
    let work_study = f::text(&mut e, "work_study", &form.work_study, 2000);
    let own_health = f::text(&mut e, "own_health", &form.own_health, 2000);
    let other_care = f::text(&mut e, "other_care", &form.other_care, 2000);
    let distance = f::line(&mut e, "distance", &form.distance, 200, None);
    let mut answers = [None; 13];
    for (i, raw) in form.strain().iter().enumerate() {
        answers[i] = match &***raw {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        };
    }
    let answered = answers.iter().filter(|a| a.is_some()).count();
    if answered > 0 && answered < 13 {
        e.add(
            "s0",
            "Svar ja eller nei på alle 13 spørsmålene om belastning, eller la alle stå tomme.",
        );
    }
    let what_matters = f::text(&mut e, "what_matters", &form.what_matters, 4000);
    let views = f::text(&mut e, "views", &form.views, 4000);
    let not_wanted = f::text(&mut e, "not_wanted", &form.not_wanted, 4000);
    let violence = f::choice(
        &mut e,
        "violence",
        &form.violence,
        choices::YES_NO_UNSURE,
        "Velg om det er bekymring for vold, trusler eller overgrep.",
    );
    let violence_action = f::text(&mut e, "violence_action", &form.violence_action, 4000);
    if (violence == "yes" || violence == "unsure") && violence_action.is_empty() {
        e.add("violence_action", "Skriv hva som er gjort med bekymringen.");
    }
    let support_needs = choices::join_valid(choices::SUPPORT_NEEDS, &strs(&form.support_needs));
    let support_other = f::line(&mut e, "support_other", &form.support_other, 300, None);
    let Some(mapped_on) = mapped_on.filter(|_| e.is_empty()) else {
        return Ok(invalid(form_page(&user, &r), &form.0, &e, "mappings/form"));
    };
    let score = strain::score(&answers);
    let row = MappingRow {
        relative_id: id,
        mapped_on,
        roles,
        tasks,
        task_other,
        hours_per_week,
        work_study,
        own_health,
        other_care,
        distance,
        strain_answers: if answered == 0 {
            String::new()
        } else {
            strain::encode(&answers)
        },
        strain_score: score,
        what_matters,
        views,
        not_wanted,
        violence,
        violence_action,
        support_needs,
        support_other,
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
        .with("strain_rows", strain_rows)
        .with("high_strain", strain::is_high(m.strain_score))
        .with("history", history)
        .flash(flash)
        .render("mappings/show"))
}
