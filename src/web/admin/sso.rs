//! Single sign-on for administrators: people waiting for an account after signing in through
//! the provider (approve with a role and unit, link to an existing account, or turn away),
//! and which accounts are linked to which provider identity.

use super::users::{new_account, record_account_change, user_form_page, USERNAME_TAKEN};
use crate::clock::Clock;
use crate::db::access_log::Action;
use crate::db::{self, Db};
use crate::domain::user::UserDraft;
use crate::domain::validation::FieldErrors;
use crate::web::auth::sso::SsoState;
use crate::web::infra::csrf::CsrfForm;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::forms::{CsrfOnly, Text};
use crate::web::infra::page::{done, invalid, Choice, Page, Submitted};
use crate::web::infra::session::Admin;
use crate::web::infra::templates::Template;
use rocket::request::FlashMessage;
use rocket::{FromForm, State};
use serde::Serialize;

/// The password of an account that signs in only through the provider: not a hash, so no
/// password matches it.
const NO_PASSWORD: &str = "!sso";

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        overview,
        approve_page,
        approve,
        link_pending,
        reject,
        link,
        unlink
    ]
}

fn issuer(sso: &SsoState) -> AppResult<(&str, &str)> {
    let sso = sso.0.as_ref().ok_or(AppError::NotFound)?;
    Ok((&sso.settings.issuer, &sso.settings.display_name))
}

async fn account_choices(db: &Db) -> AppResult<Vec<Choice>> {
    Ok(db::users::all(db)
        .await?
        .into_iter()
        .filter(|u| u.active)
        .map(|u| Choice::new(u.id, format!("{} ({})", u.name, u.username)))
        .collect())
}

#[derive(Debug, Default, FromForm, Serialize)]
struct LinkForm {
    user_id: Text,
    subject: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(LinkForm);

async fn overview_page(user: &Admin<'_>, db: &Db, sso: &SsoState) -> AppResult<Page> {
    let mut page = Page::new("Innlogging med identitetsleverandør", Some(user));
    if let Some(sso) = &sso.0 {
        let issuer = sso.settings.issuer.as_str();
        page = page
            .with("provider", &sso.settings.display_name)
            .with("issuer", issuer)
            .with("pending_on", sso.settings.pending_accounts)
            .with("pending", db::sso::pending(db, issuer).await?)
            .with("links", db::sso::links(db, issuer).await?)
            .with("accounts", account_choices(db).await?);
    }
    Ok(page)
}

#[rocket::get("/admin/sso")]
async fn overview(
    user: Admin<'_>,
    db: &State<Db>,
    sso: &State<SsoState>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    Ok(overview_page(&user, db, sso)
        .await?
        .with("form", LinkForm::default())
        .flash(flash)
        .render("admin/sso"))
}

#[derive(Debug, Default, FromForm, Serialize)]
struct ApproveForm {
    username: Text,
    name: Text,
    role: Text,
    unit_id: Text,
    phone: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(ApproveForm);

async fn pending_of(db: &Db, sso: &SsoState, id: i64) -> AppResult<db::sso::PendingRow> {
    let (issuer, _) = issuer(sso)?;
    db::sso::pending_by_id(db, issuer, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn approve_form(user: &Admin<'_>, db: &Db, pending: &db::sso::PendingRow) -> AppResult<Page> {
    Ok(user_form_page("Gi tilgang", user, db)
        .await?
        .with("pending", pending)
        .with("accounts", account_choices(db).await?))
}

#[rocket::get("/admin/sso/pending/<id>")]
async fn approve_page(
    id: i64,
    user: Admin<'_>,
    db: &State<Db>,
    sso: &State<SsoState>,
) -> AppResult<Template> {
    let pending = pending_of(db, sso, id).await?;
    let form = ApproveForm {
        name: pending.name.as_deref().unwrap_or_default().into(),
        role: pending.proposed_role.as_deref().unwrap_or("worker").into(),
        ..ApproveForm::default()
    };
    Ok(approve_form(&user, db, &pending)
        .await?
        .with("form", form)
        .render("admin/sso_pending"))
}

/// Gives the person an account with a role and unit, linked to their identity; they sign in
/// only through the provider.
#[rocket::post("/admin/sso/pending/<id>", data = "<form>")]
async fn approve(
    id: i64,
    user: Admin<'_>,
    form: CsrfForm<ApproveForm>,
    db: &State<Db>,
    sso: &State<SsoState>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let pending = pending_of(db, sso, id).await?;
    let (issuer, provider) = issuer(sso)?;
    let draft = UserDraft {
        username: &form.username,
        name: &form.name,
        role: &form.role,
        unit_id: &form.unit_id,
        phone: &form.phone,
        password: None,
    };
    let (parsed, errors) = super::users::parse_account(db, draft).await?;
    let (user, pending) = (&user, &pending);
    let again = |errors: FieldErrors| async move {
        AppResult::Ok(invalid(
            approve_form(user, db, pending).await?,
            &form.0,
            &errors,
            "admin/sso_pending",
        ))
    };
    let input = match parsed {
        Some(p) if errors.is_empty() => p,
        _ => return again(errors).await,
    };
    let now = clock.now();
    let mut tx = db.begin().await?;
    let account = match db::users::insert(&mut tx, &new_account(&input, NO_PASSWORD), now).await {
        Ok(id) => id,
        Err(e) if db::is_unique_violation(&e) => {
            drop(tx);
            let mut errors = FieldErrors::new();
            errors.add("username", USERNAME_TAKEN);
            return again(errors).await;
        }
        Err(e) => return Err(e.into()),
    };
    db::sso::link(&mut tx, issuer, &pending.subject, account, now).await?;
    let detail = format!(
        "opprettet bruker {} ({}) med innlogging via {provider}",
        input.username,
        input.role.label()
    );
    record_account_change(&mut tx, user, Action::Create, account, &detail, now).await?;
    tx.commit().await?;
    Ok(done(
        "/admin/sso".into(),
        &format!(
            "{} har fått tilgang og kan logge inn med {provider}.",
            input.name
        ),
    ))
}

#[derive(Debug, Default, FromForm, Serialize)]
struct LinkPendingForm {
    user_id: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(LinkPendingForm);

async fn chosen_account(
    db: &Db,
    text: &str,
    errors: &mut FieldErrors,
) -> AppResult<Option<db::users::UserRow>> {
    let account = match text.trim().parse::<i64>() {
        Ok(id) => db::users::by_id(db, id).await?.filter(|u| u.active),
        Err(_) => None,
    };
    if account.is_none() {
        errors.add("user_id", "Velg en aktiv konto fra listen.");
    }
    Ok(account)
}

/// Links the waiting person to an account they already have (a local account, say).
#[rocket::post("/admin/sso/pending/<id>/link", data = "<form>")]
async fn link_pending(
    id: i64,
    user: Admin<'_>,
    form: CsrfForm<LinkPendingForm>,
    db: &State<Db>,
    sso: &State<SsoState>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let pending = pending_of(db, sso, id).await?;
    let mut errors = FieldErrors::new();
    let Some(account) = chosen_account(db, &form.user_id, &mut errors).await? else {
        let page = approve_form(&user, db, &pending)
            .await?
            .with("link_form", &form.0);
        return Ok(invalid(
            page,
            ApproveForm::default(),
            &errors,
            "admin/sso_pending",
        ));
    };
    store_link(&user, db, sso, clock, &pending.subject, &account).await
}

async fn store_link(
    user: &Admin<'_>,
    db: &Db,
    sso: &SsoState,
    clock: &Clock,
    subject: &str,
    account: &db::users::UserRow,
) -> AppResult<Submitted> {
    let (issuer, provider) = issuer(sso)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    db::sso::link(&mut tx, issuer, subject, account.id, now).await?;
    let detail = format!(
        "knyttet kontoen {} til identiteten «{subject}» hos {provider}",
        account.username
    );
    record_account_change(&mut tx, user, Action::Update, account.id, &detail, now).await?;
    tx.commit().await?;
    Ok(done(
        "/admin/sso".into(),
        &format!("{} kan nå logge inn med {provider}.", account.name),
    ))
}

#[rocket::post("/admin/sso/pending/<id>/reject", data = "<_form>")]
async fn reject(
    id: i64,
    _form: CsrfForm<CsrfOnly>,
    _user: Admin<'_>,
    db: &State<Db>,
    sso: &State<SsoState>,
) -> AppResult<Submitted> {
    let pending = pending_of(db, sso, id).await?;
    let mut tx = db.begin().await?;
    db::sso::drop_pending(&mut tx, pending.id).await?;
    tx.commit().await?;
    Ok(done(
        "/admin/sso".into(),
        "Forespørselen er fjernet. Personen får fortsatt ikke tilgang.",
    ))
}

/// Links an account to an identity the administrator knows (the value of the provider's
/// user claim), for when pending accounts are off.
#[rocket::post("/admin/sso/links", data = "<form>")]
async fn link(
    user: Admin<'_>,
    form: CsrfForm<LinkForm>,
    db: &State<Db>,
    sso: &State<SsoState>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    issuer(sso)?;
    let mut errors = FieldErrors::new();
    let account = chosen_account(db, &form.user_id, &mut errors).await?;
    let subject: String = crate::domain::text::one_line(&form.subject);
    if subject.is_empty() {
        errors.add("subject", "Skriv inn identiteten hos leverandøren.");
    } else if subject.chars().count() > 200 {
        errors.add("subject", "Identiteten kan være høyst 200 tegn.");
    }
    match account {
        Some(account) if errors.is_empty() => {
            store_link(&user, db, sso, clock, &subject, &account).await
        }
        _ => Ok(invalid(
            overview_page(&user, db, sso).await?,
            &form.0,
            &errors,
            "admin/sso",
        )),
    }
}

#[rocket::post("/admin/sso/links/<account>/remove", data = "<_form>")]
async fn unlink(
    account: i64,
    _form: CsrfForm<CsrfOnly>,
    user: Admin<'_>,
    db: &State<Db>,
    sso: &State<SsoState>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let (issuer, provider) = issuer(sso)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    if !db::sso::unlink(&mut tx, issuer, account).await? {
        return Err(AppError::NotFound);
    }
    let detail = format!("fjernet koblingen til {provider}");
    record_account_change(&mut tx, &user, Action::Update, account, &detail, now).await?;
    tx.commit().await?;
    Ok(done("/admin/sso".into(), "Koblingen er fjernet."))
}
