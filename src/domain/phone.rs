//! Phone numbers: Norwegian eight-digit numbers or international numbers with a country code.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

pub const PHONE_MESSAGE: &str =
    "Skriv telefonnummeret med 8 siffer (f.eks. 912 34 567) eller med landkode (f.eks. +46 70 123 45 67).";

impl Phone {
    /// Accepts `91234567`, `912 34 567`, `+47 91234567`, `0047 91234567` and
    /// `+<country code and number>` (7 to 15 digits). Spaces, dots, dashes and brackets are
    /// ignored. The stored form is `+47 91 23 45 67` or `+<digits>`.
    pub fn parse(input: &str) -> Option<Self> {
        let trimmed = input.trim();
        let plus = trimmed.starts_with('+');
        let mut digits = String::new();
        for (i, c) in trimmed.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '.' | '-' | '(' | ')' => {}
                '+' if i == 0 => {}
                _ => return None,
            }
        }
        let international = if plus {
            Some(digits.as_str())
        } else {
            digits.strip_prefix("00")
        };
        let national = match international {
            Some(rest) if rest.starts_with("47") && rest.len() == 10 => &rest[2..],
            Some(rest) => {
                let valid = (7..=15).contains(&rest.len()) && !rest.starts_with('0');
                return valid.then(|| Phone(format!("+{rest}")));
            }
            None => digits.as_str(),
        };
        if national.len() != 8 || national.starts_with('0') || national.starts_with('1') {
            return None;
        }
        let b = national.as_bytes();
        let pair = |i: usize| std::str::from_utf8(&b[i..i + 2]).unwrap_or_default();
        Some(Phone(format!(
            "+47 {} {} {} {}",
            pair(0),
            pair(2),
            pair(4),
            pair(6)
        )))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norwegian_numbers_are_normalised() {
        for input in [
            "91234567",
            "912 34 567",
            "+47 912 34 567",
            "0047 91234567",
            "+4791234567",
        ] {
            assert_eq!(
                Phone::parse(input).unwrap().as_str(),
                "+47 91 23 45 67",
                "{input}"
            );
        }
        assert_eq!(
            Phone::parse("22-49-19-22").unwrap().as_str(),
            "+47 22 49 19 22"
        );
    }

    #[test]
    fn international_numbers_keep_their_country_code() {
        assert_eq!(
            Phone::parse("+46 70 123 45 67").unwrap().as_str(),
            "+46701234567"
        );
        assert_eq!(
            Phone::parse("0045 12345678").unwrap().as_str(),
            "+4512345678"
        );
    }

    #[test]
    fn bad_numbers_are_refused() {
        for input in [
            "",
            "1234567",
            "123456789",
            "01234567",
            "9123456a",
            "+0123456",
            "+123",
            "91+234567",
        ] {
            assert_eq!(Phone::parse(input), None, "{input}");
        }
    }
}
