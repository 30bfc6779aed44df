//! A unit's contact details: what every printed copy's letterhead carries, so a relative
//! always has a number to call.

use super::phone::{Phone, PHONE_MESSAGE};
use super::text::one_line;
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

fn optional_phone(raw: &str) -> Result<String, String> {
    if raw.trim().is_empty() {
        return Ok(String::new());
    }
    Phone::parse(raw)
        .map(|p| p.as_str().to_string())
        .ok_or_else(|| PHONE_MESSAGE.to_string())
}

fn short_line(raw: &str, max: usize) -> Result<String, String> {
    let v = one_line(raw);
    if v.chars().count() > max {
        return Err(format!("Skriv høyst {max} tegn."));
    }
    Ok(v)
}

impl UnitContact {
    /// Parses the form: every field is optional, but opening hours need a phone to belong
    /// to. Errors come back as (field, message).
    pub fn parse(i: &UnitContactInput<'_>) -> Result<UnitContact, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let mut take = |field: &'static str, r: Result<String, String>| match r {
            Ok(v) => v,
            Err(m) => {
                errors.push((field, m));
                String::new()
            }
        };
        let contact = UnitContact {
            address: take("address", short_line(i.address, 200)),
            phone: take("phone", optional_phone(i.phone)),
            phone_hours: take("phone_hours", short_line(i.phone_hours, 120)),
            after_hours_phone: take("after_hours_phone", optional_phone(i.after_hours_phone)),
        };
        if !contact.phone_hours.is_empty() && i.phone.trim().is_empty() {
            errors.push((
                "phone",
                "Skriv telefonnummeret åpningstiden gjelder for.".to_string(),
            ));
        }
        if errors.is_empty() {
            Ok(contact)
        } else {
            Err(errors)
        }
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
        let c = UnitContact::parse(&input("23480000", "hverdager 08–15.30", "")).unwrap();
        assert_eq!(c.address, "Postboks 1, 0101 Oslo");
        assert_eq!(c.phone, "+47 23 48 00 00");
        assert!(c.reachable_by_phone());
        let errors = UnitContact::parse(&input("123", "", "x")).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.0).collect();
        assert_eq!(fields, ["phone", "after_hours_phone"]);
        let errors = UnitContact::parse(&input("", "hverdager", "")).unwrap_err();
        assert_eq!(errors[0].0, "phone");
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
}
