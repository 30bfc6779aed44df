//! Staff accounts: roles, usernames and password rules.

use super::text::one_line;
use super::validation::{not_blank, single_line, FieldErrors};
use serde::Serialize;
use std::fmt;
use validator::Validate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Helsepersonell: reads and writes the patients of their own unit.
    Worker,
    /// District manager: reads everything in their district, writes nothing clinical.
    Manager,
    /// Manages users, districts, units and catalogues; sees no patient data.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Worker, Role::Manager, Role::Admin];

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "worker" => Some(Role::Worker),
            "manager" => Some(Role::Manager),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Worker => "worker",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Worker => "Helsepersonell",
            Role::Manager => "Bydelsleder",
            Role::Admin => "Administrator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 200;

/// Words every Samspill password guesser would try first, beside zxcvbn's own lists (which
/// are English): the service, the place, the seasons.
const GUESSABLE: &[&str] = &[
    "samspill",
    "passord",
    "pårørende",
    "kommune",
    "oslo",
    "norge",
    "bydel",
    "hjemmetjenesten",
    "sykepleier",
    "helse",
    "omsorg",
    "sommer",
    "vinter",
    "høst",
    "vår",
    "januar",
    "desember",
];

/// How many guesses (as a power of ten) a password must withstand: zxcvbn's score 4. Its
/// score 3 (10^8) still lets a season, a year and two signs through ("Sommer2026!!").
const MIN_GUESSES_LOG10: f64 = 10.0;

/// Why a password is refused, or None when it is acceptable (NIST SP 800-63B: long enough,
/// not a common or guessable password, not built from the account's own name). `personal`
/// holds the username and the person's name.
pub fn password_problem(password: &str, personal: &[&str]) -> Option<&'static str> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Some("Passordet må ha minst 12 tegn.");
    }
    if n > MAX_PASSWORD_CHARS {
        return Some("Passordet kan ha høyst 200 tegn.");
    }
    let lower = password.to_lowercase();
    let own: Vec<String> = personal
        .iter()
        .flat_map(|p| p.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect();
    if own.iter().any(|w| lower.contains(w.as_str())) {
        return Some("Passordet kan ikke inneholde brukernavnet eller navnet ditt.");
    }
    let mut inputs: Vec<&str> = GUESSABLE.to_vec();
    inputs.extend(own.iter().map(String::as_str));
    if zxcvbn::zxcvbn(password, &inputs).guesses_log10() < MIN_GUESSES_LOG10 {
        return Some(
            "Passordet er for lett å gjette: det ligner et vanlig passord eller følger et kjent mønster (som gjentakelser, tastaturrekker eller årstall). Velg for eksempel fire tilfeldige ord med bindestrek mellom.",
        );
    }
    None
}

/// Usernames: 2–40 of a–z, 0–9, '.', '-', '_'; stored lower-case.
pub fn parse_username(raw: &str) -> Result<String, &'static str> {
    let u = raw.trim().to_lowercase();
    if u.len() < 2 || u.len() > 40 {
        return Err("Brukernavnet må ha 2–40 tegn.");
    }
    if !u
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'))
    {
        return Err("Brukernavnet kan bare inneholde a–z, 0–9, punktum, bindestrek og understrek.");
    }
    Ok(u)
}

pub const USER_FIELDS: &[&str] = &["username", "name", "role", "unit_id", "phone", "password"];

#[derive(Debug, Validate)]
pub struct UserDraft<'a> {
    pub username: &'a str,
    #[validate(
        custom(function = "not_blank", message = "Skriv inn fullt navn."),
        custom(
            function = "single_line",
            message = "Navnet kan ikke inneholde linjeskift eller kontrolltegn."
        ),
        length(max = 200, message = "Navnet kan være høyst 200 tegn.")
    )]
    pub name: &'a str,
    pub role: &'a str,
    pub unit_id: &'a str,
    pub phone: &'a str,
    /// None when the form has no password field (editing an account).
    pub password: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInput {
    pub username: String,
    pub name: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub phone: Option<String>,
    pub password: Option<String>,
}

impl UserDraft<'_> {
    pub fn parse(&self) -> Result<UserInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        if let Err(e) = self.validate() {
            errors.extend_from(&e, USER_FIELDS);
        }
        let username = parse_username(self.username)
            .map_err(|m| errors.add("username", m))
            .ok();
        let role = Role::parse(self.role);
        if role.is_none() {
            errors.add("role", "Velg en rolle.");
        }
        let unit_id = self.unit_id.trim().parse::<i64>().ok();
        if unit_id.is_none() && role != Some(Role::Admin) {
            errors.add(
                "unit_id",
                "Velg tjenestested. Helsepersonell og bydelsledere må høre til et tjenestested.",
            );
        }
        let phone = match self.phone.trim() {
            "" => None,
            raw => match super::phone::Phone::parse(raw) {
                Some(p) => Some(p.as_str().to_string()),
                None => {
                    errors.add("phone", super::phone::PHONE_MESSAGE);
                    None
                }
            },
        };
        if let Some(p) = self.password {
            if let Some(problem) = password_problem(p, &[self.username, self.name]) {
                errors.add("password", problem);
            }
        }
        errors.order_by(USER_FIELDS);
        let name = one_line(self.name);
        errors.into_result(|| UserInput {
            username: username.unwrap_or_default(),
            name,
            role: role.unwrap_or(Role::Worker),
            unit_id,
            phone,
            password: self.password.map(str::to_string),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lower_cased_and_checked() {
        assert_eq!(parse_username(" Ansatt1 "), Ok("ansatt1".to_string()));
        assert!(parse_username("a").is_err());
        assert!(parse_username("kari nordmann").is_err());
        assert!(parse_username("åse").is_err());
    }

    #[test]
    fn passwords_need_twelve_characters() {
        assert_eq!(
            password_problem("elleve-tegn", &[]),
            Some("Passordet må ha minst 12 tegn.")
        );
        assert_eq!(password_problem("tolv-tegn-ok", &[]), None);
        assert_eq!(password_problem("blåbær-ørret-ærfugl", &[]), None);
    }

    #[test]
    fn guessable_passwords_and_the_users_own_name_are_refused() {
        let guessable = Some(
            "Passordet er for lett å gjette: det ligner et vanlig passord eller følger et kjent mønster (som gjentakelser, tastaturrekker eller årstall). Velg for eksempel fire tilfeldige ord med bindestrek mellom.",
        );
        for weak in [
            "password1234",
            "qwertyuiop123",
            "aaaaaaaaaaaa",
            "æøåæøåæøåæøå",
            "123456789012",
            "Sommer2026!!",
            "Passord12345",
            "samspill2026",
        ] {
            assert_eq!(password_problem(weak, &[]), guessable, "{weak}");
        }
        let own = Some("Passordet kan ikke inneholde brukernavnet eller navnet ditt.");
        assert_eq!(
            password_problem("kari.nordmann99", &["kari.nordmann", "Kari Nordmann"]),
            own
        );
        assert_eq!(
            password_problem("Nordmann-hest-stift", &["knord", "Kari Nordmann"]),
            own
        );
        assert_eq!(
            password_problem("riktig-hest-batteri-stift", &["knord", "Kari Nordmann"]),
            None
        );
    }

    #[test]
    fn workers_need_a_unit_but_admins_do_not() {
        let d = UserDraft {
            username: "kari",
            name: "Kari",
            role: "worker",
            unit_id: "",
            phone: "",
            password: None,
        };
        assert!(d.parse().unwrap_err().has("unit_id"));
        let d = UserDraft { role: "admin", ..d };
        assert_eq!(d.parse().unwrap().unit_id, None);
    }
}
