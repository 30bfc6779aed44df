//! Norwegian national identity numbers (fødselsnummer), including D-numbers, H-numbers and
//! the synthetic test numbers issued for test environments (month + 80).

use chrono::{Datelike, NaiveDate};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fodselsnummer(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FnrError {
    /// Not exactly eleven digits.
    Format,
    /// One of the two mod-11 control digits is wrong.
    Checksum,
    /// The first six digits and the individual number give no real date.
    Date,
}

impl FnrError {
    pub fn message(self) -> &'static str {
        match self {
            FnrError::Format => "Fødselsnummeret må bestå av nøyaktig 11 siffer.",
            FnrError::Checksum => "Fødselsnummeret er ikke gyldig (kontrollsifrene stemmer ikke).",
            FnrError::Date => "Fødselsnummeret inneholder ingen gyldig fødselsdato.",
        }
    }
}

const WEIGHTS_K1: [u32; 9] = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const WEIGHTS_K2: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

/// The mod-11 control digit for `digits` with `weights`, or `None` where the rule gives 10
/// (no valid number exists with those leading digits).
fn control_digit(digits: &[u32], weights: &[u32]) -> Option<u32> {
    let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        k => Some(k),
    }
}

/// Appends both control digits to nine leading digits. Used by demo data and tests.
pub fn with_control_digits(first_nine: &str) -> Option<String> {
    let mut digits: Vec<u32> = first_nine
        .chars()
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()?;
    if digits.len() != 9 {
        return None;
    }
    let k1 = control_digit(&digits, &WEIGHTS_K1)?;
    digits.push(k1);
    let k2 = control_digit(&digits, &WEIGHTS_K2)?;
    Some(format!("{first_nine}{k1}{k2}"))
}

/// The century from the two-digit year and the individual number (Skatteetaten's rules).
fn full_year(yy: u32, individual: u32) -> Option<i32> {
    let century = match (individual, yy) {
        (0..=499, _) => 1900,
        (500..=749, 54..=99) => 1800,
        (500..=999, 0..=39) => 2000,
        (900..=999, 40..=99) => 1900,
        _ => return None,
    };
    Some(century + yy as i32)
}

impl Fodselsnummer {
    /// Parses eleven digits; spaces are ignored.
    pub fn parse(input: &str) -> Result<Self, FnrError> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.len() != 11 || !compact.chars().all(|c| c.is_ascii_digit()) {
            return Err(FnrError::Format);
        }
        if with_control_digits(&compact[..9]).as_deref() != Some(compact.as_str()) {
            return Err(FnrError::Checksum);
        }
        let fnr = Fodselsnummer(compact);
        fnr.compute_birth_date().ok_or(FnrError::Date)?;
        Ok(fnr)
    }

    fn compute_birth_date(&self) -> Option<NaiveDate> {
        let n = |range: std::ops::Range<usize>| self.0[range].parse::<u32>().ok();
        let mut day = n(0..2)?;
        let mut month = n(2..4)?;
        let yy = n(4..6)?;
        let individual = n(6..9)?;
        if day > 40 {
            day -= 40; // D-number
        }
        if month > 80 {
            month -= 80; // synthetic test number
        } else if month > 40 {
            month -= 40; // H-number
        }
        NaiveDate::from_ymd_opt(full_year(yy, individual)?, month, day)
    }

    pub fn birth_date(&self) -> NaiveDate {
        // parse() only builds values whose date computes.
        self.compute_birth_date().unwrap_or_default()
    }

    /// Whether the number agrees with a birth date given separately.
    pub fn agrees_with(&self, birth_date: NaiveDate) -> bool {
        let own = self.birth_date();
        own.year() == birth_date.year() && own.ordinal() == birth_date.ordinal()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fodselsnummer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", &self.0[..6], &self.0[6..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn valid_numbers_give_their_birth_dates() {
        let cases = [
            ("15038512363", date(1985, 3, 15)),
            ("01017012343", date(1970, 1, 1)),
            ("31129949980", date(1999, 12, 31)),
            ("01010550048", date(2005, 1, 1)),
            ("29024012393", date(1940, 2, 29)),
            ("01010090004", date(2000, 1, 1)),
            ("15898512379", date(1985, 9, 15)), // synthetic: month + 80
            ("45038512386", date(1985, 3, 5)),  // D-number: day + 40
            ("15438512346", date(1985, 3, 15)), // H-number: month + 40
        ];
        for (number, expected) in cases {
            let fnr = Fodselsnummer::parse(number).unwrap_or_else(|e| panic!("{number}: {e:?}"));
            assert_eq!(fnr.birth_date(), expected, "{number}");
            assert!(fnr.agrees_with(expected));
        }
    }

    #[test]
    fn spaces_are_ignored() {
        assert_eq!(
            Fodselsnummer::parse("150385 12363").unwrap().as_str(),
            "15038512363"
        );
    }

    #[test]
    fn wrong_control_digits_are_refused() {
        assert_eq!(Fodselsnummer::parse("15038512364"), Err(FnrError::Checksum));
        assert_eq!(Fodselsnummer::parse("15038512353"), Err(FnrError::Checksum));
    }

    #[test]
    fn wrong_lengths_and_letters_are_refused() {
        for bad in [
            "",
            "1503851236",
            "150385123633",
            "1503851236a",
            "abcdefghijk",
        ] {
            assert_eq!(Fodselsnummer::parse(bad), Err(FnrError::Format), "{bad}");
        }
    }

    #[test]
    fn impossible_dates_are_refused_even_with_valid_control_digits() {
        // 31 February and month 13, with correct control digits appended.
        for first_nine in ["310285123", "011385123", "300285124"] {
            if let Some(number) = with_control_digits(first_nine) {
                assert_eq!(
                    Fodselsnummer::parse(&number),
                    Err(FnrError::Date),
                    "{number}"
                );
            }
        }
    }

    #[test]
    fn disagreement_with_birth_date_is_detected() {
        let fnr = Fodselsnummer::parse("15038512363").unwrap();
        assert!(!fnr.agrees_with(date(1985, 3, 16)));
        assert!(!fnr.agrees_with(date(1885, 3, 15)));
    }
}
