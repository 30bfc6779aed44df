//! The letterhead's logo: an administrator uploads a JPEG (size-checked), sees it, or
//! removes it. Every printed document carries it beside the municipality's name.

use crate::clock::Clock;
use crate::db::{self, Db};
use crate::domain::logo;
use crate::domain::validation::FieldErrors;
use crate::web::infra::csrf::CsrfForm;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::forms::{CsrfOnly, Text};
use crate::web::infra::page::{done, invalid, Page, Submitted};
use crate::web::infra::session::Admin;
use crate::web::infra::templates::Template;
use rocket::fs::TempFile;
use rocket::http::ContentType;
use rocket::request::FlashMessage;
use rocket::tokio::io::AsyncReadExt;
use rocket::{FromForm, State};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![page, upload, remove, image]
}

#[derive(FromForm)]
struct LogoForm<'r> {
    /// Optional to the parser, so a post without a file (or without a token) reaches the
    /// CSRF check and the field's own message.
    logo: Option<TempFile<'r>>,
    csrf_token: Text,
}
crate::csrf_protected!(LogoForm<'_>);

async fn logo_page(user: &Admin<'_>, db: &Db) -> AppResult<Page> {
    let current = db::org::logo(db).await?.map(|l| {
        serde_json::json!({
            "width": l.width, "height": l.height, "kb": l.image.len().div_ceil(1024),
            "updated_at": l.updated_at,
        })
    });
    Ok(Page::new("Logo på utskrifter", Some(user))
        .with("logo", current)
        .with("max_kb", logo::MAX_BYTES / 1024)
        .with("max_side", logo::MAX_SIDE))
}

#[rocket::get("/admin/letterhead")]
async fn page(
    user: Admin<'_>,
    db: &State<Db>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    Ok(logo_page(&user, db)
        .await?
        .flash(flash)
        .render("admin/letterhead"))
}

#[rocket::post("/admin/letterhead", data = "<form>")]
async fn upload(
    user: Admin<'_>,
    form: CsrfForm<LogoForm<'_>>,
    db: &State<Db>,
    clock: &State<Clock>,
) -> AppResult<Submitted> {
    let mut bytes = Vec::new();
    if let Some(logo) = form.logo.as_ref().filter(|f| f.len() > 0) {
        let file = logo
            .open()
            .await
            .map_err(|e| AppError::Internal(format!("reading an upload: {e}")))?;
        file.take(logo::MAX_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| AppError::Internal(format!("reading an upload: {e}")))?;
    }
    match logo::check(&bytes) {
        Ok(jpeg) => {
            let mut tx = db.begin().await?;
            let size = (
                i64::from(jpeg.width),
                i64::from(jpeg.height),
                i64::from(jpeg.components),
            );
            db::org::set_logo(&mut tx, &bytes, size, clock.now()).await?;
            tx.commit().await?;
            Ok(done(
                "/admin/letterhead".into(),
                "Logoen er lagret og kommer på alle nye utskrifter.",
            ))
        }
        Err(message) => {
            let mut errors = FieldErrors::new();
            errors.add("logo", message);
            Ok(invalid(
                logo_page(&user, db).await?,
                serde_json::json!({}),
                &errors,
                "admin/letterhead",
            ))
        }
    }
}

#[rocket::post("/admin/letterhead/delete", data = "<_form>")]
async fn remove(
    _user: Admin<'_>,
    _form: CsrfForm<CsrfOnly>,
    db: &State<Db>,
) -> AppResult<Submitted> {
    let mut tx = db.begin().await?;
    db::org::delete_logo(&mut tx).await?;
    tx.commit().await?;
    Ok(done(
        "/admin/letterhead".into(),
        "Logoen er fjernet fra utskriftene.",
    ))
}

#[rocket::get("/admin/letterhead/logo.jpg")]
async fn image(_user: Admin<'_>, db: &State<Db>) -> AppResult<(ContentType, Vec<u8>)> {
    let logo = db::org::logo(db).await?.ok_or(AppError::NotFound)?;
    Ok((ContentType::JPEG, logo.image))
}
