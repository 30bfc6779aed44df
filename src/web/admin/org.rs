//! Districts (bydeler) and units (tjenestesteder), with the units' contact details for the
//! letterhead.

use crate::clock::Clock;
use crate::db::{self, Db};

use crate::domain::unit::{org_name, UnitContact, UnitContactInput};
use crate::domain::validation::FieldErrors;
use crate::web::infra::csrf::CsrfForm;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::forms::Text;
use crate::web::infra::page::{done, invalid, Choice, Page, Submitted};
use crate::web::infra::session::Admin;
use crate::web::infra::templates::Template;
use rocket::request::FlashMessage;
use rocket::{FromForm, State};
use serde::Serialize;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        districts,
        create_district,
        rename_district,
        units,
        create_unit,
        edit_unit_page,
        update_unit
    ]
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
    if let Ok(name) = org_name(&form.name, "bydelen").map_err(|m| errors.add("name", m)) {
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
    match org_name(&form.name, "bydelen") {
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
    let name = org_name(&form.name, "tjenestestedet")
        .map_err(|m| errors.add("name", m))
        .ok();
    let district = match form.district_id.trim().parse::<i64>() {
        Ok(d) => db::org::district(db, d).await?,
        Err(_) => None,
    };
    if district.is_none() {
        errors.add("district_id", "Velg bydelen tjenestestedet hører til.");
    }
    let input = UnitContactInput {
        address: &form.address,
        phone: &form.phone,
        phone_hours: &form.phone_hours,
        after_hours_phone: &form.after_hours_phone,
    };
    let contact = UnitContact::parse(&input, &mut errors);
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
