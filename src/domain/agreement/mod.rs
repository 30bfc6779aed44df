//! The pårørendeavtale as one aggregate: its contents (this file), the draft parsed from the
//! form (`draft`), the pre-fill built from what the record shows (`prefill`), the lifecycle
//! draft → active → evaluated → ended (`lifecycle`) and what may be shown to whom
//! (`consent`). No I/O: unit tests call every rule directly.

pub mod consent;
pub mod copy;
pub mod draft;
pub mod lifecycle;
pub mod prefill;
pub mod rhythm;
pub mod translate;

pub use consent::{consent_floor, may_print};
pub use draft::{AgreementDraft, AgreementInput, DraftContext};
pub use lifecycle::{
    activation_problems, default_evaluation, evaluation_date_problem, latest_evaluation,
    transition_refusal, Step,
};

use chrono::NaiveDate;
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
    /// A key of CAPACITY: whether the patient can consent. Empty until answered.
    pub capacity: String,
    /// Who speaks for the patient when the patient cannot consent.
    pub represented_by: String,
    /// Free text from versions written before the capacity was a choice; printed as it was.
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
    /// How often the parties keep in touch; None in versions written before it was a
    /// choice, which print their free text alone.
    pub contact_rhythm: Option<rhythm::Rhythm>,
    /// More about keeping in touch, in the worker's words.
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
    /// The evaluation date as this version was written. The agreement's current evaluation
    /// date is kept on the agreement (evaluations move it); this is history.
    pub evaluation_on: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    /// Patient-specific sections the worker confirmed lie within a limited consent.
    pub within_consent: Vec<String>,
}

/// The sections with information about the patient and the patient's family: a relative's
/// copy carries them only as far as the consent the patient gave that relative allows.
pub const PATIENT_SECTIONS: &[(&str, &str)] = &[
    ("background", "Bakgrunn"),
    ("matters_patient", "Det viktigste for pasienten"),
    ("service_patient", "Tjenester pasienten får"),
    ("children", "Barn i familien"),
];

/// Whether the patient can consent: asked, never assumed.
pub const CAPACITY: &[(&str, &str)] = &[
    ("can_consent", "Pasienten kan samtykke selv"),
    ("cannot_consent", "Pasienten kan ikke samtykke selv"),
];

pub const CONTACT_MEANS: &[(&str, &str)] = &[
    ("meeting", "Møte"),
    ("phone", "Telefon"),
    ("video", "Video"),
    ("message", "Melding (Helsenorge/SMS)"),
];

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

    pub fn key(self) -> &'static str {
        match self {
            Outcome::Continue => "continue",
            Outcome::Revise => "revise",
            Outcome::End => "end",
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
