//! Structured logs (the `tracing` ecosystem): one line per request with its id, route
//! pattern, status, latency and user id, and the errors the server meets. Never patient
//! data: routes are logged as patterns (`/patients/<id>`), not as the addresses requested.
//!
//! `SAMSPILL_LOG` filters (default `info`, e.g. `samspill=debug`); `SAMSPILL_LOG_FORMAT=json`
//! writes one JSON object per line for a log collector, otherwise compact text.

use tracing_subscriber::EnvFilter;

/// Installs the subscriber for the server process; a second call does nothing.
pub fn init() {
    let filter = EnvFilter::try_from_env("SAMSPILL_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("SAMSPILL_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(true);
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.compact().with_ansi(false).try_init()
    };
}
