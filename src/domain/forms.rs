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

/// An optional phone number, in its stored form (`+47 22 33 44 55`); empty when not given.
pub fn phone(errors: &mut FieldErrors, field: &str, raw: &str) -> String {
    if raw.trim().is_empty() {
        return String::new();
    }
    match super::phone::Phone::parse(raw) {
        Some(p) => p.as_str().to_string(),
        None => {
            errors.add(field, super::phone::PHONE_MESSAGE);
            raw.trim().to_string()
        }
    }
}

/// An optional web address as printed for people to type: `example.no/path` or with
/// `https://`. Stored without the scheme's `https://`; empty when not given.
pub fn web_address(errors: &mut FieldErrors, field: &str, raw: &str) -> String {
    let value = raw.trim();
    if value.is_empty() {
        return String::new();
    }
    let bare = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .unwrap_or(value)
        .trim_end_matches('/');
    let host = bare.split('/').next().unwrap_or_default();
    let valid = bare.chars().count() <= 200
        && !bare.chars().any(|c| c.is_whitespace() || c.is_control())
        && host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.');
    if !valid {
        errors.add(
            field,
            "Skriv en nettadresse, f.eks. pasientogbrukerombudet.no eller https://www.oslo.kommune.no/parorende.",
        );
        return value.to_string();
    }
    bare.to_string()
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

/// The one rule for dates that must not lie before today (a due date, a meeting to come):
/// "`what` kan ikke være tilbake i tid." at `field`.
pub fn not_in_past(
    errors: &mut FieldErrors,
    field: &str,
    date: Option<NaiveDate>,
    today: NaiveDate,
    what: &str,
) {
    if date.is_some_and(|d| d < today) {
        errors.add(field, format!("{what} kan ikke være tilbake i tid."));
    }
}

/// The one rule for dates of what has happened (done, mapped, signed, born): "`what` kan
/// ikke være fram i tid." at `field`.
pub fn not_in_future(
    errors: &mut FieldErrors,
    field: &str,
    date: Option<NaiveDate>,
    today: NaiveDate,
    what: &str,
) {
    if date.is_some_and(|d| d > today) {
        errors.add(field, format!("{what} kan ikke være fram i tid."));
    }
}

/// The one check that a chosen record is among those that may be chosen (an owner among the
/// unit's staff, a relative among the patient's): the id, or `message` at `field`. An empty
/// choice is None without a message unless `required`.
pub fn chosen_id(
    errors: &mut FieldErrors,
    field: &str,
    raw: &str,
    staff: &[i64],
    required: bool,
    message: &str,
) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() && !required {
        return None;
    }
    let id = raw.parse::<i64>().ok().filter(|id| staff.contains(id));
    if id.is_none() {
        errors.add(field, message);
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn phones_and_web_addresses_are_stored_in_the_form_people_type() {
        let mut e = FieldErrors::new();
        assert_eq!(phone(&mut e, "p", "22491922"), "+47 22 49 19 22");
        assert_eq!(phone(&mut e, "p", " "), "");
        assert_eq!(
            web_address(&mut e, "w", "https://pasientogbrukerombudet.no/"),
            "pasientogbrukerombudet.no"
        );
        assert_eq!(
            web_address(&mut e, "w", "oslo.kommune.no/a"),
            "oslo.kommune.no/a"
        );
        assert!(e.is_empty());
        phone(&mut e, "p", "12");
        web_address(&mut e, "w", "ring oss");
        web_address(&mut e, "x", "localhost");
        assert_eq!(e.len(), 3);
    }

    #[test]
    fn one_rule_for_dates_before_and_after_today() {
        let today = d("2026-03-02");
        let mut e = FieldErrors::new();
        not_in_past(&mut e, "due_on", Some(d("2026-03-01")), today, "Fristen");
        not_in_past(&mut e, "next_due", Some(today), today, "Fristen");
        not_in_future(&mut e, "done_on", Some(d("2026-03-03")), today, "Datoen");
        not_in_future(&mut e, "mapped_on", Some(today), today, "Kartleggingen");
        not_in_past(&mut e, "other", None, today, "Datoen");
        assert_eq!(
            e.get("due_on"),
            Some("Fristen kan ikke være tilbake i tid.")
        );
        assert_eq!(e.get("done_on"), Some("Datoen kan ikke være fram i tid."));
        assert_eq!(e.len(), 2);
    }

    #[test]
    fn a_chosen_member_of_staff_belongs_to_the_unit() {
        let mut e = FieldErrors::new();
        assert_eq!(
            chosen_id(&mut e, "a", " 7 ", &[7, 8], true, "Velg"),
            Some(7)
        );
        assert_eq!(chosen_id(&mut e, "b", "", &[7], false, "Velg"), None);
        assert!(e.is_empty());
        assert_eq!(
            chosen_id(&mut e, "c", "9", &[7], false, "Velg en ansatt"),
            None
        );
        assert_eq!(chosen_id(&mut e, "d", "", &[7], true, "Velg"), None);
        assert_eq!(chosen_id(&mut e, "e", "x", &[7], true, "Velg"), None);
        assert_eq!(e.get("c"), Some("Velg en ansatt"));
        assert_eq!(e.len(), 3);
    }
}
