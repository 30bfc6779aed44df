//! The one error type of request handlers. It answers with a status whose catcher renders a
//! Norwegian error page, so no internals reach the user.

use rocket::http::Status;
use rocket::response::{self, Responder};
use rocket::Request;

#[derive(Debug)]
pub enum AppError {
    /// Missing, or outside the user's access (no hint that it exists).
    NotFound,
    /// Logged in, but the role may not do this.
    Forbidden,
    /// The database does not answer.
    Unavailable,
    /// A bug or an unexpected failure; logged, never shown.
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn status(&self) -> Status {
        match self {
            AppError::NotFound => Status::NotFound,
            AppError::Forbidden => Status::Forbidden,
            AppError::Unavailable => Status::ServiceUnavailable,
            AppError::Internal(_) => Status::InternalServerError,
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if crate::db::is_unavailable(&e) {
            AppError::Unavailable
        } else {
            AppError::Internal(format!("database: {e}"))
        }
    }
}

impl<'r> Responder<'r, 'static> for AppError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        match &self {
            AppError::Internal(detail) => {
                let route = req.route().map(|r| r.uri.origin.path().to_string());
                tracing::error!(method = req.method().as_str(), route, detail = %detail, "internal error");
            }
            AppError::Unavailable => {
                let route = req.route().map(|r| r.uri.origin.path().to_string());
                tracing::warn!(route, "database unavailable");
            }
            _ => {}
        }
        Err(self.status())
    }
}
