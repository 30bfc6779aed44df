//! Administration: districts, units and staff accounts. Administrators see no patient data.

use crate::audit::access;
use crate::clock::Clock;
use crate::db::access_log::{self, Action};
use crate::db::{self, Db};
use crate::domain::text::one_line;
use crate::domain::unit::{UnitContact, UnitContactInput};
use crate::domain::user::{password_problem, Role, UserDraft};
use crate::domain::validation::FieldErrors;
use crate::security::hash_password;
use crate::web::infra::csrf::CsrfForm;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::forms::{CsrfOnly, Text};
use crate::web::infra::page::{done, invalid, Choice, Page, Submitted};
use crate::web::infra::session::Admin;
use rocket::request::FlashMessage;
use rocket::{FromForm, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

mod letterhead;

pub fn routes() -> Vec<rocket::Route> {
    let mut routes = letterhead::routes();
    routes.extend(rocket::routes![
        overview,
        districts,
        create_district,
        rename_district,
        units,
        create_unit,
        edit_unit_page,
        update_unit,
        users,
        new_user_page,
        create_user,
        user_page,
        update_user,
        deactivate_user,
        activate_user,
        reset_password
    ]);
    routes
}

fn roles() -> Vec<Choice> {
    Role::ALL
        .iter()
        .map(|r| Choice::new(r.as_str(), r.label()))
        .collect()
}

#[rocket::get("/admin")]
async fn overview(
    user: Admin<'_>,
    db: &State<Db>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    Ok(Page::new("Administrasjon", Some(&user))
        .with("districts", db::org::districts(db).await?.len())
        .with("units", db::org::units(db).await?.len())
        .with("users", db::users::count(db).await?)
        .flash(flash)
        .render("admin/overview"))
}

/// A name for a district or unit: one line, 2–120 characters.
fn parse_org_name(raw: &str, what: &str) -> Result<String, String> {
    let name = one_line(raw);
    if name.is_empty() {
        return Err(format!("Skriv inn navnet på {what}."));
    }
    if name.chars().count() > 120 || name.chars().any(char::is_control) {
        return Err("Navnet kan være høyst 120 tegn, uten kontrolltegn.".into());
    }
    Ok(name)
}

#[derive(Debug, FromForm, Serialize)]
struct NameForm {
    name: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(NameForm);

async fn districts_page(user: &Admin<'_>, db: &Db) -> AppResult<Page> {
    Ok(Page::new("Bydeler", Some(user)).with("districts", db::org::districts(db).await?))
}

#[rocket::get("/admin/districts")]
async fn districts(
    user: Admin<'_>,
    db: &State<Db>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    Ok(districts_page(&user, db)
        .await?
        .flash(flash)
        .render("admin/districts"))
}

#[rocket::post("/admin/districts", data = "<form>")]
async fn create_district(
    user: Admin<'_>,
    form: CsrfForm<NameForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let mut errors = FieldErrors::new();
    if let Ok(name) = parse_org_name(&form.name, "bydelen").map_err(|m| errors.add("name", m)) {
        let mut tx = db.begin().await?;
        match db::org::insert_district(&mut tx, &name, clock.now()).await {
            Ok(_) => {
                tx.commit().await?;
                return Ok(done("/admin/districts".into(), "Bydelen er lagt til."));
            }
            Err(e) if db::is_unique_violation(&e) => {
                errors.add("name", "Det finnes allerede en bydel med dette navnet.")
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(invalid(
        districts_page(&user, db).await?,
        &form.0,
        &errors,
        "admin/districts",
    ))
}

#[rocket::post("/admin/districts/<id>", data = "<form>")]
async fn rename_district(
    user: Admin<'_>,
    id: i64,
    form: CsrfForm<NameForm>,
    db: &State<Db>,
) -> AppResult<Submitted> {
    db::org::district(db, id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::new();
    let field = format!("name-{id}");
    match parse_org_name(&form.name, "bydelen") {
        Ok(name) => {
            let mut tx = db.begin().await?;
            match db::org::rename_district(&mut tx, id, &name).await {
                Ok(_) => {
                    tx.commit().await?;
                    return Ok(done(
                        "/admin/districts".into(),
                        "Bydelen har fått nytt navn.",
                    ));
                }
                Err(e) if db::is_unique_violation(&e) => {
                    errors.add(&field, "Det finnes allerede en bydel med dette navnet.")
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(m) => errors.add(&field, m),
    }
    let page = districts_page(&user, db).await?.with(
        "renamed",
        serde_json::json!({ "id": id, "name": form.name.0 }),
    );
    Ok(invalid(
        page,
        serde_json::json!({}),
        &errors,
        "admin/districts",
    ))
}

#[derive(Debug, FromForm, Serialize)]
struct UnitForm {
    name: Text,
    district_id: Text,
    address: Text,
    phone: Text,
    phone_hours: Text,
    after_hours_phone: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(UnitForm);

async fn district_choices(db: &Db) -> AppResult<Vec<Choice>> {
    Ok(db::org::districts(db)
        .await?
        .iter()
        .map(|d| Choice::new(d.id, &d.name))
        .collect())
}

async fn units_page(title: &str, user: &Admin<'_>, db: &Db) -> AppResult<Page> {
    Ok(Page::new(title, Some(user))
        .with("units", db::org::units(db).await?)
        .with("district_options", district_choices(db).await?))
}

/// Saves a new (id None) or changed unit; errors come back field by field.
async fn save_unit(
    db: &Db,
    id: Option<i64>,
    form: &UnitForm,
    clock: &Clock,
) -> AppResult<Result<(), FieldErrors>> {
    let mut errors = FieldErrors::new();
    let name = parse_org_name(&form.name, "tjenestestedet")
        .map_err(|m| errors.add("name", m))
        .ok();
    let district = match form.district_id.trim().parse::<i64>() {
        Ok(d) => db::org::district(db, d).await?,
        Err(_) => None,
    };
    if district.is_none() {
        errors.add("district_id", "Velg bydelen tjenestestedet hører til.");
    }
    let contact = UnitContact::parse(&UnitContactInput {
        address: &form.address,
        phone: &form.phone,
        phone_hours: &form.phone_hours,
        after_hours_phone: &form.after_hours_phone,
    })
    .map_err(|e| e.into_iter().for_each(|(f, m)| errors.add(f, m)))
    .ok();
    let (Some(name), Some(district), Some(contact)) = (name, district, contact) else {
        return Ok(Err(errors));
    };
    let mut tx = db.begin().await?;
    let result = match id {
        None => db::org::insert_unit(&mut tx, district.id, &name, clock.now()).await,
        Some(id) => db::org::update_unit(&mut tx, id, district.id, &name)
            .await
            .map(|_| id),
    };
    let result = match result {
        Ok(unit_id) => db::org::set_unit_contact(&mut tx, unit_id, &contact)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            tx.commit().await?;
            Ok(Ok(()))
        }
        Err(e) if db::is_unique_violation(&e) => {
            errors.add(
                "name",
                "Det finnes allerede et tjenestested med dette navnet.",
            );
            Ok(Err(errors))
        }
        Err(e) => Err(e.into()),
    }
}

#[rocket::get("/admin/units")]
async fn units(
    user: Admin<'_>,
    db: &State<Db>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    Ok(units_page("Tjenestesteder", &user, db)
        .await?
        .flash(flash)
        .render("admin/units"))
}

#[rocket::post("/admin/units", data = "<form>")]
async fn create_unit(
    user: Admin<'_>,
    form: CsrfForm<UnitForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    match save_unit(db, None, &form, clock).await? {
        Ok(()) => Ok(done("/admin/units".into(), "Tjenestestedet er lagt til.")),
        Err(errors) => Ok(invalid(
            units_page("Tjenestesteder", &user, db).await?,
            &form.0,
            &errors,
            "admin/units",
        )),
    }
}

#[rocket::get("/admin/units/<id>")]
async fn edit_unit_page(user: Admin<'_>, id: i64, db: &State<Db>) -> AppResult<Template> {
    let unit = db::org::unit(db, id).await?.ok_or(AppError::NotFound)?;
    Ok(units_page("Endre tjenestested", &user, db)
        .await?
        .with("unit", &unit)
        .with(
            "form",
            serde_json::json!({
                "name": unit.name, "district_id": unit.district_id.to_string(),
                "address": unit.address, "phone": unit.phone,
                "phone_hours": unit.phone_hours, "after_hours_phone": unit.after_hours_phone,
            }),
        )
        .render("admin/unit"))
}

#[rocket::post("/admin/units/<id>", data = "<form>")]
async fn update_unit(
    user: Admin<'_>,
    id: i64,
    form: CsrfForm<UnitForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let unit = db::org::unit(db, id).await?.ok_or(AppError::NotFound)?;
    match save_unit(db, Some(id), &form, clock).await? {
        Ok(()) => Ok(done("/admin/units".into(), "Tjenestestedet er lagret.")),
        Err(errors) => {
            let page = units_page("Endre tjenestested", &user, db)
                .await?
                .with("unit", &unit);
            Ok(invalid(page, &form.0, &errors, "admin/unit"))
        }
    }
}

#[rocket::get("/admin/users")]
async fn users(
    user: Admin<'_>,
    db: &State<Db>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    Ok(Page::new("Brukere", Some(&user))
        .with("users", db::users::all(db).await?)
        .flash(flash)
        .render("admin/users"))
}

#[derive(Debug, Default, FromForm, Serialize)]
struct UserForm {
    username: Text,
    name: Text,
    role: Text,
    unit_id: Text,
    phone: Text,
    #[serde(skip)]
    password: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(UserForm);

async fn user_form_page(title: &str, user: &Admin<'_>, db: &Db) -> AppResult<Page> {
    let units: Vec<Choice> = db::org::units(db)
        .await?
        .iter()
        .map(|u| Choice::new(u.id, format!("{} ({})", u.name, u.district_name)))
        .collect();
    Ok(Page::new(title, Some(user))
        .with("unit_options", units)
        .with("roles", roles()))
}

/// The unit must exist; returns its id or records an error.
async fn check_unit(db: &Db, unit_id: Option<i64>, errors: &mut FieldErrors) -> AppResult<()> {
    if let Some(id) = unit_id {
        if db::org::unit(db, id).await?.is_none() {
            errors.add("unit_id", "Velg et tjenestested fra listen.");
        }
    }
    Ok(())
}

#[rocket::get("/admin/users/new")]
async fn new_user_page(user: Admin<'_>, db: &State<Db>) -> AppResult<Template> {
    let form = UserForm {
        role: "worker".into(),
        ..UserForm::default()
    };
    Ok(user_form_page("Ny bruker", &user, db)
        .await?
        .with("form", form)
        .render("admin/user_new"))
}

#[rocket::post("/admin/users", data = "<form>")]
async fn create_user(
    user: Admin<'_>,
    form: CsrfForm<UserForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let draft = UserDraft {
        username: &form.username,
        name: &form.name,
        role: &form.role,
        unit_id: &form.unit_id,
        phone: &form.phone,
        password: Some(&form.password),
    };
    let mut errors = FieldErrors::new();
    let parsed = draft.parse().map_err(|e| errors = e).ok();
    check_unit(db, parsed.as_ref().and_then(|p| p.unit_id), &mut errors).await?;
    let input = match parsed {
        Some(p) if errors.is_empty() => p,
        _ => {
            return Ok(invalid(
                user_form_page("Ny bruker", &user, db).await?,
                &form.0,
                &errors,
                "admin/user_new",
            ))
        }
    };
    let hash = hash_password(form.password.0.clone())
        .await
        .map_err(AppError::Internal)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let new = db::users::NewUser {
        username: &input.username,
        name: &input.name,
        role: input.role,
        unit_id: input.unit_id,
        phone: input.phone.as_deref(),
        password_hash: &hash,
    };
    let id = match db::users::insert(&mut tx, &new, now).await {
        Ok(id) => id,
        Err(e) if db::is_unique_violation(&e) => {
            errors.add("username", "Brukernavnet er allerede i bruk.");
            return Ok(invalid(
                user_form_page("Ny bruker", &user, db).await?,
                &form.0,
                &errors,
                "admin/user_new",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let detail = format!(
        "opprettet bruker {} ({})",
        input.username,
        input.role.label()
    );
    access_log::record_tx(
        &mut tx,
        &access(
            &user.actor(),
            Action::Create,
            "user",
            Some(id),
            None,
            &detail,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(done(format!("/admin/users/{id}"), "Brukeren er opprettet."))
}

async fn user_page_for(
    title: &str,
    user: &Admin<'_>,
    db: &Db,
    id: i64,
) -> AppResult<(Page, db::users::UserRow)> {
    let account = db::users::by_id(db, id).await?.ok_or(AppError::NotFound)?;
    let page = user_form_page(title, user, db)
        .await?
        .with("account", &account);
    Ok((page, account))
}

#[rocket::get("/admin/users/<id>")]
async fn user_page(
    user: Admin<'_>,
    id: i64,
    db: &State<Db>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    let (page, account) = user_page_for("Bruker", &user, db, id).await?;
    let form = UserForm {
        username: account.username.as_str().into(),
        name: account.name.as_str().into(),
        role: account.role.as_str().into(),
        unit_id: account
            .unit_id
            .map(|u| u.to_string())
            .unwrap_or_default()
            .as_str()
            .into(),
        phone: account.phone.as_deref().unwrap_or_default().into(),
        ..UserForm::default()
    };
    Ok(page.with("form", form).flash(flash).render("admin/user"))
}

#[rocket::post("/admin/users/<id>", data = "<form>")]
async fn update_user(
    user: Admin<'_>,
    id: i64,
    form: CsrfForm<UserForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let (page, account) = user_page_for("Bruker", &user, db, id).await?;
    let draft = UserDraft {
        username: &account.username,
        name: &form.name,
        role: &form.role,
        unit_id: &form.unit_id,
        phone: &form.phone,
        password: None,
    };
    let mut errors = FieldErrors::new();
    let parsed = draft.parse().map_err(|e| errors = e).ok();
    check_unit(db, parsed.as_ref().and_then(|p| p.unit_id), &mut errors).await?;
    if id == user.id && parsed.as_ref().is_some_and(|p| p.role != Role::Admin) {
        errors.add("role", "Du kan ikke ta fra deg selv administratorrollen.");
    }
    let input = match parsed {
        Some(p) if errors.is_empty() => p,
        _ => return Ok(invalid(page, &form.0, &errors, "admin/user")),
    };
    let now = clock.now();
    let mut tx = db.begin().await?;
    db::users::update_profile(
        &mut tx,
        id,
        &input.name,
        input.role,
        input.unit_id,
        input.phone.as_deref(),
    )
    .await?;
    let detail = format!(
        "endret bruker {} ({})",
        account.username,
        input.role.label()
    );
    access_log::record_tx(
        &mut tx,
        &access(
            &user.actor(),
            Action::Update,
            "user",
            Some(id),
            None,
            &detail,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    if input.role != account.role() || input.unit_id != account.unit_id {
        // New rights take effect at the next login.
        db::sessions::end_all_for_user(db, id, "role or unit changed", now).await?;
    }
    Ok(done(format!("/admin/users/{id}"), "Brukeren er lagret."))
}

async fn set_active(
    user: Admin<'_>,
    id: i64,
    active: bool,
    db: &Db,
    clock: &Clock,
) -> AppResult<Submitted> {
    let account = db::users::by_id(db, id).await?.ok_or(AppError::NotFound)?;
    if id == user.id && !active {
        return Ok(done(
            format!("/admin/users/{id}"),
            "Du kan ikke deaktivere din egen konto.",
        ));
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    db::users::set_active(&mut tx, id, active).await?;
    let detail = format!(
        "{} bruker {}",
        if active { "aktiverte" } else { "deaktiverte" },
        account.username
    );
    access_log::record_tx(
        &mut tx,
        &access(
            &user.actor(),
            Action::Update,
            "user",
            Some(id),
            None,
            &detail,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    if !active {
        db::sessions::end_all_for_user(db, id, "deactivated", now).await?;
    }
    let message = if active {
        "Brukeren er aktivert."
    } else {
        "Brukeren er deaktivert og logget ut."
    };
    Ok(done(format!("/admin/users/{id}"), message))
}

#[rocket::post("/admin/users/<id>/deactivate", data = "<_form>")]
async fn deactivate_user(
    user: Admin<'_>,
    id: i64,
    _form: CsrfForm<CsrfOnly>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    set_active(user, id, false, db, clock).await
}

#[rocket::post("/admin/users/<id>/activate", data = "<_form>")]
async fn activate_user(
    user: Admin<'_>,
    id: i64,
    _form: CsrfForm<CsrfOnly>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    set_active(user, id, true, db, clock).await
}

#[derive(Debug, FromForm, Serialize)]
struct ResetForm {
    #[serde(skip)]
    new_password: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(ResetForm);

#[rocket::post("/admin/users/<id>/password", data = "<form>")]
async fn reset_password(
    user: Admin<'_>,
    id: i64,
    form: CsrfForm<ResetForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let (page, account) = user_page_for("Bruker", &user, db, id).await?;
    if let Some(problem) = password_problem(&form.new_password, &[&account.username, &account.name])
    {
        let mut errors = FieldErrors::new();
        errors.add("new_password", problem);
        let current = serde_json::json!({
            "username": account.username, "name": account.name, "role": account.role,
            "unit_id": account.unit_id.map(|u| u.to_string()).unwrap_or_default(),
            "phone": account.phone.clone().unwrap_or_default(),
        });
        return Ok(invalid(page, current, &errors, "admin/user"));
    }
    let hash = hash_password(form.new_password.0.clone())
        .await
        .map_err(AppError::Internal)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    db::users::set_password(&mut tx, id, &hash, now).await?;
    let detail = format!("nytt passord for {}", account.username);
    access_log::record_tx(
        &mut tx,
        &access(
            &user.actor(),
            Action::Update,
            "user",
            Some(id),
            None,
            &detail,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    db::sessions::end_all_for_user(db, id, "password reset", now).await?;
    Ok(done(
        format!("/admin/users/{id}"),
        "Passordet er satt. Gi det til brukeren på en trygg måte.",
    ))
}
