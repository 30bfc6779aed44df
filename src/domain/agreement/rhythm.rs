//! How often the parties keep in touch (section 6), as a choice the service can keep: each
//! rhythm but "when needed" puts the next contact on the contact person's follow-up list,
//! and completing it schedules the one after while the agreement is in force.

use super::{Content, Language};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rhythm {
    Weekly,
    Monthly,
    Quarterly,
    HalfYearly,
    AsNeeded,
}

/// The choices in the order the form shows them, as (key, bokmål label).
pub const RHYTHMS: &[(&str, &str)] = &[
    ("weekly", "Hver uke"),
    ("monthly", "Hver måned"),
    ("quarterly", "Hver tredje måned"),
    ("half_yearly", "Hver sjette måned"),
    ("as_needed", "Ved behov"),
];

/// The rhythm a new agreement starts with: the guidance asks for contact with nærmeste
/// pårørende at least a few times a year.
pub const DEFAULT: Rhythm = Rhythm::Quarterly;

impl Rhythm {
    pub const ALL: [Rhythm; 5] = [
        Rhythm::Weekly,
        Rhythm::Monthly,
        Rhythm::Quarterly,
        Rhythm::HalfYearly,
        Rhythm::AsNeeded,
    ];

    pub fn parse(key: &str) -> Option<Rhythm> {
        Rhythm::ALL.into_iter().find(|r| r.key() == key)
    }

    pub fn key(self) -> &'static str {
        match self {
            Rhythm::Weekly => "weekly",
            Rhythm::Monthly => "monthly",
            Rhythm::Quarterly => "quarterly",
            Rhythm::HalfYearly => "half_yearly",
            Rhythm::AsNeeded => "as_needed",
        }
    }

    /// The label in the copy's language.
    pub fn label(self, lang: Language) -> &'static str {
        let i = Rhythm::ALL.iter().position(|r| *r == self).unwrap_or(0);
        let (nn, en) = [
            ("Kvar veke", "Every week"),
            ("Kvar månad", "Every month"),
            ("Kvar tredje månad", "Every third month"),
            ("Kvar sjette månad", "Every sixth month"),
            ("Ved behov", "When needed"),
        ][i];
        match lang {
            Language::Nynorsk => nn,
            Language::English => en,
            Language::Bokmal => RHYTHMS[i].1,
        }
    }

    /// The next contact after one on `from`; None when contact is only as needed.
    pub fn next_after(self, from: NaiveDate) -> Option<NaiveDate> {
        match self {
            Rhythm::Weekly => Some(from + chrono::Duration::days(7)),
            Rhythm::Monthly => from.checked_add_months(Months::new(1)),
            Rhythm::Quarterly => from.checked_add_months(Months::new(3)),
            Rhythm::HalfYearly => from.checked_add_months(Months::new(6)),
            Rhythm::AsNeeded => None,
        }
    }

    /// What the contact follow-up says it is for.
    pub fn concerns(self, content: &Content) -> String {
        format!(
            "Kontakt med {} etter pårørendeavtalen ({})",
            parties(content),
            self.label(Language::Bokmal).to_lowercase()
        )
    }
}

fn parties(content: &Content) -> String {
    let names: Vec<&str> = content.parties.iter().map(|p| p.name.as_str()).collect();
    names.join(", ")
}

/// What the follow-up for the agreed next meeting says it is for.
pub fn meeting_concerns(content: &Content) -> String {
    format!("Møte med {} etter pårørendeavtalen", parties(content))
}

/// The follow-ups an agreement in force keeps on its contact person's list, from the
/// version signed on `signed_on`: the agreed next meeting (if it is not past) and the first
/// contact of the rhythm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactPlan {
    pub next_meeting: Option<NaiveDate>,
    pub next_contact: Option<NaiveDate>,
}

pub fn plan(
    rhythm: Option<Rhythm>,
    next_meeting_on: Option<NaiveDate>,
    signed_on: NaiveDate,
    today: NaiveDate,
) -> ContactPlan {
    let from = signed_on.max(today);
    ContactPlan {
        next_meeting: next_meeting_on.filter(|d| *d >= today),
        next_contact: rhythm.and_then(|r| r.next_after(from)),
    }
}

/// The contact after one completed on `done_on`, while the agreement is in force.
pub fn after_contact(
    rhythm: Option<Rhythm>,
    done_on: NaiveDate,
    in_force: bool,
) -> Option<NaiveDate> {
    if !in_force {
        return None;
    }
    rhythm.and_then(|r| r.next_after(done_on))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn each_rhythm_has_its_interval() {
        let from = d(2027, 1, 31);
        assert_eq!(Rhythm::Weekly.next_after(from), Some(d(2027, 2, 7)));
        // A month after 31 January is the last day of February.
        assert_eq!(Rhythm::Monthly.next_after(from), Some(d(2027, 2, 28)));
        assert_eq!(Rhythm::Quarterly.next_after(from), Some(d(2027, 4, 30)));
        assert_eq!(Rhythm::HalfYearly.next_after(from), Some(d(2027, 7, 31)));
        assert_eq!(Rhythm::AsNeeded.next_after(from), None);
    }

    #[test]
    fn keys_and_labels_round_trip() {
        for r in Rhythm::ALL {
            assert_eq!(Rhythm::parse(r.key()), Some(r));
            assert!(!r.label(Language::Nynorsk).is_empty());
            assert!(!r.label(Language::English).is_empty());
        }
        assert_eq!(Rhythm::parse("daily"), None);
        assert_eq!(
            Rhythm::HalfYearly.label(Language::Nynorsk),
            "Kvar sjette månad"
        );
        assert_eq!(Rhythm::Monthly.label(Language::English), "Every month");
        let content = Content {
            parties: vec![super::super::Party {
                name: "Kari Nordmann".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        assert_eq!(
            Rhythm::Monthly.concerns(&content),
            "Kontakt med Kari Nordmann etter pårørendeavtalen (hver måned)"
        );
        assert_eq!(
            meeting_concerns(&content),
            "Møte med Kari Nordmann etter pårørendeavtalen"
        );
    }

    #[test]
    fn the_plan_counts_from_signing_and_drops_a_past_meeting() {
        let today = d(2027, 3, 10);
        let p = plan(Some(Rhythm::Monthly), Some(d(2027, 3, 9)), today, today);
        assert_eq!(p.next_meeting, None);
        assert_eq!(p.next_contact, Some(d(2027, 4, 10)));
        // Signed (on paper) a few days ago: the rhythm still counts from today, never from
        // a date that would put the first contact on the overdue list at once.
        let p = plan(Some(Rhythm::Weekly), Some(today), d(2027, 3, 1), today);
        assert_eq!(p.next_meeting, Some(today));
        assert_eq!(p.next_contact, Some(d(2027, 3, 17)));
        let p = plan(Some(Rhythm::AsNeeded), None, today, today);
        assert_eq!(p.next_contact, None);
        assert_eq!(plan(None, None, today, today).next_contact, None);
    }

    #[test]
    fn a_completed_contact_schedules_the_next_only_in_force() {
        let done = d(2027, 5, 2);
        assert_eq!(
            after_contact(Some(Rhythm::Quarterly), done, true),
            Some(d(2027, 8, 2))
        );
        assert_eq!(after_contact(Some(Rhythm::Quarterly), done, false), None);
        assert_eq!(after_contact(Some(Rhythm::AsNeeded), done, true), None);
    }
}
