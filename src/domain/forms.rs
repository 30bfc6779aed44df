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
