//! Small parsers shared by the routine's forms, each giving a Norwegian message.

use super::dates::parse_date;
use super::validation::FieldErrors;
use chrono::NaiveDate;

/// Free text up to `max` characters, trimmed; control characters other than line breaks
/// are refused.
pub fn text(errors: &mut FieldErrors, field: &str, raw: &str, max: usize) -> String {
    let value = raw.trim();
    if value.chars().count() > max {
        errors.add(field, format!("Teksten kan være høyst {max} tegn."));
    } else if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        errors.add(field, "Teksten inneholder ugyldige tegn.");
    }
    value.replace("\r\n", "\n")
}

/// One line of text, required when `required_message` is given.
pub fn line(
    errors: &mut FieldErrors,
    field: &str,
    raw: &str,
    max: usize,
    required_message: Option<&str>,
) -> String {
    let value = super::text::one_line(raw);
    if value.is_empty() {
        if let Some(m) = required_message {
            errors.add(field, m);
        }
    } else if value.chars().count() > max {
        errors.add(field, format!("Teksten kan være høyst {max} tegn."));
    } else if value.chars().any(char::is_control) {
        errors.add(field, "Teksten inneholder ugyldige tegn.");
    }
    value
}

/// A date in dd.mm.åååå; None when empty (with a message when required) or invalid.
pub fn date(
    errors: &mut FieldErrors,
    field: &str,
    raw: &str,
    required_message: Option<&str>,
) -> Option<NaiveDate> {
    if raw.trim().is_empty() {
        if let Some(m) = required_message {
            errors.add(field, m);
        }
        return None;
    }
    let parsed = parse_date(raw);
    if parsed.is_none() {
        errors.add(field, "Skriv datoen som dd.mm.åååå, f.eks. 12.03.2026.");
    }
    parsed
}

/// One of a fixed list.
pub fn choice(
    errors: &mut FieldErrors,
    field: &str,
    raw: &str,
    list: super::choices::Choices,
    message: &str,
) -> String {
    if super::choices::is_valid(list, raw) {
        raw.to_string()
    } else {
        errors.add(field, message);
        String::new()
    }
}

/// Whole hours 0–168.
pub fn hours(errors: &mut FieldErrors, field: &str, raw: &str) -> i64 {
    let t = raw.trim();
    if t.is_empty() {
        return 0;
    }
    match t.parse::<i64>() {
        Ok(h) if (0..=168).contains(&h) => h,
        _ => {
            errors.add(
                field,
                "Skriv antall timer per uke som et helt tall fra 0 til 168.",
            );
            0
        }
    }
}
