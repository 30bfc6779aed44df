//! Children who are relatives, asked about every time (helsepersonelloven §§ 10 a and 10 b):
//! whether the patient has minor children or minor siblings, a child follow-up repeated at
//! least yearly while the patient receives services, and the bereaved children's follow-up
//! when a patient dies.

use chrono::{Months, NaiveDate};

/// The answer to "does the patient have children or siblings under 18?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildrenAnswer {
    Yes,
    No,
    /// Not known yet: stays a task until answered.
    Unknown,
}

pub const ANSWERS: &[(&str, &str)] =
    &[("yes", "Ja"), ("no", "Nei"), ("unknown", "Ikke kjent ennå")];

impl ChildrenAnswer {
    pub fn parse(key: &str) -> Option<ChildrenAnswer> {
        match key {
            "yes" => Some(ChildrenAnswer::Yes),
            "no" => Some(ChildrenAnswer::No),
            "unknown" => Some(ChildrenAnswer::Unknown),
            _ => None,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            ChildrenAnswer::Yes => "yes",
            ChildrenAnswer::No => "no",
            ChildrenAnswer::Unknown => "unknown",
        }
    }
}

/// A child follow-up is due when none is recorded, or the latest is a year old or more.
pub fn followup_due(latest: Option<NaiveDate>, today: NaiveDate) -> bool {
    latest.is_none_or(|d| d.checked_add_months(Months::new(12)).unwrap_or(d) <= today)
}

/// The earliest a child follow-up may be recorded and still count for today.
pub fn followup_counts_from(today: NaiveDate) -> NaiveDate {
    today
        .checked_sub_months(Months::new(12))
        .unwrap_or(today)
        .succ_opt()
        .unwrap_or(today)
}

/// Why a patient is archived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveReason {
    Died,
    Moved,
    NoServices,
}

pub const ARCHIVE_REASONS: &[(&str, &str)] = &[
    ("died", "Pasienten er død"),
    ("moved", "Pasienten har flyttet"),
    ("no_services", "Pasienten mottar ikke lenger tjenester"),
];

impl ArchiveReason {
    pub fn parse(key: &str) -> Option<ArchiveReason> {
        match key {
            "died" => Some(ArchiveReason::Died),
            "moved" => Some(ArchiveReason::Moved),
            "no_services" => Some(ArchiveReason::NoServices),
            _ => None,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            ArchiveReason::Died => "died",
            ArchiveReason::Moved => "moved",
            ArchiveReason::NoServices => "no_services",
        }
    }

    pub fn label(self) -> &'static str {
        ARCHIVE_REASONS
            .iter()
            .find(|(k, _)| *k == self.key())
            .map_or("", |(_, l)| l)
    }
}

/// After a patient's death, the follow-up the bereaved children are owed (§ 10 b): one,
/// naming the children, when the patient had children registered as relatives.
pub fn bereaved_followup(reason: ArchiveReason, children: &[String]) -> Option<String> {
    if reason != ArchiveReason::Died || children.is_empty() {
        return None;
    }
    Some(format!(
        "Oppfølging av etterlatte barn: {} (helsepersonelloven § 10 b)",
        children.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_child_followup_is_repeated_yearly() {
        let today = d(2027, 6, 15);
        assert!(followup_due(None, today));
        assert!(!followup_due(Some(d(2026, 6, 16)), today));
        // Exactly a year ago: due again today.
        assert!(followup_due(Some(d(2026, 6, 15)), today));
        assert_eq!(followup_counts_from(today), d(2026, 6, 16));
    }

    #[test]
    fn answers_and_reasons_round_trip() {
        for (k, _) in ANSWERS {
            assert_eq!(ChildrenAnswer::parse(k).unwrap().key(), *k);
        }
        for (k, l) in ARCHIVE_REASONS {
            let r = ArchiveReason::parse(k).unwrap();
            assert_eq!((r.key(), r.label()), (*k, *l));
        }
        assert_eq!(ChildrenAnswer::parse(""), None);
        assert_eq!(ArchiveReason::parse("gone"), None);
    }

    #[test]
    fn only_a_death_with_children_asks_for_the_bereaved_childrens_followup() {
        let kids = vec!["Lille Per".to_string(), "Ida".to_string()];
        assert_eq!(
            bereaved_followup(ArchiveReason::Died, &kids).as_deref(),
            Some("Oppfølging av etterlatte barn: Lille Per, Ida (helsepersonelloven § 10 b)")
        );
        assert_eq!(bereaved_followup(ArchiveReason::Moved, &kids), None);
        assert_eq!(bereaved_followup(ArchiveReason::Died, &[]), None);
    }
}
