//! A relative's referral to a support offer (henvisning), as the support step's forms give
//! it: parsed once into a draft, which the store takes as it is.

use super::choices::{self, Choices};
use super::forms::{self as f, chosen_id, not_in_future};
use super::validation::FieldErrors;
use chrono::NaiveDate;

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralState {
    Proposed,
    Referred,
    Started,
    Ended,
    Declined,
}

impl ReferralState {
    pub const ALL: [ReferralState; 5] = [
        ReferralState::Proposed,
        ReferralState::Referred,
        ReferralState::Started,
        ReferralState::Ended,
        ReferralState::Declined,
    ];
    pub const CHOICES: Choices = choices::REFERRAL_STATES;

    pub fn as_str(self) -> &'static str {
        match self {
            ReferralState::Proposed => "proposed",
            ReferralState::Referred => "referred",
            ReferralState::Started => "started",
            ReferralState::Ended => "ended",
            ReferralState::Declined => "declined",
        }
    }

    pub fn parse(code: &str) -> Option<ReferralState> {
        Self::ALL.into_iter().find(|s| s.as_str() == code)
    }

    /// "henvist", "startet", … as a summary line writes it.
    pub fn label_lower(self) -> String {
        choices::label(Self::CHOICES, self.as_str()).to_lowercase()
    }
}

/// The form as typed.
pub struct ReferralInput<'a> {
    pub offer_id: &'a str,
    pub referred_on: &'a str,
    pub state: &'a str,
    pub note: &'a str,
}

/// A new referral that may be stored: an offer in the catalogue, a date that has come, a
/// state and a note.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferralDraft {
    pub offer_id: i64,
    pub referred_on: NaiveDate,
    pub state: ReferralState,
    pub note: String,
}

const NOTE_MAX: usize = 2000;

fn state(errors: &mut FieldErrors, raw: &str) -> Option<ReferralState> {
    let state = ReferralState::parse(raw);
    if state.is_none() {
        errors.add("state", "Velg status for henvisningen.");
    }
    state
}

impl ReferralDraft {
    /// `offers` are the offers that may be chosen (those not retired).
    pub fn parse(
        input: &ReferralInput<'_>,
        offers: &[i64],
        today: NaiveDate,
    ) -> Result<ReferralDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let offer_id = chosen_id(
            &mut e,
            "offer_id",
            input.offer_id,
            offers,
            true,
            "Velg et tilbud.",
        );
        let referred_on = f::date(
            &mut e,
            "referred_on",
            input.referred_on,
            Some("Skriv datoen."),
        );
        not_in_future(&mut e, "referred_on", referred_on, today, "Datoen");
        let state = state(&mut e, input.state);
        let note = f::text(&mut e, "note", input.note, NOTE_MAX);
        match (offer_id, referred_on, state) {
            (Some(offer_id), Some(referred_on), Some(state)) if e.is_empty() => Ok(ReferralDraft {
                offer_id,
                referred_on,
                state,
                note,
            }),
            _ => Err(e),
        }
    }
}

/// A referral's new state and note.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferralChange {
    pub state: ReferralState,
    pub note: String,
}

impl ReferralChange {
    pub fn parse(state_raw: &str, note_raw: &str) -> Result<ReferralChange, FieldErrors> {
        let mut e = FieldErrors::new();
        let state = state(&mut e, state_raw);
        let note = f::text(&mut e, "note", note_raw, NOTE_MAX);
        match state {
            Some(state) if e.is_empty() => Ok(ReferralChange { state, note }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, 4).unwrap()
    }

    fn input<'a>(offer: &'a str, on: &'a str, state: &'a str, note: &'a str) -> ReferralInput<'a> {
        ReferralInput {
            offer_id: offer,
            referred_on: on,
            state,
            note,
        }
    }

    #[test]
    fn a_referral_names_an_open_offer_a_past_date_and_a_state() {
        let ok = ReferralDraft::parse(
            &input("3", "04.05.2026", "referred", " Ring først "),
            &[1, 3],
            today(),
        );
        assert_eq!(
            ok,
            Ok(ReferralDraft {
                offer_id: 3,
                referred_on: today(),
                state: ReferralState::Referred,
                note: "Ring først".into(),
            })
        );
        let bad = ReferralDraft::parse(&input("2", "05.05.2026", "sent", ""), &[1, 3], today())
            .unwrap_err();
        assert_eq!(bad.get("offer_id"), Some("Velg et tilbud."));
        assert_eq!(
            bad.get("referred_on"),
            Some("Datoen kan ikke være fram i tid.")
        );
        assert_eq!(bad.get("state"), Some("Velg status for henvisningen."));
        let long = "x".repeat(2001);
        let bad =
            ReferralDraft::parse(&input("1", "", "started", &long), &[1], today()).unwrap_err();
        assert_eq!(bad.get("referred_on"), Some("Skriv datoen."));
        assert_eq!(bad.get("note"), Some("Teksten kan være høyst 2000 tegn."));
    }

    #[test]
    fn a_change_keeps_nothing_it_cannot_store() {
        assert_eq!(
            ReferralChange::parse("ended", "Fikk plass"),
            Ok(ReferralChange {
                state: ReferralState::Ended,
                note: "Fikk plass".into()
            })
        );
        let bad = ReferralChange::parse("", &"x".repeat(2001)).unwrap_err();
        assert_eq!(bad.get("state"), Some("Velg status for henvisningen."));
        assert_eq!(bad.get("note"), Some("Teksten kan være høyst 2000 tegn."));
    }

    #[test]
    fn every_state_is_a_choice_of_the_form() {
        for s in ReferralState::ALL {
            assert!(choices::is_valid(ReferralState::CHOICES, s.as_str()));
            assert_eq!(ReferralState::parse(s.as_str()), Some(s));
        }
        assert_eq!(ReferralState::ALL.len(), ReferralState::CHOICES.len());
    }
}
