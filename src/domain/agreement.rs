//! The pårørendeavtale: its contents, its lifecycle (draft → active → evaluated → ended) and
//! the rules that decide what may happen next and what a printed copy may show.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Active,
    Evaluated,
    Ended,
}

impl Status {
    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "draft" => Some(Status::Draft),
            "active" => Some(Status::Active),
            "evaluated" => Some(Status::Evaluated),
            "ended" => Some(Status::Ended),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Active => "active",
            Status::Evaluated => "evaluated",
            Status::Ended => "ended",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Utkast",
            Status::Active => "Aktiv",
            Status::Evaluated => "Evaluert",
            Status::Ended => "Avsluttet",
        }
    }

    /// Signed and not ended: the agreement is what the parties go by.
    pub fn in_force(self) -> bool {
        matches!(self, Status::Active | Status::Evaluated)
    }

    /// A draft is edited in place; an agreement in force gets a new version; an ended one is
    /// read-only.
    pub fn edit(self) -> Edit {
        match self {
            Status::Draft => Edit::InPlace,
            Status::Active | Status::Evaluated => Edit::NewVersion,
            Status::Ended => Edit::Refused,
        }
    }

    pub fn can_delete(self) -> bool {
        self == Status::Draft
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    InPlace,
    NewVersion,
    Refused,
}

/// Why a lifecycle step was refused, in words for the user.
pub fn transition_refusal(status: Status, action: &str) -> Option<&'static str> {
    let allowed = match action {
        "sign" => status == Status::Draft,
        "evaluate" | "end" => status.in_force(),
        "delete" => status.can_delete(),
        "edit" => status != Status::Ended,
        _ => false,
    };
    if allowed {
        return None;
    }
    Some(match (action, status) {
        ("delete", _) => {
            "Bare utkast kan slettes. En signert avtale avsluttes med dato og begrunnelse."
        }
        (_, Status::Ended) => "Avtalen er avsluttet og kan ikke endres.",
        ("sign", _) => "Avtalen er allerede signert. Endringer lagres som en ny versjon.",
        ("evaluate" | "end", _) => {
            "Et utkast kan ikke evalueres eller avsluttes. Signer avtalen først, eller slett utkastet."
        }
        _ => "Handlingen er ikke tillatt.",
    })
}

/// A relative who is a party to the agreement, as recorded when the version was saved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub relative_id: i64,
    pub name: String,
    /// A key of RELATIONS, and the free text for "other".
    pub relation: String,
    pub relation_other: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub closest: bool,
}

/// A member of staff named in the agreement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    pub user_id: i64,
    pub name: String,
    pub phone: String,
}

/// What one relative may be told, from the patient's recorded consent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sharing {
    pub relative_id: i64,
    pub name: String,
    /// "full", "limited", "none" or "missing".
    pub scope: String,
    pub topics: String,
}

/// A relief or support measure, linked to a referral when there is one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    pub referral_id: Option<i64>,
    pub offer: String,
    pub state: String,
}

/// The contents of one version of an agreement. Stored as JSON and never changed once a
/// later version exists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Content {
    pub patient_name: String,
    /// Whether the patient can consent, or who represents them.
    pub patient_capacity: String,
    pub parties: Vec<Party>,
    pub unit_name: String,
    pub contact: Option<Staff>,
    pub deputy: Option<Staff>,
    /// When the contact person and deputy can be reached.
    pub reachable: String,
    /// Patient-specific: background for the agreement.
    pub background: String,
    /// Patient-specific: what matters most to the patient.
    pub matters_patient: String,
    pub matters_relative: String,
    pub relative_does: String,
    pub relative_declines: String,
    /// Patient-specific: services the patient receives.
    pub service_patient: String,
    pub service_relative: String,
    /// Keys of CONTACT_MEANS.
    pub contact_means: Vec<String>,
    pub contact_frequency: String,
    pub contact_initiative: String,
    pub next_meeting_on: Option<NaiveDate>,
    pub sharing: Vec<Sharing>,
    pub measures: Vec<Measure>,
    pub support_note: String,
    /// A decision under helse- og omsorgstjenesteloven § 3-6 has been applied for.
    pub decision_applied: bool,
    pub acute: String,
    pub children: String,
    pub evaluation_on: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    /// Patient-specific sections the worker confirmed lie within a limited consent.
    pub within_consent: Vec<String>,
}

/// The sections with the patient's own health information: printed only as far as the
/// patient's consent allows.
pub const PATIENT_SECTIONS: &[(&str, &str)] = &[
    ("background", "Bakgrunn"),
    ("matters_patient", "Det viktigste for pasienten"),
    ("service_patient", "Tjenester pasienten får"),
];

pub const CONTACT_MEANS: &[(&str, &str)] = &[
    ("meeting", "Møte"),
    ("phone", "Telefon"),
    ("video", "Video"),
    ("message", "Melding (Helsenorge/SMS)"),
];

/// The consent that holds for the agreement as a whole: the most restrictive among its
/// parties. A missing consent counts as none.
pub fn consent_floor<'a>(scopes: impl IntoIterator<Item = &'a str>) -> &'static str {
    let mut floor = "full";
    let mut any = false;
    for s in scopes {
        any = true;
        match s {
            "full" => {}
            "limited" => {
                if floor == "full" {
                    floor = "limited"
                }
            }
            _ => return "none",
        }
    }
    if any {
        floor
    } else {
        "none"
    }
}

/// Whether a patient-specific section may be printed under `floor`: always with full
/// consent, with limited consent only where the worker confirmed it lies within the topics,
/// never without consent.
pub fn may_print(section: &str, floor: &str, within_consent: &[String]) -> bool {
    match floor {
        "full" => true,
        "limited" => within_consent.iter().any(|s| s == section),
        _ => false,
    }
}

/// The signatures recorded when an agreement (or a new version of it) is signed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signatures {
    pub relative_on: Option<NaiveDate>,
    pub service_on: Option<NaiveDate>,
    pub patient_on: Option<NaiveDate>,
    pub patient_reason: String,
}

impl Signatures {
    /// The day the agreement took effect: when the last required party signed.
    pub fn signed_on(&self) -> Option<NaiveDate> {
        match (self.relative_on, self.service_on) {
            (Some(r), Some(s)) => Some(r.max(s).max(self.patient_on.unwrap_or(r))),
            _ => None,
        }
    }
}

/// Six months after signing unless chosen otherwise.
pub fn default_evaluation(signed_on: NaiveDate) -> NaiveDate {
    signed_on
        .checked_add_months(Months::new(6))
        .unwrap_or(signed_on)
}

/// The latest evaluation date allowed: twelve months after `from`.
pub fn latest_evaluation(from: NaiveDate) -> NaiveDate {
    from.checked_add_months(Months::new(12)).unwrap_or(from)
}

/// Why an evaluation date cannot be used, counting from `from` (signing or evaluation).
pub fn evaluation_date_problem(on: NaiveDate, from: NaiveDate, today: NaiveDate) -> Option<String> {
    if on <= today {
        Some("Evalueringsdatoen må være etter i dag.".into())
    } else if on > latest_evaluation(from) {
        Some(format!(
            "Avtalen skal evalueres senest tolv måneder etter signering eller forrige evaluering, altså innen {}.",
            super::dates::format_date(latest_evaluation(from))
        ))
    } else {
        None
    }
}

/// What must be in place before an agreement can be activated: a contact person, an
/// evaluation date after today, named parties and a consent status for each, and the
/// signatures (or why the patient did not sign).
pub fn activation_problems(
    content: &Content,
    signatures: &Signatures,
    today: NaiveDate,
) -> Vec<(&'static str, String)> {
    let mut problems = Vec::new();
    if content.parties.is_empty() {
        problems.push((
            "relative_ids",
            "Avtalen må ha minst én navngitt pårørende.".to_string(),
        ));
    }
    if content.contact.is_none() {
        problems.push((
            "contact_id",
            "Velg kontaktperson før avtalen signeres.".to_string(),
        ));
    }
    let missing: Vec<&str> = content
        .sharing
        .iter()
        .filter(|s| s.scope == "missing")
        .map(|s| s.name.as_str())
        .collect();
    if !missing.is_empty() || content.sharing.len() < content.parties.len() {
        problems.push((
            "sharing",
            format!(
                "Registrer pasientens samtykke for {} før avtalen signeres (også «ikke samtykke» er et svar).",
                if missing.is_empty() { "alle parter".to_string() } else { missing.join(", ") }
            ),
        ));
    }
    match content.evaluation_on {
        None => problems.push((
            "evaluation_on",
            "Avtalen må ha en evalueringsdato.".to_string(),
        )),
        Some(on) => {
            let from = signatures.signed_on().unwrap_or(today);
            if let Some(p) = evaluation_date_problem(on, from, today) {
                problems.push(("evaluation_on", p));
            }
        }
    }
    if signatures.relative_on.is_none() {
        problems.push((
            "relative_signed_on",
            "Skriv datoen den pårørende signerte.".to_string(),
        ));
    }
    if signatures.service_on.is_none() {
        problems.push((
            "service_signed_on",
            "Skriv datoen tjenesten signerte.".to_string(),
        ));
    }
    if signatures.patient_on.is_none() && signatures.patient_reason.trim().is_empty() {
        problems.push((
            "patient_signed_on",
            "Skriv datoen pasienten signerte, eller hvorfor pasienten ikke signerte.".to_string(),
        ));
    }
    for (field, date) in [
        ("relative_signed_on", signatures.relative_on),
        ("service_signed_on", signatures.service_on),
        ("patient_signed_on", signatures.patient_on),
    ] {
        if date.is_some_and(|d| d > today) {
            problems.push((
                field,
                "Signeringsdatoen kan ikke være fram i tid.".to_string(),
            ));
        }
    }
    problems
}

/// The outcome of an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Continue,
    Revise,
    End,
}

impl Outcome {
    pub fn parse(s: &str) -> Option<Outcome> {
        match s {
            "continue" => Some(Outcome::Continue),
            "revise" => Some(Outcome::Revise),
            "end" => Some(Outcome::End),
            _ => None,
        }
    }

    /// The status after an evaluation with this outcome.
    pub fn next_status(self) -> Status {
        match self {
            Outcome::Continue | Outcome::Revise => Status::Evaluated,
            Outcome::End => Status::Ended,
        }
    }
}

pub const OUTCOMES: &[(&str, &str)] = &[
    ("continue", "Fortsette som før"),
    ("revise", "Revidere (ny versjon)"),
    ("end", "Avslutte avtalen"),
];

/// An agreement in force whose evaluation date has passed.
pub fn is_overdue(status: Status, evaluation_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    status.in_force() && evaluation_on.is_some_and(|d| d < today)
}

/// The languages an agreement prints in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Language {
    Bokmal,
    Nynorsk,
    English,
}

impl Language {
    pub fn parse(code: &str) -> Option<Language> {
        match code {
            "nb" => Some(Language::Bokmal),
            "nn" => Some(Language::Nynorsk),
            "en" => Some(Language::English),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Language::Bokmal => "nb",
            Language::Nynorsk => "nn",
            Language::English => "en",
        }
    }

    /// The BCP 47 tag written into the PDF.
    pub fn tag(self) -> &'static str {
        match self {
            Language::Bokmal => "nb-NO",
            Language::Nynorsk => "nn-NO",
            Language::English => "en",
        }
    }

    /// The language a relative prefers, as written on their record ("nynorsk", "English",
    /// "nn" …), when it is one the agreement prints in.
    pub fn from_preference(preferred: &str) -> Option<Language> {
        let p = preferred.trim().to_lowercase();
        match p.as_str() {
            "nb" | "bokmål" | "bokmal" | "norsk" | "norsk bokmål" | "norwegian" => {
                Some(Language::Bokmal)
            }
            "nn" | "nynorsk" | "norsk nynorsk" => Some(Language::Nynorsk),
            "en" | "engelsk" | "english" => Some(Language::English),
            _ => None,
        }
    }
}

pub const LANGUAGES: &[(&str, &str)] = &[("nb", "Bokmål"), ("nn", "Nynorsk"), ("en", "Engelsk")];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ready() -> (Content, Signatures) {
        let content = Content {
            parties: vec![Party {
                relative_id: 1,
                name: "Kari".into(),
                ..Default::default()
            }],
            contact: Some(Staff {
                user_id: 2,
                name: "Ola".into(),
                phone: String::new(),
            }),
            sharing: vec![Sharing {
                relative_id: 1,
                name: "Kari".into(),
                scope: "none".into(),
                topics: String::new(),
            }],
            evaluation_on: Some(d("2026-09-01")),
            ..Default::default()
        };
        let signatures = Signatures {
            relative_on: Some(d("2026-03-01")),
            service_on: Some(d("2026-03-02")),
            patient_on: None,
            patient_reason: "Pasienten var for syk".into(),
        };
        (content, signatures)
    }

    #[test]
    fn a_complete_agreement_can_be_activated() {
        let (c, s) = ready();
        assert!(activation_problems(&c, &s, d("2026-03-02")).is_empty());
        assert_eq!(s.signed_on(), Some(d("2026-03-02")));
    }

    #[test]
    fn activation_needs_contact_evaluation_parties_consent_and_signatures() {
        let (mut c, _) = ready();
        c.contact = None;
        c.evaluation_on = None;
        c.sharing[0].scope = "missing".into();
        let fields: Vec<_> = activation_problems(&c, &Signatures::default(), d("2026-03-02"))
            .into_iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(
            fields,
            vec![
                "contact_id",
                "sharing",
                "evaluation_on",
                "relative_signed_on",
                "service_signed_on",
                "patient_signed_on"
            ]
        );
        c.parties.clear();
        c.sharing.clear();
        assert_eq!(
            activation_problems(&c, &Signatures::default(), d("2026-03-02"))[0].0,
            "relative_ids"
        );
    }

    #[test]
    fn the_evaluation_date_is_after_today_and_within_twelve_months() {
        let today = d("2026-03-02");
        assert!(evaluation_date_problem(today, today, today).is_some());
        assert!(evaluation_date_problem(d("2027-03-02"), today, today).is_none());
        assert_eq!(
            evaluation_date_problem(d("2027-03-03"), today, today).unwrap(),
            "Avtalen skal evalueres senest tolv måneder etter signering eller forrige evaluering, altså innen 02.03.2027."
        );
        assert_eq!(default_evaluation(d("2026-08-31")), d("2027-02-28"));
    }

    #[test]
    fn lifecycle_transitions() {
        assert_eq!(transition_refusal(Status::Draft, "sign"), None);
        assert!(transition_refusal(Status::Active, "sign").is_some());
        assert!(transition_refusal(Status::Draft, "evaluate").is_some());
        assert_eq!(transition_refusal(Status::Active, "evaluate"), None);
        assert_eq!(transition_refusal(Status::Evaluated, "end"), None);
        assert!(transition_refusal(Status::Ended, "end").is_some());
        assert!(transition_refusal(Status::Ended, "edit").is_some());
        assert_eq!(transition_refusal(Status::Draft, "delete"), None);
        for s in [Status::Active, Status::Evaluated, Status::Ended] {
            assert!(transition_refusal(s, "delete").is_some());
        }
        assert_eq!(Status::Draft.edit(), Edit::InPlace);
        assert_eq!(Status::Evaluated.edit(), Edit::NewVersion);
        assert_eq!(Status::Ended.edit(), Edit::Refused);
        assert_eq!(Outcome::End.next_status(), Status::Ended);
        assert_eq!(Outcome::Revise.next_status(), Status::Evaluated);
    }

    #[test]
    fn the_most_restrictive_consent_decides_what_prints() {
        assert_eq!(consent_floor(["full", "full"]), "full");
        assert_eq!(consent_floor(["full", "limited"]), "limited");
        assert_eq!(consent_floor(["limited", "missing"]), "none");
        assert_eq!(consent_floor([]), "none");
        let confirmed = vec!["background".to_string()];
        assert!(may_print("matters_patient", "full", &[]));
        assert!(may_print("background", "limited", &confirmed));
        assert!(!may_print("matters_patient", "limited", &confirmed));
        assert!(!may_print("background", "none", &confirmed));
    }

    #[test]
    fn overdue_only_in_force() {
        let today = d("2026-05-01");
        assert!(is_overdue(Status::Active, Some(d("2026-04-30")), today));
        assert!(!is_overdue(Status::Active, Some(today), today));
        assert!(!is_overdue(Status::Ended, Some(d("2026-01-01")), today));
        assert!(!is_overdue(Status::Draft, Some(d("2026-01-01")), today));
    }

    #[test]
    fn preferred_language() {
        assert_eq!(
            Language::from_preference(" Nynorsk "),
            Some(Language::Nynorsk)
        );
        assert_eq!(
            Language::from_preference("English"),
            Some(Language::English)
        );
        assert_eq!(Language::from_preference("norsk"), Some(Language::Bokmal));
        assert_eq!(Language::from_preference("polsk"), None);
    }
}
