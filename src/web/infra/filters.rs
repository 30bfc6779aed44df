//! Template filters: the one place dates and numbers of days are formatted for pages.

use crate::domain::dates::{format_date, format_datetime};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use tera::{self, Tera, Value};

pub fn register(tera: &mut Tera) {
    tera.register_filter("dato", date);
    tera.register_filter("datotid", datetime);
    tera.register_filter("dager", days);
}

/// A number of days → `1 dag`, `3 dager`.
fn days(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    match value.as_i64() {
        Some(n) => Ok(Value::from(crate::domain::dates::days_text(n))),
        None => Err(tera::Error::msg("the filter dager takes a whole number")),
    }
}

/// `2026-03-12` or a timestamp → `12.03.2026`; empty for null.
fn date(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let Some(s) = value.as_str() else {
        return Ok(Value::from(""));
    };
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(Value::from(format_date(d)));
    }
    match s.parse::<DateTime<Utc>>() {
        Ok(t) => Ok(Value::from(format_date(crate::domain::dates::oslo_date(t)))),
        Err(_) => Ok(Value::from(s)),
    }
}

/// A timestamp → `12.03.2026 14:05` in Oslo time.
fn datetime(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let Some(s) = value.as_str() else {
        return Ok(Value::from(""));
    };
    match s.parse::<DateTime<Utc>>() {
        Ok(t) => Ok(Value::from(format_datetime(t))),
        Err(_) => date(value, &HashMap::new()),
    }
}

/// Percent-encodes a value for a query string.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
