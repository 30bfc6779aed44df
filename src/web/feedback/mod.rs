//! The relatives' feedback form, public and reached only through a personal link: it shows
//! the municipality and unit, never patient data, takes one answer per link, and keeps the
//! answer with its unit and month only.

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::{self, Db};
use crate::domain::agreement::Language;
use crate::domain::feedback::{self as fb, QUESTIONS};
use crate::domain::validation::FieldErrors;
use crate::security::{random_token, token_hash};
use crate::web::infra::error::AppResult;
use crate::web::infra::page::Page;
use crate::web::infra::templates::Template;
use rocket::form::Form;
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::response::Redirect;
use rocket::{Either, State};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

mod issue;
mod texts;
pub use issue::{address, Party};
use texts::Texts;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![form, submit, thanks]
}

/// Where a link leads, before its token: `/t/ABCD-…`.
pub const PATH: &str = "/t/";

/// Requests counted per address and per token in a window; past the limit the form answers
/// 429 and reads nothing.
#[derive(Default)]
pub struct Limiter {
    seen: Mutex<HashMap<String, (Instant, u32)>>,
}

const WINDOW: Duration = Duration::from_secs(600);
const PER_ADDRESS: u32 = 60;
const PER_TOKEN: u32 = 20;

impl Limiter {
    /// Counts one request under `key`; false once `max` are counted in the window.
    fn allow(&self, key: String, max: u32) -> bool {
        let Ok(mut seen) = self.seen.lock() else {
            return false;
        };
        let now = Instant::now();
        if seen.len() > 50_000 {
            seen.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = seen.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= max
    }

    fn admit(&self, address: Option<IpAddr>, token: &str) -> bool {
        let by_address = address.is_none_or(|a| self.allow(format!("a:{a}"), PER_ADDRESS));
        by_address && self.allow(format!("t:{token}"), PER_TOKEN)
    }
}

/// Why a link takes no answer.
enum Closed {
    Unknown,
    Used,
    Expired,
}

fn language(code: &str) -> Language {
    Language::parse(code).unwrap_or(Language::Bokmal)
}

async fn open_link(
    db: &Db,
    token: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Result<(String, db::feedback::PublicLink), Closed>> {
    let Some(token) = fb::normalize(token) else {
        return Ok(Err(Closed::Unknown));
    };
    let Some(link) = db::feedback::by_hash(db, &token_hash(&token)).await? else {
        return Ok(Err(Closed::Unknown));
    };
    if link.used {
        return Ok(Err(Closed::Used));
    }
    if link.expires_at <= now {
        return Ok(Err(Closed::Expired));
    }
    Ok(Ok((token, link)))
}

/// The page that says why a link takes no answer, in the language asked for.
fn closed_page(why: Closed, lang: Language, settings: &Settings) -> (Status, Template) {
    let t = Texts::of(lang);
    let (status, text) = match why {
        Closed::Unknown => (Status::NotFound, t.unknown),
        Closed::Used => (Status::Gone, t.used),
        Closed::Expired => (Status::Gone, t.expired),
    };
    (
        status,
        Page::new(t.title, None)
            .with("t", t)
            .with("lang", t.code)
            .with("municipality", &settings.municipality)
            .with("message", text)
            .render("feedback/closed"),
    )
}

fn too_many(lang: Language, settings: &Settings) -> (Status, Template) {
    let t = Texts::of(lang);
    (
        Status::TooManyRequests,
        Page::new(t.title, None)
            .with("t", t)
            .with("lang", t.code)
            .with("municipality", &settings.municipality)
            .with("message", t.too_many)
            .render("feedback/closed"),
    )
}

const CSRF_COOKIE: &str = "feedback_form";

/// A new value for the form's check against forgery, kept in a private cookie for the
/// feedback pages only; the form carries the same value.
fn fresh_check(cookies: &CookieJar<'_>) -> String {
    let csrf = random_token();
    cookies.add_private(
        Cookie::build((CSRF_COOKIE, csrf.clone()))
            .path(PATH)
            .same_site(SameSite::Strict)
            .http_only(true),
    );
    csrf
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    status: Status,
    t: &Texts,
    settings: &Settings,
    link: &db::feedback::PublicLink,
    token: &str,
    csrf: &str,
    values: serde_json::Value,
    errors: &FieldErrors,
) -> (Status, Template) {
    let lang = language(t.code);
    let (words, skip) = fb::scale(lang);
    let questions: Vec<serde_json::Value> = QUESTIONS
        .iter()
        .enumerate()
        .map(|(i, (key, ..))| serde_json::json!({ "key": key, "text": fb::question(i, lang) }))
        .collect();
    let title = if errors.is_empty() {
        t.title.to_string()
    } else {
        format!("{} {}", t.errors_prefix, t.title)
    };
    (
        status,
        Page::new(&title, None)
            .with("t", t)
            .with("lang", t.code)
            .with("municipality", &settings.municipality)
            .with("unit_name", &link.unit_name)
            .with("token", token)
            .with("csrf", csrf)
            .with("questions", questions)
            .with("scale", words)
            .with("skip", skip)
            .with("form", values)
            .with("errors", errors)
            .render("feedback/form"),
    )
}

#[rocket::get("/t/<token>?<lang>")]
async fn form(
    token: &str,
    lang: Option<&str>,
    address: Option<IpAddr>,
    cookies: &CookieJar<'_>,
    db: &State<Db>,
    clock: &State<Clock>,
    settings: &State<Settings>,
    limiter: &State<Limiter>,
) -> AppResult<(Status, Template)> {
    let asked = lang.map(language);
    if !limiter.admit(address, token) {
        return Ok(too_many(asked.unwrap_or(Language::Bokmal), settings));
    }
    let (token, link) = match open_link(db, token, clock.now()).await? {
        Ok(open) => open,
        Err(why) => {
            return Ok(closed_page(
                why,
                asked.unwrap_or(Language::Bokmal),
                settings,
            ))
        }
    };
    let t = Texts::of(asked.unwrap_or_else(|| language(&link.language)));
    let csrf = fresh_check(cookies);
    Ok(form_page(
        Status::Ok,
        &t,
        settings,
        &link,
        &token,
        &csrf,
        serde_json::json!({}),
        &FieldErrors::new(),
    ))
}

#[derive(rocket::FromForm, Default)]
/// The form as posted; a field left out reads as empty, so that its question gets its own
/// message instead of the whole form failing.
struct AnswerForm {
    #[field(default = String::new())]
    respect: String,
    #[field(default = String::new())]
    information: String,
    #[field(default = String::new())]
    contact: String,
    #[field(default = String::new())]
    asked: String,
    #[field(default = String::new())]
    views: String,
    #[field(default = String::new())]
    relief: String,
    #[field(default = String::new())]
    offers: String,
    #[field(default = String::new())]
    overall: String,
    #[field(default = String::new())]
    improve: String,
    #[field(default = String::new())]
    lang: String,
    #[field(default = String::new())]
    csrf: String,
}

#[allow(clippy::too_many_arguments)]
#[rocket::post("/t/<token>", data = "<form>")]
async fn submit(
    token: &str,
    form: Option<Form<AnswerForm>>,
    address: Option<IpAddr>,
    cookies: &CookieJar<'_>,
    db: &State<Db>,
    clock: &State<Clock>,
    settings: &State<Settings>,
    limiter: &State<Limiter>,
) -> AppResult<Either<(Status, Template), Redirect>> {
    let form = form.map(Form::into_inner).unwrap_or_default();
    let asked = Language::parse(&form.lang);
    if !limiter.admit(address, token) {
        return Ok(Either::Left(too_many(
            asked.unwrap_or(Language::Bokmal),
            settings,
        )));
    }
    let now = clock.now();
    // The form's own check that it came from the page Samspill served (there is no login to
    // lean on), before anything about the link is told.
    let expected = cookies
        .get_private(CSRF_COOKIE)
        .map(|c| c.value().to_string());
    let forged = form.csrf.is_empty() || expected.as_deref() != Some(form.csrf.as_str());
    let (token, link) = match open_link(db, token, now).await? {
        Ok(open) => open,
        Err(why) => {
            // An address that is no link is refused as a forged form is; a used or expired
            // link says so whatever the form carried.
            let refused = forged && matches!(why, Closed::Unknown);
            let (status, page) = closed_page(why, asked.unwrap_or(Language::Bokmal), settings);
            let status = if refused { Status::Forbidden } else { status };
            return Ok(Either::Left((status, page)));
        }
    };
    let lang = asked.unwrap_or_else(|| language(&link.language));
    let t = Texts::of(lang);
    if forged {
        let csrf = fresh_check(cookies);
        let mut e = FieldErrors::new();
        e.add("respect", t.stale);
        return Ok(Either::Left(form_page(
            Status::Forbidden,
            &t,
            settings,
            &link,
            &token,
            &csrf,
            typed(&form),
            &e,
        )));
    }
    let values = [
        form.respect.as_str(),
        &form.information,
        &form.contact,
        &form.asked,
        &form.views,
        &form.relief,
        &form.offers,
        &form.overall,
    ];
    let answer = match fb::parse(&values, &form.improve, lang) {
        Ok(a) => a,
        Err(e) => {
            return Ok(Either::Left(form_page(
                Status::UnprocessableEntity,
                &t,
                settings,
                &link,
                &token,
                &form.csrf,
                typed(&form),
                &e,
            )))
        }
    };
    let month = crate::domain::dates::oslo_date(now)
        .format("%Y-%m")
        .to_string();
    let mut tx = db.begin().await?;
    if !db::feedback::answer(&mut tx, &link, &month, &answer, now).await? {
        drop(tx);
        return Ok(Either::Left(closed_page(Closed::Used, lang, settings)));
    }
    tx.commit().await?;
    cookies.remove_private(Cookie::build(CSRF_COOKIE).path(PATH));
    Ok(Either::Right(Redirect::to(format!(
        "/t/takk?lang={}",
        t.code
    ))))
}

/// What the relative typed, for the form shown again.
fn typed(f: &AnswerForm) -> serde_json::Value {
    serde_json::json!({
        "respect": f.respect, "information": f.information, "contact": f.contact,
        "asked": f.asked, "views": f.views, "relief": f.relief, "offers": f.offers,
        "overall": f.overall, "improve": f.improve,
    })
}

#[rocket::get("/t/takk?<lang>")]
fn thanks(lang: Option<&str>, settings: &State<Settings>) -> Template {
    let t = Texts::of(lang.map(language).unwrap_or(Language::Bokmal));
    Page::new(t.thanks_title, None)
        .with("t", t)
        .with("lang", t.code)
        .with("municipality", &settings.municipality)
        .with("message", t.thanks)
        .render("feedback/closed")
}
