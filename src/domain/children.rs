//! Children who are relatives, asked about every time (helsepersonelloven §§ 10 a and 10 b):
//! whether the patient has minor children or minor siblings, a child follow-up repeated at
//! least yearly while the patient receives services, and the bereaved children's follow-up
//! when a patient dies.

use super::validation::FieldErrors;
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

/// A child relative's follow-up under helsepersonelloven § 10 a, as recorded: whether the
/// child was informed and how, who follows the child up, which services were involved, any
/// concern for the child's care and what was done, and the child's own care tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildFollowup {
    pub informed: String,
    pub informed_how: String,
    pub follower: String,
    pub services: String,
    pub concern: String,
    pub concern_action: String,
    /// Whether the child has care tasks: yes, no or unsure.
    pub care_tasks: String,
    pub care_tasks_note: String,
}

/// The follow-up form's fields as typed.
pub struct ChildFollowupFields<'a> {
    pub informed: &'a str,
    pub informed_how: &'a str,
    pub follower: &'a str,
    pub services: &'a [&'a str],
    pub concern: &'a str,
    pub concern_action: &'a str,
    pub care_tasks: &'a str,
    pub care_tasks_note: &'a str,
}

impl ChildFollowup {
    /// The form parsed once. A concern (or not being sure) needs what was done about it, and
    /// care tasks need to be named with what relieves the child.
    pub fn parse(form: &ChildFollowupFields<'_>) -> Result<ChildFollowup, FieldErrors> {
        use super::choices;
        use super::forms as f;
        let mut e = FieldErrors::new();
        let informed = f::choice(
            &mut e,
            "informed",
            form.informed,
            choices::CHILD_INFORMED,
            "Velg om barnet har fått informasjon tilpasset alderen.",
        );
        let informed_how = f::text(&mut e, "informed_how", form.informed_how, 2000);
        let follower = f::line(
            &mut e,
            "follower",
            form.follower,
            200,
            Some("Skriv hvem som følger opp barnet."),
        );
        let services = choices::join_valid(choices::CHILD_SERVICES, form.services);
        let concern = f::choice(
            &mut e,
            "concern",
            form.concern,
            choices::YES_NO_UNSURE,
            "Velg om det er bekymring for barnets omsorgssituasjon.",
        );
        let concern_action = f::text(&mut e, "concern_action", form.concern_action, 4000);
        let care_tasks = f::choice(
            &mut e,
            "care_tasks",
            form.care_tasks,
            choices::YES_NO_UNSURE,
            "Velg om barnet har omsorgsoppgaver.",
        );
        let care_tasks_note = f::text(&mut e, "care_tasks_note", form.care_tasks_note, 2000);
        if care_tasks == "yes" && care_tasks_note.is_empty() {
            e.add(
                "care_tasks_note",
                "Skriv hvilke omsorgsoppgaver barnet har, og hva som gjøres for å avlaste barnet.",
            );
        }
        if (concern == "yes" || concern == "unsure") && concern_action.is_empty() {
            e.add(
                "concern_action",
                "Skriv hva som er gjort med bekymringen, for eksempel om barnevernet er varslet.",
            );
        }
        e.into_result(|| ChildFollowup {
            informed,
            informed_how,
            follower,
            services,
            concern,
            concern_action,
            care_tasks,
            care_tasks_note,
        })
    }
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

    #[test]
    fn a_concern_needs_what_was_done_and_care_tasks_need_naming() {
        let fields =
            |concern: &'static str, care: &'static str, note: &'static str| ChildFollowupFields {
                informed: "yes",
                informed_how: "",
                follower: "Helsesykepleier på skolen",
                services: &["skole", "made-up"],
                concern,
                concern_action: "",
                care_tasks: care,
                care_tasks_note: note,
            };
        let e = ChildFollowup::parse(&fields("unsure", "yes", "")).unwrap_err();
        assert_eq!(
            e.get("concern_action"),
            Some("Skriv hva som er gjort med bekymringen, for eksempel om barnevernet er varslet.")
        );
        assert_eq!(
            e.get("care_tasks_note"),
            Some(
                "Skriv hvilke omsorgsoppgaver barnet har, og hva som gjøres for å avlaste barnet."
            )
        );
        let ok = ChildFollowup::parse(&fields("no", "yes", "Handler for mor")).unwrap();
        assert_eq!(ok.services, "skole");
        assert_eq!(ok.care_tasks_note, "Handler for mor");
    }
}
