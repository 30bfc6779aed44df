//! Staff accounts: creating, changing, deactivating and resetting passwords.

use super::handover;
use crate::audit::access;
use crate::clock::Clock;
use crate::db::access_log::{self, Action};
use crate::db::{self, Db};
use crate::domain::handover::{Handover, Holdings};
use crate::domain::user::{password_problem, Role, UserDraft, UserInput};
use crate::domain::validation::FieldErrors;
use crate::security::hash_password;
use crate::web::infra::csrf::CsrfForm;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::forms::{CsrfOnly, Text};
use crate::web::infra::page::{done, invalid, Choice, Page, Submitted};
use crate::web::infra::session::Admin;
use crate::web::infra::templates::Template;
use rocket::request::FlashMessage;
use rocket::{FromForm, State};
use serde::Serialize;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        users,
        new_user_page,
        create_user,
        user_page,
        update_user,
        deactivate_user,
        activate_user,
        reset_password
    ]
}

fn roles() -> Vec<Choice> {
    Role::ALL
        .iter()
        .map(|r| Choice::new(r.as_str(), r.label()))
        .collect()
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
    /// The hand-over, when a worker with follow-ups or contact roles moves or changes role.
    followups_to: Text,
    contacts_to: Text,
    #[serde(skip)]
    password: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(UserForm);

/// Deactivating: the hand-over of what the worker holds.
#[derive(Debug, Default, FromForm, Serialize)]
struct DeactivateForm {
    followups_to: Text,
    contacts_to: Text,
    #[serde(skip)]
    csrf_token: Text,
}
crate::csrf_protected!(DeactivateForm);

pub(super) async fn user_form_page(title: &str, user: &Admin<'_>, db: &Db) -> AppResult<Page> {
    let units: Vec<Choice> = db::org::units(db)
        .await?
        .iter()
        .map(|u| Choice::new(u.id, format!("{} ({})", u.name, u.district_name)))
        .collect();
    Ok(Page::new(title, Some(user))
        .with("unit_options", units)
        .with("roles", roles()))
}

pub(super) const USERNAME_TAKEN: &str = "Brukernavnet er allerede i bruk.";

/// The account to store for a parsed form, with its password hash.
pub(super) fn new_account<'a>(
    input: &'a UserInput,
    password_hash: &'a str,
) -> db::users::NewUser<'a> {
    db::users::NewUser {
        username: &input.username,
        name: &input.name,
        role: input.role,
        unit_id: input.unit_id,
        phone: input.phone.as_deref(),
        password_hash,
    }
}

/// The account form parsed (`UserDraft::parse`), with the chosen unit checked to exist: the
/// account, or None when the form has errors, and the errors.
pub(super) async fn parse_account(
    db: &Db,
    draft: UserDraft<'_>,
) -> AppResult<(Option<UserInput>, FieldErrors)> {
    let (parsed, mut errors) = match draft.parse() {
        Ok(p) => (Some(p), FieldErrors::new()),
        Err(e) => (None, e),
    };
    if let Some(id) = parsed.as_ref().and_then(|p| p.unit_id) {
        if db::org::unit(db, id).await?.is_none() {
            errors.add("unit_id", "Velg et tjenestested fra listen.");
        }
    }
    Ok((parsed, errors))
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
    let (parsed, mut errors) = parse_account(db, draft).await?;
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
    let id = match db::users::insert(&mut tx, &new_account(&input, &hash), now).await {
        Ok(id) => id,
        Err(e) if db::is_unique_violation(&e) => {
            errors.add("username", USERNAME_TAKEN);
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
    record_account_change(&mut tx, &user, Action::Create, id, &detail, now).await?;
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
    let (offer, _, _) = handover::offer(db, &account).await?;
    let page = user_form_page(title, user, db)
        .await?
        .with("account", &account)
        .with("handover", offer)
        .with("handover_in", "deactivate");
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
    let (parsed, mut errors) = parse_account(db, draft).await?;
    if id == user.id && parsed.as_ref().is_some_and(|p| p.role != Role::Admin) {
        errors.add("role", "Du kan ikke ta fra deg selv administratorrollen.");
    }
    // A worker who leaves the unit, or stops being a worker, hands over first.
    let leaves = parsed.as_ref().is_some_and(|p| {
        account.role() == Role::Worker && (p.unit_id != account.unit_id || p.role != Role::Worker)
    });
    let handing = if leaves && errors.is_empty() {
        handover::parse(
            db,
            &account,
            &form.followups_to,
            &form.contacts_to,
            &mut errors,
        )
        .await?
    } else {
        None
    };
    let input = match parsed {
        Some(p) if errors.is_empty() => p,
        _ => {
            let page = page.with("handover_in", if leaves { "profile" } else { "deactivate" });
            return Ok(invalid(page, &form.0, &errors, "admin/user"));
        }
    };
    let now = clock.now();
    let mut tx = db.begin().await?;
    let handed = match handing {
        Some(h) => {
            let why = format!("{} har flyttet eller fått ny rolle", account.name);
            Some(handover::carry_out(db, &mut tx, &user.actor(), &account, h, &why, now).await?)
        }
        None => None,
    };
    db::users::update_profile(
        &mut tx,
        id,
        &input.name,
        input.role,
        input.unit_id,
        input.phone.as_deref(),
        now,
    )
    .await?;
    let detail = format!(
        "endret bruker {} ({})",
        account.username,
        input.role.label()
    );
    record_account_change(&mut tx, &user, Action::Update, id, &detail, now).await?;
    tx.commit().await?;
    if input.role != account.role() || input.unit_id != account.unit_id {
        // New rights take effect at the next login.
        db::sessions::end_all_for_user(db, id, "role or unit changed", now).await?;
    }
    let message = match handed {
        Some(h) if !h.is_empty() => format!("Brukeren er lagret. {}", handed_over(h)),
        _ => "Brukeren er lagret.".to_string(),
    };
    Ok(done(format!("/admin/users/{id}"), &message))
}

/// What a hand-over moved, in the administrator's message.
fn handed_over(h: Holdings) -> String {
    format!(
        "Overlevert: {} åpne oppfølginger, kontaktpersonrollen for {} pårørende og {} pårørendeavtaler.",
        h.open_followups, h.relatives, h.agreements
    )
}

async fn set_active(
    user: Admin<'_>,
    id: i64,
    active: bool,
    handing: Option<Handover>,
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
    let handed = match handing {
        Some(h) => {
            let why = format!("{} er deaktivert", account.name);
            Some(handover::carry_out(db, &mut tx, &user.actor(), &account, h, &why, now).await?)
        }
        None => None,
    };
    db::users::set_active(&mut tx, id, active, now).await?;
    let detail = format!(
        "{} bruker {}",
        if active { "aktiverte" } else { "deaktiverte" },
        account.username
    );
    record_account_change(&mut tx, &user, Action::Update, id, &detail, now).await?;
    tx.commit().await?;
    if !active {
        db::sessions::end_all_for_user(db, id, "deactivated", now).await?;
    }
    let message = match (active, handed) {
        (true, _) => "Brukeren er aktivert.".to_string(),
        (false, Some(h)) if !h.is_empty() => {
            format!("Brukeren er deaktivert og logget ut. {}", handed_over(h))
        }
        (false, _) => "Brukeren er deaktivert og logget ut.".to_string(),
    };
    Ok(done(format!("/admin/users/{id}"), &message))
}

/// Deactivating a worker hands over what they hold, in the same step.
#[rocket::post("/admin/users/<id>/deactivate", data = "<form>")]
async fn deactivate_user(
    user: Admin<'_>,
    id: i64,
    form: CsrfForm<DeactivateForm>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let (page, account) = user_page_for("Bruker", &user, db, id).await?;
    let mut errors = FieldErrors::new();
    let handing = if id == user.id {
        None
    } else {
        handover::parse(
            db,
            &account,
            &form.followups_to,
            &form.contacts_to,
            &mut errors,
        )
        .await?
    };
    if !errors.is_empty() {
        let current = profile_of(&account, &form.followups_to, &form.contacts_to);
        return Ok(invalid(page, current, &errors, "admin/user"));
    }
    set_active(user, id, false, handing, db, clock).await
}

#[rocket::post("/admin/users/<id>/activate", data = "<_form>")]
async fn activate_user(
    user: Admin<'_>,
    id: i64,
    _form: CsrfForm<CsrfOnly>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    set_active(user, id, true, None, db, clock).await
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
        let current = profile_of(&account, "", "");
        return Ok(invalid(page, current, &errors, "admin/user"));
    }
    let hash = hash_password(form.new_password.0.clone())
        .await
        .map_err(AppError::Internal)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    db::users::set_password(&mut tx, id, &hash, now).await?;
    let detail = format!("nytt passord for {}", account.username);
    record_account_change(&mut tx, &user, Action::Update, id, &detail, now).await?;
    tx.commit().await?;
    db::sessions::end_all_for_user(db, id, "password reset", now).await?;
    Ok(done(
        format!("/admin/users/{id}"),
        "Passordet er satt. Gi det til brukeren på en trygg måte.",
    ))
}

/// The profile form as stored, with the hand-over as chosen.
fn profile_of(
    account: &db::users::UserRow,
    followups_to: &str,
    contacts_to: &str,
) -> serde_json::Value {
    serde_json::json!({
        "username": account.username, "name": account.name, "role": account.role,
        "unit_id": account.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        "phone": account.phone.clone().unwrap_or_default(),
        "followups_to": followups_to, "contacts_to": contacts_to,
    })
}

/// Records what was done to a staff account in the access log, inside its transaction.
pub(super) async fn record_account_change(
    tx: &mut db::Tx,
    user: &Admin<'_>,
    action: Action,
    id: i64,
    detail: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let entry = access(&user.actor(), action, "user", Some(id), None, detail);
    access_log::record_tx(tx, &entry, now).await?;
    Ok(())
}
