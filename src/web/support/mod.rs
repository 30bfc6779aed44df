//! Support (Støtte): referrals of relatives to offers, and the catalogue of offers that
//! administrators keep.

use crate::audit::{access, record_change};
use crate::clock::Clock;
use crate::db::access_log::{self, Action};
use crate::db::support::OfferInput;
use crate::db::{self, Db};
use crate::domain::choices::{self, label};
use crate::domain::offer::{Offer, OfferFields};
use crate::domain::referral::{ReferralChange, ReferralDraft, ReferralInput};
use crate::domain::validation::FieldErrors;
use crate::web::infra::csrf::CsrfForm;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::forms::{CsrfOnly, Text};
use crate::web::infra::page::choice_list;
use crate::web::infra::page::{done, invalid, Page, Submitted};
use crate::web::infra::session::{Admin, Worker};
use crate::web::infra::templates::Template;
use crate::web::relatives::find_relative;
use rocket::request::FlashMessage;
use rocket::{FromForm, State};
use serde::Serialize;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        create_referral,
        update_referral,
        offers,
        new_offer_page,
        create_offer,
        offer_page,
        update_offer,
        retire_offer,
        restore_offer,
        delete_offer
    ]
}

#[derive(Debug, FromForm, Serialize)]
struct ReferralForm {
    offer_id: Text,
    referred_on: Text,
    state: Text,
    note: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(ReferralForm);

/// The support step's page with the form that failed, its errors and what was typed (422).
async fn support_step_again(
    db: &Db,
    user: &Worker<'_>,
    patient_id: i64,
    failed: (&str, i64),
    form: &impl Serialize,
    errors: &FieldErrors,
    today: chrono::NaiveDate,
) -> AppResult<Submitted> {
    let patient = crate::web::patients::find(db, user.read_scope(), patient_id).await?;
    let page = crate::web::patients::show::step_view(db, user, &patient, "support", today)
        .await?
        .with(failed.0, failed.1);
    Ok(invalid(page, form, errors, "routine/support"))
}

#[rocket::post("/relatives/<id>/referrals", data = "<form>")]
async fn create_referral(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<ReferralForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let r = find_relative(db, user.read_scope(), id).await?;
    let today = clock.today();
    let offers = db::support::offers(db, false).await?;
    let open: Vec<i64> = offers.iter().map(|o| o.id).collect();
    let input = ReferralInput {
        offer_id: &form.offer_id,
        referred_on: &form.referred_on,
        state: &form.state,
        note: &form.note,
    };
    let draft = match ReferralDraft::parse(&input, &open, today) {
        Ok(draft) => draft,
        Err(e) => {
            let failed = ("failed_relative", id);
            return support_step_again(db, &user, r.patient_id, failed, &form.0, &e, today).await;
        }
    };
    let offer_name = offers
        .iter()
        .find(|o| o.id == draft.offer_id)
        .map(|o| o.name.clone())
        .unwrap_or_default();
    let now = clock.now();
    let mut tx = db.begin().await?;
    let xid = db::support::insert_referral(&mut tx, id, &draft, user.id, now).await?;
    let summary = format!(
        "{} til {offer_name}: {}",
        r.full_name,
        draft.state.label_lower()
    );
    record_change(
        &mut tx,
        &user.actor(),
        Action::Create,
        "referral",
        xid,
        (r.patient_id, r.unit_id),
        &summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        format!("/patients/{}/steps/support", r.patient_id),
        "Henvisningen er registrert.",
    ))
}

#[derive(Debug, FromForm, Serialize)]
struct ReferralStateForm {
    state: Text,
    note: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(ReferralStateForm);

#[rocket::post("/referrals/<id>", data = "<form>")]
async fn update_referral(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<ReferralStateForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let x = db::support::referral(db, user.read_scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let change = match ReferralChange::parse(&form.state, &form.note) {
        Ok(change) => change,
        Err(e) => {
            let failed = ("failed_referral", id);
            let today = clock.today();
            return support_step_again(db, &user, x.patient_id, failed, &form.0, &e, today).await;
        }
    };
    let now = clock.now();
    let mut tx = db.begin().await?;
    db::support::set_referral_state(&mut tx, id, &change, now).await?;
    let summary = format!(
        "{} til {}: {}",
        x.relative_name,
        x.offer_name,
        change.state.label_lower()
    );
    record_change(
        &mut tx,
        &user.actor(),
        Action::Update,
        "referral",
        id,
        (x.patient_id, x.unit_id),
        &summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        format!("/patients/{}/steps/support", x.patient_id),
        "Henvisningen er oppdatert.",
    ))
}

#[derive(Serialize)]
struct OfferView {
    #[serde(flatten)]
    row: db::support::OfferRow,
    kind_label: &'static str,
    need_label: &'static str,
}

fn offer_view(row: db::support::OfferRow) -> OfferView {
    OfferView {
        kind_label: label(choices::OFFER_KINDS, &row.kind),
        need_label: label(choices::SUPPORT_NEEDS, &row.need),
        row,
    }
}

#[rocket::get("/admin/offers")]
async fn offers(
    user: Admin<'_>,
    db: &State<Db>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    let rows: Vec<OfferView> = db::support::offers(db, true)
        .await?
        .into_iter()
        .map(offer_view)
        .collect();
    Ok(Page::new("Tilbud til pårørende", Some(&user))
        .with("offers", rows)
        .flash(flash)
        .render("admin/offers"))
}

#[derive(Debug, Default, FromForm, Serialize)]
struct OfferForm {
    name: Text,
    provider: Text,
    kind: Text,
    need: Text,
    contact: Text,
    description: Text,
    phone: Text,
    web: Text,
    hours: Text,
    name_nn: Text,
    name_en: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(OfferForm);

fn parse_offer(form: &OfferForm) -> Result<OfferInput, FieldErrors> {
    Offer::parse(&OfferFields {
        name: &form.name,
        provider: &form.provider,
        kind: &form.kind,
        need: &form.need,
        contact: &form.contact,
        description: &form.description,
        phone: &form.phone,
        web: &form.web,
        hours: &form.hours,
        name_nn: &form.name_nn,
        name_en: &form.name_en,
    })
}

fn offer_form_page(title: &str, user: &Admin<'_>) -> Page {
    Page::new(title, Some(user))
        .with("kinds", choice_list(choices::OFFER_KINDS))
        .with("needs", choice_list(choices::SUPPORT_NEEDS))
}

#[rocket::get("/admin/offers/new")]
async fn new_offer_page(user: Admin<'_>) -> Template {
    offer_form_page("Nytt tilbud", &user)
        .with("form", serde_json::json!({ "kind": "municipal" }))
        .render("admin/offer")
}

#[rocket::post("/admin/offers", data = "<form>")]
async fn create_offer(
    user: Admin<'_>,
    form: CsrfForm<OfferForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let input = match parse_offer(&form) {
        Ok(i) => i,
        Err(e) => {
            return Ok(invalid(
                offer_form_page("Nytt tilbud", &user),
                &form.0,
                &e,
                "admin/offer",
            ))
        }
    };
    let now = clock.now();
    let mut tx = db.begin().await?;
    let id = db::support::insert_offer(&mut tx, &input, now).await?;
    let detail = format!("nytt tilbud: {}", input.name);
    access_log::record_tx(
        &mut tx,
        &access(
            &user.actor(),
            Action::Create,
            "offer",
            Some(id),
            None,
            &detail,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(done("/admin/offers".into(), "Tilbudet er lagt til."))
}

#[rocket::get("/admin/offers/<id>")]
async fn offer_page(user: Admin<'_>, id: i64, db: &State<Db>) -> AppResult<Template> {
    let o = db::support::offer(db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = serde_json::json!({ "name": o.name, "provider": o.provider, "kind": o.kind, "need": o.need,
        "contact": o.contact, "description": o.description, "phone": o.phone, "web": o.web,
        "hours": o.hours, "name_nn": o.name_nn, "name_en": o.name_en });
    Ok(offer_form_page("Endre tilbud", &user)
        .with("offer", offer_view(o))
        .with("form", form)
        .render("admin/offer"))
}

#[rocket::post("/admin/offers/<id>", data = "<form>")]
async fn update_offer(
    user: Admin<'_>,
    id: i64,
    form: CsrfForm<OfferForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let o = db::support::offer(db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let input = match parse_offer(&form) {
        Ok(i) => i,
        Err(e) => {
            let page = offer_form_page("Endre tilbud", &user).with("offer", offer_view(o));
            return Ok(invalid(page, &form.0, &e, "admin/offer"));
        }
    };
    let now = clock.now();
    let mut tx = db.begin().await?;
    db::support::update_offer(&mut tx, id, &input).await?;
    let detail = format!("endret tilbud: {}", input.name);
    access_log::record_tx(
        &mut tx,
        &access(
            &user.actor(),
            Action::Update,
            "offer",
            Some(id),
            None,
            &detail,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(done("/admin/offers".into(), "Tilbudet er lagret."))
}

async fn set_retired(
    user: &Admin<'_>,
    id: i64,
    retire: bool,
    db: &Db,
    clock: &Clock,
) -> AppResult<Submitted> {
    let o = db::support::offer(db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    db::support::set_retired(&mut tx, id, retire.then_some(now)).await?;
    let detail = format!(
        "{} tilbud: {}",
        if retire { "avviklet" } else { "gjenåpnet" },
        o.name
    );
    access_log::record_tx(
        &mut tx,
        &access(
            &user.actor(),
            Action::Update,
            "offer",
            Some(id),
            None,
            &detail,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    let message = if retire {
        "Tilbudet er avviklet og kan ikke velges i nye henvisninger."
    } else {
        "Tilbudet kan brukes igjen."
    };
    Ok(done("/admin/offers".into(), message))
}

#[rocket::post("/admin/offers/<id>/retire", data = "<_form>")]
async fn retire_offer(
    user: Admin<'_>,
    id: i64,
    _form: CsrfForm<CsrfOnly>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    set_retired(&user, id, true, db, clock).await
}

#[rocket::post("/admin/offers/<id>/restore", data = "<_form>")]
async fn restore_offer(
    user: Admin<'_>,
    id: i64,
    _form: CsrfForm<CsrfOnly>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    set_retired(&user, id, false, db, clock).await
}

#[rocket::post("/admin/offers/<id>/delete", data = "<_form>")]
async fn delete_offer(
    user: Admin<'_>,
    id: i64,
    _form: CsrfForm<CsrfOnly>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let o = db::support::offer(db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    if !db::support::delete_unused_offer(&mut tx, id).await? {
        return Ok(Submitted::Done(rocket::response::Flash::error(
            rocket::response::Redirect::to("/admin/offers"),
            "Tilbudet kan ikke slettes fordi pårørende er henvist til det. Avvikle det i stedet.",
        )));
    }
    let detail = format!("slettet ubrukt tilbud: {}", o.name);
    access_log::record_tx(
        &mut tx,
        &access(
            &user.actor(),
            Action::Update,
            "offer",
            Some(id),
            None,
            &detail,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(done("/admin/offers".into(), "Tilbudet er slettet."))
}
