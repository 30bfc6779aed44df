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

/// The relation in words: the free text for "other", else the label.
pub fn relation_text(relation: &str, other: &str) -> String {
    if relation == "other" && !other.is_empty() {
        other.to_string()
    } else {
        super::choices::label(super::choices::RELATIONS, relation).to_string()
    }
}

/// What the record says about a relative's age.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Age {
    Adult,
    Child,
    Unknown,
}

/// The relative's age as recorded: from the birth date when there is one, else the group.
pub fn age(birth_date: Option<NaiveDate>, age_group: &str, today: NaiveDate) -> Age {
    match (birth_date, age_group) {
        (Some(b), _) if age_on(b, today) < 18 => Age::Child,
        (Some(_), _) => Age::Adult,
        (None, "adult") => Age::Adult,
        (None, "child") => Age::Child,
        _ => Age::Unknown,
    }
}

/// The age group to store, from the chosen group and the birth date: one of them is
/// required (there is no default), and when both are given they must agree.
pub fn age_group_for(
    birth_date: Option<NaiveDate>,
    chosen: &str,
    today: NaiveDate,
) -> Result<String, (&'static str, String)> {
    let from_birth = birth_date.map(|b| {
        if age_on(b, today) < 18 {
            "child"
        } else {
            "adult"
        }
    });
    match (from_birth, chosen) {
        (None, "") => Err((
            "age_group",
            "Velg aldersgruppe, eller skriv fødselsdatoen.".into(),
        )),
        (None, group) => Ok(group.to_string()),
        (Some(group), "") | (Some(group), "unknown") => Ok(group.to_string()),
        (Some(group), chosen) if group == chosen => Ok(group.to_string()),
        (Some(group), _) => Err((
            "age_group",
            format!(
                "Fødselsdatoen gir {} år, altså {}, som ikke stemmer med aldersgruppen. Rett fødselsdatoen eller aldersgruppen.",
                birth_date.map(|b| age_on(b, today)).unwrap_or_default(),
                if group == "child" { "under 18" } else { "18 eller eldre" }
            ),
        )),
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
    fn the_age_group_is_required_and_agrees_with_the_birth_date() {
        let today = d(2026, 11, 23);
        assert_eq!(
            age_group_for(None, "", today).unwrap_err().1,
            "Velg aldersgruppe, eller skriv fødselsdatoen."
        );
        assert_eq!(age_group_for(None, "unknown", today), Ok("unknown".into()));
        assert_eq!(
            age_group_for(Some(d(2009, 1, 1)), "", today),
            Ok("child".into())
        );
        assert_eq!(
            age_group_for(Some(d(1966, 1, 1)), "adult", today),
            Ok("adult".into())
        );
        assert_eq!(
            age_group_for(Some(d(2009, 1, 1)), "adult", today)
                .unwrap_err()
                .1,
            "Fødselsdatoen gir 17 år, altså under 18, som ikke stemmer med aldersgruppen. Rett fødselsdatoen eller aldersgruppen."
        );
        assert_eq!(age(None, "unknown", today), Age::Unknown);
        assert_eq!(age(Some(d(2009, 1, 1)), "adult", today), Age::Child);
        assert_eq!(age(None, "adult", today), Age::Adult);
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
