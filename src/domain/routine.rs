//! The four steps of the routine (Identifisere – Kartlegge – Medvirke og samarbeide – Støtte)
//! and when each is done, computed from facts about one patient.

use super::children::ChildrenAnswer;
use super::dates::format_date;
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    NotStarted,
    InProgress,
    Done,
    /// The patient has no relatives to involve, or does not want them involved.
    NotApplicable,
}

impl StepState {
    pub fn label(self) -> &'static str {
        match self {
            StepState::NotStarted => "Ikke startet",
            StepState::InProgress => "Pågår",
            StepState::Done => "Fullført",
            StepState::NotApplicable => "Ikke aktuelt",
        }
    }
}

/// The form that resolves what is missing next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fix {
    /// Register a relative.
    AddRelative,
    /// The relative's details: whether they want to be involved, their contact person.
    EditRelative(i64),
    /// The patient's answer about minor children and siblings.
    ChildrenAnswer,
    ChildFollowup(i64),
    NewMapping(i64),
    /// A meeting that is not completed or lacks minutes.
    Meeting(i64),
    NewMeeting,
    /// A referral (or a declined offer) for the relative.
    Referral(i64),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub key: &'static str,
    pub number: u8,
    pub name: &'static str,
    pub state: StepState,
    pub state_label: &'static str,
    /// What is missing next, in one plain sentence; empty when done.
    pub next: String,
    /// The form that resolves it.
    pub fix: Option<Fix>,
}

impl Step {
    fn fixed_by(mut self, fix: Option<Fix>) -> Step {
        self.fix = fix;
        self
    }
}

#[derive(Debug, Clone, Default)]
pub struct RelativeFacts {
    pub id: i64,
    pub name: String,
    /// "yes", "no" or "unclear".
    pub involvement: String,
    pub has_mapping: bool,
    /// The latest mapping names at least one support need.
    pub has_support_need: bool,
    /// At least one referral (in any state, declined included).
    pub has_referral: bool,
    pub has_contact_person: bool,
    /// Under 18: followed up under helsepersonelloven § 10 a, never a party.
    pub child: bool,
    /// A child whose follow-up is due: none recorded, or the latest a year old or more.
    pub child_followup_missing: bool,
}

impl RelativeFacts {
    fn involved(&self) -> bool {
        self.involvement == "yes"
    }
}

#[derive(Debug, Clone)]
pub struct MeetingFacts {
    pub id: i64,
    pub kind: String,
    pub date: NaiveDate,
    pub completed: bool,
    pub has_minutes: bool,
}

#[derive(Debug, Clone, Default)]
pub struct PatientFacts {
    pub relatives: Vec<RelativeFacts>,
    /// "no_relatives" or "declines" when recorded.
    pub outcome: Option<String>,
    /// Whether the patient has minor children or siblings; None until asked.
    pub minor_children: Option<ChildrenAnswer>,
    pub meetings: Vec<MeetingFacts>,
}

fn step(key: &'static str, number: u8, name: &'static str, state: StepState, next: String) -> Step {
    Step {
        key,
        number,
        name,
        state,
        state_label: state.label(),
        next,
        fix: None,
    }
}

fn first(list: &[&RelativeFacts]) -> Option<i64> {
    list.first().map(|r| r.id)
}

fn names(list: &[&RelativeFacts]) -> String {
    let names: Vec<&str> = list.iter().map(|r| r.name.as_str()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} og {last}", rest.join(", ")),
    }
}

pub fn identify(f: &PatientFacts) -> Step {
    let s = |state, next: &str| step("identify", 1, "Identifisere", state, next.to_string());
    if f.outcome.is_some() {
        // The outcome does not switch off the children's own right to follow-up.
        let children: Vec<&RelativeFacts> = f
            .relatives
            .iter()
            .filter(|r| r.child_followup_missing)
            .collect();
        if !children.is_empty() {
            return s(
                StepState::InProgress,
                &format!(
                    "Registrer oppfølgingen av {} (barn som pårørende, helsepersonelloven § 10 a).",
                    names(&children)
                ),
            )
            .fixed_by(first(&children).map(Fix::ChildFollowup));
        }
        return children_asked(f).unwrap_or_else(|| s(StepState::Done, ""));
    }
    if f.relatives.is_empty() {
        return s(StepState::NotStarted, "Ingen pårørende er registrert ennå.")
            .fixed_by(Some(Fix::AddRelative));
    }
    if f.relatives.iter().any(|r| r.involvement != "unclear") {
        return children_asked(f).unwrap_or_else(|| s(StepState::Done, ""));
    }
    let unclear: Vec<&RelativeFacts> = f.relatives.iter().collect();
    step(
        "identify",
        1,
        "Identifisere",
        StepState::InProgress,
        format!("Avklar om {} ønsker å bli involvert.", names(&unclear)),
    )
    .fixed_by(first(&unclear).map(Fix::EditRelative))
}

/// Identification is not done until it is known whether the patient has minor children or
/// siblings, and those there are are registered (helsepersonelloven § 10 a).
fn children_asked(f: &PatientFacts) -> Option<Step> {
    let s = |next: &str, fix| {
        step(
            "identify",
            1,
            "Identifisere",
            StepState::InProgress,
            next.to_string(),
        )
        .fixed_by(Some(fix))
    };
    match f.minor_children {
        None => Some(s(
            "Spør om pasienten har barn eller søsken under 18 år.",
            Fix::ChildrenAnswer,
        )),
        Some(ChildrenAnswer::Unknown) => Some(s(
            "Det er ikke avklart ennå om pasienten har barn eller søsken under 18 år.",
            Fix::ChildrenAnswer,
        )),
        Some(ChildrenAnswer::Yes) if !f.relatives.iter().any(|r| r.child) => Some(s(
            "Pasienten har barn eller søsken under 18 år: registrer dem som pårørende.",
            Fix::AddRelative,
        )),
        Some(_) => None,
    }
}

fn involved(f: &PatientFacts) -> Vec<&RelativeFacts> {
    f.relatives.iter().filter(|r| r.involved()).collect()
}

pub fn map(f: &PatientFacts) -> Step {
    let s = |state, next: String| step("map", 2, "Kartlegge", state, next);
    if f.outcome.is_some() {
        return s(StepState::NotApplicable, String::new());
    }
    let involved = involved(f);
    if involved.is_empty() {
        return s(
            StepState::NotStarted,
            "Ingen pårørende ønsker å bli involvert ennå.".into(),
        );
    }
    let missing: Vec<&RelativeFacts> = involved
        .iter()
        .copied()
        .filter(|r| !r.has_mapping)
        .collect();
    let fix = first(&missing).map(Fix::NewMapping);
    if missing.is_empty() {
        s(StepState::Done, String::new())
    } else if missing.len() == involved.len() {
        s(
            StepState::NotStarted,
            "Ingen pårørende er kartlagt ennå.".into(),
        )
        .fixed_by(fix)
    } else {
        s(
            StepState::InProgress,
            format!("{} er ikke kartlagt.", names(&missing)),
        )
        .fixed_by(fix)
    }
}

pub fn involve(f: &PatientFacts, today: NaiveDate) -> Step {
    let s = |state, next: String| step("involve", 3, "Medvirke og samarbeide", state, next);
    if f.outcome.is_some() {
        return s(StepState::NotApplicable, String::new());
    }
    let involved = involved(f);
    if let Some(m) = f
        .meetings
        .iter()
        .find(|m| !m.completed && !m.has_minutes && m.date <= today)
    {
        return s(
            StepState::InProgress,
            format!("Møtet {} mangler referat.", m.date.format("%d.%m")),
        )
        .fixed_by(Some(Fix::Meeting(m.id)));
    }
    let first_done = f.meetings.iter().any(|m| m.kind == "first" && m.completed);
    let without_contact: Vec<&RelativeFacts> = involved
        .iter()
        .copied()
        .filter(|r| !r.has_contact_person)
        .collect();
    if first_done && !involved.is_empty() && without_contact.is_empty() {
        return s(StepState::Done, String::new());
    }
    let started = !f.meetings.is_empty() || involved.iter().any(|r| r.has_contact_person);
    let state = if started {
        StepState::InProgress
    } else {
        StepState::NotStarted
    };
    if involved.is_empty() {
        return s(
            StepState::NotStarted,
            "Ingen pårørende ønsker å bli involvert ennå.".into(),
        );
    }
    if let Some(m) = f
        .meetings
        .iter()
        .find(|m| m.kind == "first" && !m.completed)
    {
        return s(
            state,
            format!("Første samtale {} er ikke fullført.", format_date(m.date)),
        )
        .fixed_by(Some(Fix::Meeting(m.id)));
    }
    if !first_done {
        return s(state, "Ingen første samtale er holdt ennå.".into())
            .fixed_by(Some(Fix::NewMeeting));
    }
    s(
        state,
        format!("{} har ingen kontaktperson.", names(&without_contact)),
    )
    .fixed_by(first(&without_contact).map(Fix::EditRelative))
}

pub fn support(f: &PatientFacts) -> Step {
    let s = |state, next: String| step("support", 4, "Støtte", state, next);
    if f.outcome.is_some() {
        // Whatever the patient decided, registered adult relatives keep their right to
        // general information and to support (helse- og omsorgstjenesteloven § 3-6).
        let adults: Vec<&RelativeFacts> = f.relatives.iter().filter(|r| !r.child).collect();
        if adults.is_empty() {
            return s(StepState::NotApplicable, String::new());
        }
        let without: Vec<&RelativeFacts> =
            adults.iter().copied().filter(|r| !r.has_referral).collect();
        if without.is_empty() {
            return s(StepState::Done, String::new());
        }
        let state = if without.len() < adults.len() {
            StepState::InProgress
        } else {
            StepState::NotStarted
        };
        return s(
            state,
            format!(
                "Gi {} generell informasjon og tilbud om støtte (henvisning eller avslag), selv om pasienten ikke ønsker pårørende involvert.",
                names(&without)
            ),
        )
        .fixed_by(first(&without).map(Fix::Referral));
    }
    let involved = involved(f);
    let mapped: Vec<&RelativeFacts> = involved.iter().copied().filter(|r| r.has_mapping).collect();
    if mapped.is_empty() {
        return s(
            StepState::NotStarted,
            "Kartlegg de pårørendes behov for støtte først.".into(),
        )
        .fixed_by(first(&involved).map(Fix::NewMapping));
    }
    let uncovered: Vec<&RelativeFacts> = mapped
        .iter()
        .copied()
        .filter(|r| r.has_support_need && !r.has_referral)
        .collect();
    if uncovered.is_empty() {
        s(StepState::Done, String::new())
    } else {
        let any_referral = mapped.iter().any(|r| r.has_referral);
        let state = if any_referral {
            StepState::InProgress
        } else {
            StepState::NotStarted
        };
        s(
            state,
            format!(
                "{} har behov for støtte uten henvisning eller avslag.",
                names(&uncovered)
            ),
        )
        .fixed_by(first(&uncovered).map(Fix::Referral))
    }
}

pub fn steps(f: &PatientFacts, today: NaiveDate) -> [Step; 4] {
    [identify(f), map(f), involve(f, today), support(f)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn rel(name: &str, involvement: &str) -> RelativeFacts {
        RelativeFacts {
            name: name.into(),
            involvement: involvement.into(),
            ..Default::default()
        }
    }

    #[test]
    fn nothing_recorded_means_nothing_started() {
        let f = PatientFacts::default();
        let s = steps(&f, d(11, 23));
        assert_eq!(s[0].state, StepState::NotStarted);
        assert_eq!(s[0].next, "Ingen pårørende er registrert ennå.");
        assert_eq!(s[1].state, StepState::NotStarted);
        assert_eq!(s[2].state, StepState::NotStarted);
        assert_eq!(s[3].state, StepState::NotStarted);
    }

    #[test]
    fn an_explicit_outcome_completes_identification() {
        let mut f = PatientFacts {
            outcome: Some("no_relatives".into()),
            ..Default::default()
        };
        let s = steps(&f, d(11, 23));
        assert_eq!(s[0].state, StepState::InProgress);
        assert_eq!(s[0].fix, Some(Fix::ChildrenAnswer));
        f.minor_children = Some(ChildrenAnswer::No);
        let s = steps(&f, d(11, 23));
        assert_eq!(s[0].state, StepState::Done);
        assert_eq!(s[1].state, StepState::NotApplicable);
        assert_eq!(s[3].state, StepState::NotApplicable);
    }

    #[test]
    fn a_patient_who_declines_does_not_switch_off_the_relatives_own_rights() {
        let mut kari = rel("Kari", "no");
        let mut jonas = rel("Jonas", "no");
        jonas.child = true;
        jonas.child_followup_missing = true;
        let mut f = PatientFacts {
            relatives: vec![kari.clone(), jonas.clone()],
            outcome: Some("declines".into()),
            minor_children: Some(ChildrenAnswer::Yes),
            ..Default::default()
        };
        let s = steps(&f, d(11, 23));
        assert_eq!(s[0].state, StepState::InProgress);
        assert_eq!(
            s[0].next,
            "Registrer oppfølgingen av Jonas (barn som pårørende, helsepersonelloven § 10 a)."
        );
        assert_eq!(s[1].state, StepState::NotApplicable);
        assert_eq!(s[2].state, StepState::NotApplicable);
        assert_eq!(s[3].state, StepState::NotStarted);
        assert_eq!(
            s[3].next,
            "Gi Kari generell informasjon og tilbud om støtte (henvisning eller avslag), selv om pasienten ikke ønsker pårørende involvert."
        );
        kari.has_referral = true;
        jonas.child_followup_missing = false;
        f.relatives = vec![kari, jonas];
        let s = steps(&f, d(11, 23));
        assert_eq!(s[0].state, StepState::Done);
        assert_eq!(s[3].state, StepState::Done);
    }

    #[test]
    fn identification_needs_an_involvement_answer() {
        let f = PatientFacts {
            relatives: vec![rel("Ola", "unclear")],
            ..Default::default()
        };
        assert_eq!(identify(&f).state, StepState::InProgress);
        assert_eq!(identify(&f).next, "Avklar om Ola ønsker å bli involvert.");
        let mut f = PatientFacts {
            relatives: vec![rel("Ola", "no")],
            ..Default::default()
        };
        assert_eq!(
            identify(&f).next,
            "Spør om pasienten har barn eller søsken under 18 år."
        );
        f.minor_children = Some(ChildrenAnswer::Unknown);
        assert_eq!(identify(&f).state, StepState::InProgress);
        assert_eq!(identify(&f).fix, Some(Fix::ChildrenAnswer));
        // Yes, but no child registered yet.
        f.minor_children = Some(ChildrenAnswer::Yes);
        assert_eq!(identify(&f).fix, Some(Fix::AddRelative));
        let mut child = rel("Lille Ola", "no");
        child.child = true;
        f.relatives.push(child);
        assert_eq!(identify(&f).state, StepState::Done);
        f.relatives.pop();
        f.minor_children = Some(ChildrenAnswer::No);
        assert_eq!(identify(&f).state, StepState::Done);
    }

    #[test]
    fn mapping_is_done_when_every_involved_relative_is_mapped() {
        let mut f = PatientFacts {
            relatives: vec![rel("Ola", "yes"), rel("Kari", "yes"), rel("Per", "no")],
            ..Default::default()
        };
        assert_eq!(map(&f).next, "Ingen pårørende er kartlagt ennå.");
        f.relatives[0].has_mapping = true;
        assert_eq!(map(&f).state, StepState::InProgress);
        assert_eq!(map(&f).next, "Kari er ikke kartlagt.");
        f.relatives[1].has_mapping = true;
        assert_eq!(map(&f).state, StepState::Done);
    }

    #[test]
    fn involvement_needs_a_completed_first_meeting_and_contact_persons() {
        let mut f = PatientFacts {
            relatives: vec![rel("Ola", "yes")],
            ..Default::default()
        };
        let today = d(3, 20);
        assert_eq!(
            involve(&f, today).next,
            "Ingen første samtale er holdt ennå."
        );
        f.meetings.push(MeetingFacts {
            id: 31,
            kind: "first".into(),
            date: d(3, 12),
            completed: false,
            has_minutes: false,
        });
        assert_eq!(involve(&f, today).state, StepState::InProgress);
        assert_eq!(involve(&f, today).next, "Møtet 12.03 mangler referat.");
        f.meetings[0].completed = true;
        f.meetings[0].has_minutes = true;
        assert_eq!(involve(&f, today).next, "Ola har ingen kontaktperson.");
        f.relatives[0].has_contact_person = true;
        assert_eq!(involve(&f, today).state, StepState::Done);
    }

    #[test]
    fn support_needs_a_referral_or_a_declined_offer() {
        let mut f = PatientFacts {
            relatives: vec![rel("Ola", "yes")],
            ..Default::default()
        };
        assert_eq!(support(&f).state, StepState::NotStarted);
        f.relatives[0].has_mapping = true;
        f.relatives[0].has_support_need = true;
        assert_eq!(
            support(&f).next,
            "Ola har behov for støtte uten henvisning eller avslag."
        );
        f.relatives[0].has_referral = true;
        assert_eq!(support(&f).state, StepState::Done);
        // Mapped without needs: nothing to refer.
        let f = PatientFacts {
            relatives: vec![RelativeFacts {
                has_mapping: true,
                ..rel("Kari", "yes")
            }],
            ..Default::default()
        };
        assert_eq!(support(&f).state, StepState::Done);
    }

    #[test]
    fn each_missing_step_names_the_form_that_resolves_it() {
        let today = d(3, 20);
        let f = PatientFacts::default();
        assert_eq!(identify(&f).fix, Some(Fix::AddRelative));
        let mut ola = rel("Ola", "unclear");
        ola.id = 7;
        let mut f = PatientFacts {
            relatives: vec![ola],
            minor_children: Some(ChildrenAnswer::No),
            ..Default::default()
        };
        assert_eq!(identify(&f).fix, Some(Fix::EditRelative(7)));
        f.relatives[0].involvement = "yes".into();
        assert_eq!(map(&f).fix, Some(Fix::NewMapping(7)));
        assert_eq!(support(&f).fix, Some(Fix::NewMapping(7)));
        assert_eq!(involve(&f, today).fix, Some(Fix::NewMeeting));
        f.meetings.push(MeetingFacts {
            id: 31,
            kind: "first".into(),
            date: d(3, 12),
            completed: false,
            has_minutes: false,
        });
        assert_eq!(involve(&f, today).fix, Some(Fix::Meeting(31)));
        f.meetings[0].completed = true;
        f.meetings[0].has_minutes = true;
        assert_eq!(involve(&f, today).fix, Some(Fix::EditRelative(7)));
        f.relatives[0].has_mapping = true;
        f.relatives[0].has_support_need = true;
        assert_eq!(support(&f).fix, Some(Fix::Referral(7)));
        f.relatives[0].has_referral = true;
        f.relatives[0].has_contact_person = true;
        assert!(steps(&f, today).iter().all(|s| s.fix.is_none()));
    }
}
