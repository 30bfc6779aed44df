//! A patient's registration data, parsed from what a worker typed.

use super::dates::parse_date;
use super::fnr::Fodselsnummer;
use super::phone::{Phone, PHONE_MESSAGE};
use super::text::one_line;
use super::validation::{not_blank, plain_text, single_line, FieldErrors};
use chrono::NaiveDate;
use validator::Validate;

pub const FIELDS: &[&str] = &[
    "full_name",
    "birth_date",
    "fnr",
    "phone",
    "address",
    "services",
    "unit_id",
];

/// The raw text of the patient form.
#[derive(Debug, Validate)]
pub struct PatientDraft<'a> {
    #[validate(
        custom(function = "not_blank", message = "Skriv inn pasientens fulle navn."),
        custom(
            function = "single_line",
            message = "Navnet kan ikke inneholde linjeskift eller kontrolltegn."
        ),
        length(max = 200, message = "Navnet kan være høyst 200 tegn.")
    )]
    pub full_name: &'a str,
    pub birth_date: &'a str,
    #[validate(length(max = 20, message = "Fødselsnummeret må bestå av nøyaktig 11 siffer."))]
    pub fnr: &'a str,
    #[validate(length(
        max = 30,
        message = "Skriv telefonnummeret med 8 siffer (f.eks. 912 34 567) eller med landkode (f.eks. +46 70 123 45 67)."
    ))]
    pub phone: &'a str,
    #[validate(
        length(max = 500, message = "Adressen kan være høyst 500 tegn."),
        custom(
            function = "plain_text",
            message = "Adressen inneholder ugyldige tegn."
        )
    )]
    pub address: &'a str,
    #[validate(
        length(
            max = 5000,
            message = "Beskrivelsen av tjenester kan være høyst 5000 tegn."
        ),
        custom(function = "plain_text", message = "Teksten inneholder ugyldige tegn.")
    )]
    pub services: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientInput {
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub fnr: Option<Fodselsnummer>,
    pub phone: Option<Phone>,
    pub address: String,
    pub services: String,
}

impl PatientDraft<'_> {
    /// Parses the draft; `today` bounds the birth date.
    pub fn parse(&self, today: NaiveDate) -> Result<PatientInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        if let Err(e) = self.validate() {
            errors.extend_from(&e, FIELDS);
        }

        let birth_date = if self.birth_date.trim().is_empty() {
            errors.add("birth_date", "Skriv inn fødselsdato (dd.mm.åååå).");
            None
        } else {
            match parse_date(self.birth_date) {
                Some(d) if d > today => {
                    errors.add("birth_date", "Fødselsdatoen kan ikke være i fremtiden.");
                    None
                }
                Some(d) => Some(d),
                None => {
                    errors.add(
                        "birth_date",
                        "Skriv fødselsdatoen som dd.mm.åååå, f.eks. 05.11.1948.",
                    );
                    None
                }
            }
        };

        let fnr = match self.fnr.trim() {
            "" => None,
            raw if !errors.has("fnr") => match Fodselsnummer::parse(raw) {
                Ok(fnr) => {
                    if let Some(b) = birth_date {
                        if !fnr.agrees_with(b) {
                            errors.add("fnr", "Fødselsnummeret stemmer ikke med fødselsdatoen.");
                        }
                    }
                    Some(fnr)
                }
                Err(e) => {
                    errors.add("fnr", e.message());
                    None
                }
            },
            _ => None,
        };

        let phone = match self.phone.trim() {
            "" => None,
            raw => {
                let parsed = Phone::parse(raw);
                if parsed.is_none() {
                    errors.add("phone", PHONE_MESSAGE);
                }
                parsed
            }
        };

        errors.order_by(FIELDS);
        let full_name = one_line(self.full_name);
        errors.into_result(|| PatientInput {
            full_name,
            birth_date: birth_date.unwrap_or_default(),
            fnr,
            phone,
            address: self.address.trim().to_string(),
            services: self.services.trim().to_string(),
        })
    }
}

/// The outcome of identifying a patient's relatives, when the routine ends without them
/// (no relatives, or the patient declines), with the day it was settled and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub outcome: String,
    pub on: Option<NaiveDate>,
    pub reason: String,
}

impl Outcome {
    /// The outcome form parsed once: an outcome from the list, the day (not after today) and
    /// the reason; or the errors at their fields.
    pub fn parse(
        outcome: &str,
        on: &str,
        reason: &str,
        today: NaiveDate,
    ) -> Result<Outcome, FieldErrors> {
        use super::forms as f;
        let mut e = FieldErrors::new();
        let outcome = f::choice(
            &mut e,
            "outcome",
            outcome,
            super::choices::OUTCOMES,
            "Velg utfallet.",
        );
        let on = f::date(&mut e, "outcome_on", on, Some("Skriv datoen."));
        f::not_in_future(&mut e, "outcome_on", on, today, "Datoen for utfallet");
        let reason = f::text(&mut e, "reason", reason, 2000);
        if reason.is_empty() {
            e.add("reason", "Skriv begrunnelsen.");
        }
        e.into_result(|| Outcome {
            outcome,
            on,
            reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn draft<'a>() -> PatientDraft<'a> {
        PatientDraft {
            full_name: "  Kari   Nordmann ",
            birth_date: "15.03.1985",
            fnr: "15038512363",
            phone: "912 34 567",
            address: "Storgata 1, 0155 Oslo",
            services: "Hjemmesykepleie",
        }
    }

    #[test]
    fn a_complete_draft_parses() {
        let p = draft().parse(today()).unwrap();
        assert_eq!(p.full_name, "Kari Nordmann");
        assert_eq!(p.birth_date, NaiveDate::from_ymd_opt(1985, 3, 15).unwrap());
        assert_eq!(p.fnr.unwrap().as_str(), "15038512363");
        assert_eq!(p.phone.unwrap().as_str(), "+47 91 23 45 67");
    }

    #[test]
    fn every_bad_field_gets_its_own_message_in_form_order() {
        let bad = PatientDraft {
            full_name: " ",
            birth_date: "31.02.1985",
            fnr: "15038512364",
            phone: "123",
            address: "",
            services: "",
        };
        let errors = bad.parse(today()).unwrap_err();
        assert_eq!(
            errors.get("full_name"),
            Some("Skriv inn pasientens fulle navn.")
        );
        assert_eq!(
            errors.get("birth_date"),
            Some("Skriv fødselsdatoen som dd.mm.åååå, f.eks. 05.11.1948.")
        );
        assert_eq!(
            errors.get("fnr"),
            Some("Fødselsnummeret er ikke gyldig (kontrollsifrene stemmer ikke).")
        );
        assert_eq!(errors.get("phone"), Some(PHONE_MESSAGE));
        assert_eq!(errors.len(), 4);
    }

    #[test]
    fn fnr_must_agree_with_birth_date() {
        let d = PatientDraft {
            birth_date: "16.03.1985",
            ..draft()
        };
        let errors = d.parse(today()).unwrap_err();
        assert_eq!(
            errors.get("fnr"),
            Some("Fødselsnummeret stemmer ikke med fødselsdatoen.")
        );
    }

    #[test]
    fn future_birth_dates_and_long_names_are_refused() {
        let long = "a".repeat(201);
        let d = PatientDraft {
            full_name: &long,
            birth_date: "24.11.2026",
            fnr: "",
            ..draft()
        };
        let errors = d.parse(today()).unwrap_err();
        assert_eq!(
            errors.get("full_name"),
            Some("Navnet kan være høyst 200 tegn.")
        );
        assert_eq!(
            errors.get("birth_date"),
            Some("Fødselsdatoen kan ikke være i fremtiden.")
        );
    }

    #[test]
    fn optional_fields_may_be_empty() {
        let d = PatientDraft {
            fnr: "",
            phone: "",
            ..draft()
        };
        let p = d.parse(today()).unwrap();
        assert_eq!(p.fnr, None);
        assert_eq!(p.phone, None);
    }

    #[test]
    fn an_outcome_is_settled_on_a_day_that_has_come_and_says_why() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let e = Outcome::parse("declines", "01.12.2026", "", today).unwrap_err();
        assert_eq!(
            e.get("outcome_on"),
            Some("Datoen for utfallet kan ikke være fram i tid.")
        );
        assert_eq!(e.get("reason"), Some("Skriv begrunnelsen."));
        let e = Outcome::parse("maybe", "", "Fordi", today).unwrap_err();
        assert_eq!(e.get("outcome"), Some("Velg utfallet."));
        assert_eq!(e.get("outcome_on"), Some("Skriv datoen."));
        let ok = Outcome::parse("no_relatives", "30.11.2026", "Ingen familie", today).unwrap();
        assert_eq!(ok.on, Some(today));
    }
}
