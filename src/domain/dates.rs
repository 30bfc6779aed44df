//! Dates as Norwegian users read and write them, and "today" in Europe/Oslo.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Oslo;

/// Parses `dd.mm.åååå` (also `d.m.åååå`) and the ISO form `åååå-mm-dd` that date inputs send.
pub fn parse_date(input: &str) -> Option<NaiveDate> {
    let s = input.trim();
    if s.is_empty() || s.len() > 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d.%m.%Y"))
        .ok()
        .filter(|d| (1850..=2200).contains(&chrono::Datelike::year(d)))
}

/// `12.03.2026`
/// A number of days as a page says it: `1 dag`, `3 dager`.
pub fn days_text(days: i64) -> String {
    if days == 1 {
        "1 dag".to_string()
    } else {
        format!("{days} dager")
    }
}

pub fn format_date(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// A date in a strftime `pattern`, e.g. `%-d %B %Y` for "30 November 2026".
pub fn format_date_as(date: NaiveDate, pattern: &str) -> String {
    date.format(pattern).to_string()
}

/// `12.03.2026 14:05`, in Oslo time.
pub fn format_datetime(at: DateTime<Utc>) -> String {
    at.with_timezone(&Oslo).format("%d.%m.%Y %H:%M").to_string()
}

/// The calendar date in Oslo at the instant `now`.
pub fn oslo_date(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&Oslo).date_naive()
}

/// Age in whole years on `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    use chrono::Datelike;
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {

    #[test]
    fn one_day_is_singular() {
        assert_eq!(days_text(1), "1 dag");
        assert_eq!(days_text(2), "2 dager");
        assert_eq!(days_text(0), "0 dager");
    }

    use super::*;
    use chrono::TimeZone;

    #[test]
    fn both_input_forms_parse() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 12).unwrap();
        assert_eq!(parse_date("12.03.2026"), Some(d));
        assert_eq!(parse_date("12.3.2026"), Some(d));
        assert_eq!(parse_date(" 2026-03-12 "), Some(d));
        assert_eq!(parse_date("31.02.2026"), None);
        assert_eq!(parse_date("12/03/2026"), None);
        assert_eq!(parse_date("01.01.0001"), None);
        assert_eq!(format_date(d), "12.03.2026");
    }

    #[test]
    fn oslo_date_follows_local_midnight() {
        // 23:30 UTC on 31 December is already 1 January in Oslo (UTC+1 in winter).
        let at = Utc.with_ymd_and_hms(2025, 12, 31, 23, 30, 0).unwrap();
        assert_eq!(oslo_date(at), NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert_eq!(format_datetime(at), "01.01.2026 00:30");
    }

    #[test]
    fn age_counts_birthdays() {
        let birth = NaiveDate::from_ymd_opt(2008, 11, 24).unwrap();
        assert_eq!(
            age_on(birth, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()),
            17
        );
        assert_eq!(
            age_on(birth, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()),
            18
        );
    }
}
