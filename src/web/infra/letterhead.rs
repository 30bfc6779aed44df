//! The stored letterhead logo, ready for printing.

use crate::db::{self, Db};
use crate::pdf::LogoImage;
use crate::web::infra::error::AppResult;

/// The municipality's logo, when an administrator uploaded one.
pub async fn logo(db: &Db) -> AppResult<Option<LogoImage>> {
    Ok(db::org::logo(db).await?.and_then(|l| {
        Some(LogoImage {
            width: u16::try_from(l.width).ok()?,
            height: u16::try_from(l.height).ok()?,
            components: u8::try_from(l.components).ok()?,
            jpeg: l.image,
        })
    }))
}
