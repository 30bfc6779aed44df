//! Support (Støtte): referrals of relatives to offers, and the catalogue of offers that
//! administrators keep.

use crate::audit::{access, record_change};
use crate::clock::Clock;
use crate::db::access_log::{self, Action};
use crate::db::support::OfferInput;
use crate::db::{self, Db};
use crate::domain::choices::{self, label};
use crate::domain::forms as f;
use crate::domain::validation::FieldErrors;
use crate::web::infra::csrf::CsrfForm;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::forms::{CsrfOnly, Text};
use crate::web::infra::page::choice_list;
use crate::web::infra::page::{done, invalid, Page, Submitted};
use crate::web::infra::session::{Admin, Worker};
use crate::web::relatives::find_relative;
use rocket::request::FlashMessage;
use rocket::{FromForm, State};
use rocket_dyn_templates::Template;
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

#[rocket::post("/relatives/<id>/referrals", data = "<form>")]
async fn create_referral(
    user: Worker<'_>,
    id: i64,
    form: CsrfForm<ReferralForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let r = find_relative(db, user.read_scope(), id).await?;
    let mut e = FieldErrors::new();
    let offer = match form.offer_id.trim().parse::<i64>() {
        Ok(oid) => db::support::offer(db, oid)
            .await?
            .filter(|o| o.retired_at.is_none()),
        Err(_) => None,
    };
    if offer.is_none() {
        e.add("offer_id", "Velg et tilbud.");
    }
    let on = f::date(
        &mut e,
        "referred_on",
        &form.referred_on,
        Some("Skriv datoen."),
    );
    let state = f::choice(
        &mut e,
        "state",
        &form.state,
        choices::REFERRAL_STATES,
        "Velg status for henvisningen.",
    );
    let note = f::text(&mut e, "note", &form.note, 2000);
    let (Some(offer), Some(on)) = (offer, on.filter(|_| e.is_empty())) else {
        let today = clock.today();
        let patient = crate::web::patients::find(db, user.read_scope(), r.patient_id).await?;
        let routine = crate::web::patients::show::load(db, r.patient_id, today).await?;
        let offers: Vec<_> = db::support::offers(db, false)
            .await?
            .into_iter()
            .map(|o| {
                crate::web::infra::page::Choice::new(o.id, format!("{} ({})", o.name, o.provider))
            })
            .collect();
        let page = Page::new("Støtte", Some(&user))
            .with(
                "patient",
                crate::web::patients::PatientView::new(&patient, today),
            )
            .with("step", routine.steps[3].clone())
            .with("steps", &routine.steps)
            .with("relatives", &routine.relatives)
            .with("offers", offers)
            .with("referral_states", choice_list(choices::REFERRAL_STATES))
            .with("failed_relative", id)
            .today(today)
            .with("can_edit", true);
        return Ok(invalid(page, &form.0, &e, "routine/support"));
    };
    let now = clock.now();
    let mut tx = db.begin().await?;
    let xid = db::support::insert_referral(&mut tx, id, offer.id, on, &state, &note, user.id, now)
        .await?;
    let summary = format!(
        "{} til {}: {}",
        r.full_name,
        offer.name,
        label(choices::REFERRAL_STATES, &state).to_lowercase()
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
    let back = format!("/patients/{}/steps/support", x.patient_id);
    if !choices::is_valid(choices::REFERRAL_STATES, &form.state) {
        return Ok(crate::web::infra::page::Submitted::Done(
            rocket::response::Flash::error(
                rocket::response::Redirect::to(back),
                "Velg en gyldig status for henvisningen.",
            ),
        ));
    }
    let mut e = FieldErrors::new();
    let note = f::text(&mut e, "note", &form.note, 2000);
    let note = if e.is_empty() { note } else { x.note.clone() };
    let now = clock.now();
    let mut tx = db.begin().await?;
    db::support::set_referral_state(&mut tx, id, &form.state, &note, now).await?;
    let summary = format!(
        "{} til {}: {}",
        x.relative_name,
        x.offer_name,
        label(choices::REFERRAL_STATES, &form.state).to_lowercase()
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
    Ok(done(back, "Henvisningen er oppdatert."))
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
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(OfferForm);

fn parse_offer(form: &OfferForm) -> Result<OfferInput, FieldErrors> {
    let mut e = FieldErrors::new();
    let name = f::line(
        &mut e,
        "name",
        &form.name,
        200,
        Some("Skriv navnet på tilbudet."),
    );
    let provider = f::line(
        &mut e,
        "provider",
        &form.provider,
        200,
        Some("Skriv hvem som gir tilbudet."),
    );
    let kind = f::choice(
        &mut e,
        "kind",
        &form.kind,
        choices::OFFER_KINDS,
        "Velg hva slags tilbud det er.",
    );
    let need = f::choice(
        &mut e,
        "need",
        &form.need,
        choices::SUPPORT_NEEDS,
        "Velg hvilket behov tilbudet møter.",
    );
    let contact = f::line(&mut e, "contact", &form.contact, 300, None);
    let description = f::text(&mut e, "description", &form.description, 4000);
    e.into_result(|| OfferInput {
        name,
        provider,
        kind,
        need,
        contact,
        description,
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
        "contact": o.contact, "description": o.description });
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
