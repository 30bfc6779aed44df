//! What every area of the web application shares: the session and its user guards, the
//! CSRF check, the page context and form outcome, the templates, raw form values, template filters, exports,
//! charts, the error responder, security headers, the letterhead's logo, metrics, liveness
//! and the log of refused requests.

pub mod chart;
pub mod csrf;
pub mod error;
pub mod export;
pub mod filters;
pub mod forms;
pub mod headers;
pub mod health;
pub mod letterhead;
pub mod metrics;
pub mod page;
pub mod reads;
pub mod refused;
pub mod request_log;
pub mod session;
pub mod templates;
