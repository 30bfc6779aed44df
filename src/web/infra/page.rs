//! Rendering: one context builder for every page, and the outcome of a submitted form.

use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::session::CurrentUser;
use crate::web::infra::templates::{Template, Templates};
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use serde::Serialize;
use serde_json::{Map, Value};

/// The context of one page: title, user, CSRF token, flash message and the page's own data.
pub struct Page {
    ctx: Map<String, Value>,
}

impl Page {
    pub fn new(title: &str, user: Option<&CurrentUser>) -> Page {
        let mut page = Page { ctx: Map::new() };
        page.ctx.insert("title".into(), Value::from(title));
        // Forms render from `form` and `errors`; both exist on every page so templates
        // never meet an undefined variable.
        page.ctx.insert("form".into(), Value::Object(Map::new()));
        page.ctx.insert("empty".into(), Value::Object(Map::new()));
        // For fields whose message is shown once for a group (the strain questions).
        page.ctx.insert(
            "no_errors".into(),
            serde_json::json!({ "by_field": {}, "list": [] }),
        );
        page.ctx.insert(
            "errors".into(),
            serde_json::json!({ "by_field": {}, "list": [] }),
        );
        if let Some(u) = user {
            page.ctx.insert(
                "user".into(),
                serde_json::to_value(u).unwrap_or(Value::Null),
            );
            page.ctx
                .insert("csrf_token".into(), Value::from(u.csrf_token.as_str()));
        }
        page
    }

    /// The CSRF token for forms shown before login.
    pub fn csrf(mut self, token: &str) -> Page {
        self.ctx.insert("csrf_token".into(), Value::from(token));
        self
    }

    /// Today's date as pages show it.
    pub fn today(self, today: chrono::NaiveDate) -> Page {
        self.with("today", crate::domain::dates::format_date(today))
    }

    pub fn with(mut self, key: &str, value: impl Serialize) -> Page {
        self.ctx.insert(
            key.into(),
            serde_json::to_value(value).unwrap_or(Value::Null),
        );
        self
    }

    pub fn flash(self, flash: Option<FlashMessage<'_>>) -> Page {
        match flash {
            Some(f) => {
                let kind = f.kind().to_string();
                let message = f.message().to_string();
                self.with(
                    "flash",
                    serde_json::json!({ "kind": kind, "message": message }),
                )
            }
            None => self,
        }
    }

    pub fn render(self, name: &'static str) -> Template {
        Template::new(name, self.into_context())
    }

    pub fn into_context(self) -> Value {
        Value::Object(self.ctx)
    }
}

/// What a form submission answers: the form again with messages (422), or a redirect.
// One per request, moved once into the response: the redirect's size costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(rocket::Responder)]
pub enum Submitted {
    #[response(status = 422)]
    Invalid(Template),
    Done(Flash<Redirect>),
}

pub fn done(to: String, message: &str) -> Submitted {
    Submitted::Done(Flash::success(Redirect::to(to), message.to_string()))
}

/// The form again with what was typed and a message next to each bad field.
pub fn invalid(
    page: Page,
    form: impl Serialize,
    errors: &crate::domain::validation::FieldErrors,
    name: &'static str,
) -> Submitted {
    Submitted::Invalid(page.with("form", form).with("errors", errors).render(name))
}

/// One option of a select or radio group.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

impl Choice {
    pub fn new(value: impl ToString, label: impl ToString) -> Choice {
        Choice {
            value: value.to_string(),
            label: label.to_string(),
        }
    }
}

/// The ids of choices whose values are record ids (staff, relatives).
pub fn ids(choices: &[Choice]) -> Vec<i64> {
    choices
        .iter()
        .filter_map(|c| c.value.parse().ok())
        .collect()
}

/// A fixed list as choices for a form.
pub fn choice_list(list: crate::domain::choices::Choices) -> Vec<Choice> {
    list.iter().map(|(k, l)| Choice::new(k, l)).collect()
}

/// Renders `page` with `template` to text.
pub fn render(templates: &Templates, page: Page, template: &'static str) -> AppResult<String> {
    templates
        .render(template, page.into_context())
        .map_err(|why| AppError::Internal(format!("template {template} did not render: {why}")))
}

/// Staff of the patient's unit, for owner and contact-person choices.
pub async fn staff_choices(
    db: &crate::db::Db,
    unit_id: i64,
) -> crate::web::infra::error::AppResult<Vec<Choice>> {
    Ok(crate::db::users::workers_of(db, unit_id)
        .await?
        .into_iter()
        .map(|(id, name)| Choice::new(id, name))
        .collect())
}

/// A generated PDF, shown in the browser with a file name for saving.
#[derive(rocket::Responder)]
#[response(content_type = "application/pdf")]
pub struct PdfFile {
    body: Vec<u8>,
    disposition: rocket::http::Header<'static>,
}

impl PdfFile {
    pub fn inline(body: Vec<u8>, file_name: &str) -> PdfFile {
        PdfFile {
            body,
            disposition: rocket::http::Header::new(
                "Content-Disposition",
                format!("inline; filename=\"{file_name}\""),
            ),
        }
    }
}
