//! Relatives: who counts as a child, and the rules for nærmeste pårørende.

use super::dates::age_on;
use chrono::NaiveDate;

/// A relative is a child when younger than 18 on `today`, or recorded as under 18.
pub fn is_child(birth_date: Option<NaiveDate>, age_group: &str, today: NaiveDate) -> bool {
    match birth_date {
        Some(b) => age_on(b, today) < 18,
        None => age_group == "child",
    }
}

/// Why a relative cannot be recorded as nærmeste pårørende, if so.
pub fn closest_problem(
    closest: bool,
    child: bool,
    basis: &str,
) -> Option<(&'static str, &'static str)> {
    if !closest {
        return None;
    }
    if child {
        return Some((
            "closest",
            "Et barn under 18 år kan ikke være nærmeste pårørende.",
        ));
    }
    if basis.is_empty() {
        return Some((
            "closest_basis",
            "Velg hvordan nærmeste pårørende ble bestemt.",
        ));
    }
    None
}

/// The age group that agrees with a birth date.
pub fn age_group_for(birth_date: Option<NaiveDate>, chosen: &str, today: NaiveDate) -> String {
    match birth_date {
        Some(b) if age_on(b, today) < 18 => "child".into(),
        Some(_) => "adult".into(),
        None => chosen.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn children_are_under_eighteen() {
        let today = d(2026, 11, 23);
        assert!(is_child(Some(d(2008, 11, 24)), "adult", today));
        assert!(!is_child(Some(d(2008, 11, 23)), "child", today));
        assert!(is_child(None, "child", today));
        assert!(!is_child(None, "unknown", today));
    }

    #[test]
    fn a_child_can_never_be_closest() {
        assert_eq!(
            closest_problem(true, true, "patient_choice").map(|p| p.0),
            Some("closest")
        );
        assert_eq!(
            closest_problem(true, false, "").map(|p| p.0),
            Some("closest_basis")
        );
        assert_eq!(closest_problem(true, false, "legal_order"), None);
        assert_eq!(closest_problem(false, true, ""), None);
    }
}
