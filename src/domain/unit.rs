//! A unit's contact details: what every printed copy's letterhead carries, so a relative
//! always has a number to call.

use super::forms as f;
use super::validation::FieldErrors;
use serde::Serialize;

/// Address, phone with opening hours, and the number to call outside them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UnitContact {
    pub address: String,
    /// Stored as `+47 22 33 44 55`; empty when not given.
    pub phone: String,
    pub phone_hours: String,
    pub after_hours_phone: String,
}

/// The unit contact form as typed.
pub struct UnitContactInput<'a> {
    pub address: &'a str,
    pub phone: &'a str,
    pub phone_hours: &'a str,
    pub after_hours_phone: &'a str,
}

impl UnitContact {
    /// Parses the form into `errors` (field by field): every field is optional, but opening
    /// hours need a phone to belong to. None when any field was refused.
    pub fn parse(i: &UnitContactInput<'_>, errors: &mut FieldErrors) -> Option<UnitContact> {
        let before = errors.len();
        let contact = UnitContact {
            address: f::line(errors, "address", i.address, 200, None),
            phone: f::phone(errors, "phone", i.phone),
            phone_hours: f::line(errors, "phone_hours", i.phone_hours, 120, None),
            after_hours_phone: f::phone(errors, "after_hours_phone", i.after_hours_phone),
        };
        if !contact.phone_hours.is_empty() && contact.phone.is_empty() {
            errors.add("phone", "Skriv telefonnummeret åpningstiden gjelder for.");
        }
        (errors.len() == before).then_some(contact)
    }

    /// A relative can call the unit: it has a phone and says when it answers.
    pub fn reachable_by_phone(&self) -> bool {
        !self.phone.trim().is_empty() && !self.phone_hours.trim().is_empty()
    }
}

/// Whether a relative holding an agreement has someone to call: the contact person's phone,
/// or the unit's phone with its hours.
pub fn has_number_to_call(contact_phone: Option<&str>, unit: &UnitContact) -> bool {
    contact_phone.is_some_and(|p| !p.trim().is_empty()) || unit.reachable_by_phone()
}

/// A name for a district or unit (`what` names which, for the message): one line of at most
/// 120 characters, without control characters.
pub fn org_name(raw: &str, what: &str) -> Result<String, String> {
    let name = super::text::one_line(raw);
    if name.is_empty() {
        return Err(format!("Skriv inn navnet på {what}."));
    }
    if name.chars().count() > 120 || name.chars().any(char::is_control) {
        return Err("Navnet kan være høyst 120 tegn, uten kontrolltegn.".into());
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(phone: &'a str, hours: &'a str, after: &'a str) -> UnitContactInput<'a> {
        UnitContactInput {
            address: " Postboks 1, 0101  Oslo ",
            phone,
            phone_hours: hours,
            after_hours_phone: after,
        }
    }

    #[test]
    fn a_unit_contact_is_parsed_with_phones_in_stored_form() {
        let mut e = FieldErrors::new();
        let c = UnitContact::parse(&input("23480000", "hverdager 08–15.30", ""), &mut e).unwrap();
        assert_eq!(c.address, "Postboks 1, 0101 Oslo");
        assert_eq!(c.phone, "+47 23 48 00 00");
        assert!(c.reachable_by_phone());
        assert!(UnitContact::parse(&input("123", "", "x"), &mut e).is_none());
        assert!(e.has("phone") && e.has("after_hours_phone") && e.len() == 2);
        let mut e = FieldErrors::new();
        assert!(UnitContact::parse(&input("", "hverdager", ""), &mut e).is_none());
        assert!(e.has("phone") && e.len() == 1);
    }

    #[test]
    fn someone_to_call_is_the_contact_person_or_the_unit_with_hours() {
        let none = UnitContact::default();
        let phone_only = UnitContact {
            phone: "+47 23 48 00 00".into(),
            ..Default::default()
        };
        let with_hours = UnitContact {
            phone_hours: "hverdager 08–15".into(),
            ..phone_only.clone()
        };
        assert!(!has_number_to_call(None, &none));
        assert!(!has_number_to_call(Some(" "), &phone_only));
        assert!(has_number_to_call(Some("+47 91 23 45 67"), &none));
        assert!(has_number_to_call(None, &with_hours));
    }

    #[test]
    fn a_district_or_unit_has_a_name_of_one_short_line() {
        assert_eq!(
            org_name("  Bydel  Frogner ", "bydelen"),
            Ok("Bydel Frogner".to_string())
        );
        assert_eq!(
            org_name(" ", "bydelen"),
            Err("Skriv inn navnet på bydelen.".to_string())
        );
        assert!(org_name(&"x".repeat(121), "tjenestestedet").is_err());
    }
}
