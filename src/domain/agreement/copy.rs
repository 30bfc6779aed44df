//! One printed copy per recipient, and what the copy says about the agreement's standing.
//!
//! A relative's copy carries their own contact details, names the other parties by name and
//! relation only, shows only the consent the patient gave them, and carries the patient's own
//! sections only within that consent. The patient's copy names every party and every consent
//! the patient gave, without the relatives' contact details. The unit's file copy carries
//! everything the version records.

use super::consent::{effective_sharing, may_print, CurrentConsent};
use super::{Content, Status};
use chrono::NaiveDate;

/// Who a printed copy is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    /// A relative who is a party, by relative id.
    Party(i64),
    Patient,
    /// The unit's own copy for the patient's file: not for handing out.
    File,
}

impl Recipient {
    /// Reads "party-7", "patient" or "file".
    pub fn parse(s: &str) -> Option<Recipient> {
        match s {
            "patient" => Some(Recipient::Patient),
            "file" => Some(Recipient::File),
            _ => s
                .strip_prefix("party-")
                .and_then(|id| id.parse().ok())
                .filter(|id| *id > 0)
                .map(Recipient::Party),
        }
    }

    pub fn key(self) -> String {
        match self {
            Recipient::Party(id) => format!("party-{id}"),
            Recipient::Patient => "patient".into(),
            Recipient::File => "file".into(),
        }
    }

    /// Whether the copy may go to this recipient at all: a relative must be a party of the
    /// version printed.
    pub fn fits(self, content: &Content) -> bool {
        match self {
            Recipient::Party(id) => content.parties.iter().any(|p| p.relative_id == id),
            Recipient::Patient | Recipient::File => true,
        }
    }

    /// Whether the copy shows this party's phone, e-mail and address.
    pub fn shows_contact_details_of(self, relative_id: i64) -> bool {
        match self {
            Recipient::Party(id) => id == relative_id,
            Recipient::Patient => false,
            Recipient::File => true,
        }
    }

    /// The choices a worker prints for, in the order the form lists them.
    pub fn choices(content: &Content) -> Vec<(Recipient, String)> {
        let mut out: Vec<(Recipient, String)> = content
            .parties
            .iter()
            .map(|p| (Recipient::Party(p.relative_id), p.name.clone()))
            .collect();
        out.push((
            Recipient::Patient,
            format!("Pasienten ({})", content.patient_name),
        ));
        out.push((
            Recipient::File,
            "Tjenestens arkiveksemplar (ikke til utlevering)".into(),
        ));
        out
    }
}

/// One party's consent as the copy shows it: (name, scope, topics).
pub type ShownConsent = (String, String, String);

/// The consents a copy shows: only the recipient's own on a relative's copy, every party's
/// on the patient's and the file copy. Each is the narrower of the consent in the version
/// and the consent in force today.
pub fn consents_shown(
    recipient: Recipient,
    content: &Content,
    current: &[CurrentConsent],
) -> Vec<ShownConsent> {
    effective_sharing(&content.sharing, current)
        .into_iter()
        .zip(&content.sharing)
        .filter(|(_, recorded)| match recipient {
            Recipient::Party(id) => recorded.relative_id == id,
            Recipient::Patient | Recipient::File => true,
        })
        .map(|(shown, _)| shown)
        .collect()
}

/// Whether one of the patient's own sections goes on this copy: always on the patient's and
/// the file copy; on a relative's copy only within the consent the patient gave that
/// relative (a relative with no recorded consent gets none of it).
pub fn may_carry(
    recipient: Recipient,
    section: &str,
    content: &Content,
    current: &[CurrentConsent],
) -> bool {
    match recipient {
        Recipient::Patient | Recipient::File => true,
        Recipient::Party(_) => {
            let scope = consents_shown(recipient, content, current)
                .into_iter()
                .next()
                .map(|c| c.1)
                .unwrap_or_default();
            may_print(section, &scope, &content.within_consent)
        }
    }
}

/// What a printed version is, as every page of it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Not signed: a draft, or a new version awaiting signatures.
    Draft,
    /// Signed and in force; `overdue_since` is the evaluation date when it has passed.
    InForce {
        signed_on: Option<NaiveDate>,
        overdue_since: Option<NaiveDate>,
    },
    /// The agreement was ended.
    Ended { on: NaiveDate, reason: String },
    /// A newer signed version replaces this one.
    Replaced { by: i64 },
}

/// The facts a version's standing follows from.
pub struct StandingFacts<'a> {
    pub status: Status,
    /// The version printed, and whether it was signed.
    pub number: i64,
    pub signed: bool,
    pub signed_on: Option<NaiveDate>,
    /// The newest signed version of the agreement, if any.
    pub latest_signed: Option<i64>,
    pub evaluation_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: &'a str,
}

pub fn standing(f: &StandingFacts<'_>, today: NaiveDate) -> Standing {
    if !f.signed {
        return Standing::Draft;
    }
    if let Some(by) = f.latest_signed.filter(|n| *n > f.number) {
        return Standing::Replaced { by };
    }
    if f.status == Status::Ended {
        return Standing::Ended {
            on: f.ended_on.unwrap_or(today),
            reason: f.end_reason.trim().to_string(),
        };
    }
    Standing::InForce {
        signed_on: f.signed_on,
        overdue_since: f.evaluation_on.filter(|d| *d < today),
    }
}

impl Standing {
    /// Only an agreement in force looks ahead to its next evaluation.
    pub fn announces_evaluation(&self) -> bool {
        matches!(self, Standing::InForce { .. })
    }

    /// A draft carries no document ID: the ID names the signed document.
    pub fn shows_document_id(&self) -> bool {
        !matches!(self, Standing::Draft)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agreement::{Party, Sharing};

    fn content() -> Content {
        let party = |id: i64, name: &str| Party {
            relative_id: id,
            name: name.into(),
            relation: "child".into(),
            ..Default::default()
        };
        let sharing = |id: i64, name: &str, scope: &str| Sharing {
            relative_id: id,
            name: name.into(),
            scope: scope.into(),
            topics: String::new(),
        };
        Content {
            patient_name: "Åse".into(),
            parties: vec![party(1, "Dina"), party(2, "Nils")],
            sharing: vec![sharing(1, "Dina", "full"), sharing(2, "Nils", "limited")],
            within_consent: vec!["service_patient".into()],
            ..Default::default()
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default()
    }

    #[test]
    fn recipients_read_back_from_their_keys() {
        for r in [Recipient::Party(7), Recipient::Patient, Recipient::File] {
            assert_eq!(Recipient::parse(&r.key()), Some(r));
        }
        assert_eq!(Recipient::parse("party-0"), None);
        assert_eq!(Recipient::parse("party-x"), None);
        assert_eq!(Recipient::parse("neighbour"), None);
        let c = content();
        assert!(Recipient::Party(2).fits(&c));
        assert!(!Recipient::Party(3).fits(&c));
    }

    #[test]
    fn a_relative_sees_their_own_details_and_consent_only() {
        let c = content();
        let now = [
            (1, "full".to_string(), String::new()),
            (2, "limited".to_string(), "Medisiner".to_string()),
        ];
        assert!(Recipient::Party(1).shows_contact_details_of(1));
        assert!(!Recipient::Party(1).shows_contact_details_of(2));
        assert!(!Recipient::Patient.shows_contact_details_of(1));
        assert!(Recipient::File.shows_contact_details_of(2));
        let names = |r| -> Vec<String> {
            consents_shown(r, &c, &now)
                .into_iter()
                .map(|s| s.0)
                .collect()
        };
        assert_eq!(names(Recipient::Party(2)), ["Nils"]);
        assert_eq!(names(Recipient::Patient), ["Dina", "Nils"]);
        assert_eq!(names(Recipient::File), ["Dina", "Nils"]);
    }

    #[test]
    fn patient_sections_follow_the_consent_given_to_the_holder() {
        let c = content();
        let now = [
            (1, "full".to_string(), String::new()),
            (2, "limited".to_string(), String::new()),
        ];
        assert!(may_carry(Recipient::Party(1), "background", &c, &now));
        assert!(!may_carry(Recipient::Party(2), "background", &c, &now));
        assert!(may_carry(Recipient::Party(2), "service_patient", &c, &now));
        assert!(may_carry(Recipient::Patient, "background", &c, &now));
        // Consent withdrawn since the version: the holder's copy follows today's consent.
        let withdrawn = [(1, "none".to_string(), String::new())];
        assert!(!may_carry(
            Recipient::Party(1),
            "background",
            &c,
            &withdrawn
        ));
        assert!(!may_carry(Recipient::Party(9), "background", &c, &now));
    }

    #[test]
    fn the_standing_of_a_version_follows_signatures_later_versions_and_the_end() {
        let t = today();
        let base = StandingFacts {
            status: Status::Active,
            number: 1,
            signed: true,
            signed_on: t.checked_sub_days(chrono::Days::new(30)),
            latest_signed: Some(1),
            evaluation_on: t.checked_add_days(chrono::Days::new(10)),
            ended_on: None,
            end_reason: "",
        };
        assert_eq!(
            standing(&base, t),
            Standing::InForce {
                signed_on: base.signed_on,
                overdue_since: None
            }
        );
        let overdue = StandingFacts {
            evaluation_on: t.checked_sub_days(chrono::Days::new(1)),
            ..base
        };
        assert!(matches!(
            standing(&overdue, t),
            Standing::InForce { overdue_since: Some(d), .. } if Some(d) == overdue.evaluation_on
        ));
        let draft = StandingFacts {
            signed: false,
            number: 2,
            ..overdue
        };
        assert_eq!(standing(&draft, t), Standing::Draft);
        assert!(!Standing::Draft.shows_document_id());
        let replaced = StandingFacts {
            latest_signed: Some(3),
            ..draft
        };
        let replaced = StandingFacts {
            signed: true,
            ..replaced
        };
        assert_eq!(standing(&replaced, t), Standing::Replaced { by: 3 });
        let ended = StandingFacts {
            status: Status::Ended,
            number: 3,
            ended_on: Some(t),
            end_reason: " Flyttet ",
            ..replaced
        };
        let s = standing(&ended, t);
        assert_eq!(
            s,
            Standing::Ended {
                on: t,
                reason: "Flyttet".into()
            }
        );
        assert!(!s.announces_evaluation());
    }
}
