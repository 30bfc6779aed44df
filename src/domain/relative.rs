//! Relatives: who counts as a child, and the rules for nærmeste pårørende.

use super::dates::age_on;
use chrono::NaiveDate;

/// A relative is a child when younger than 18 on `today`, or recorded as under 18.
pub fn is_child(birth_date: Option<NaiveDate>, age_group: &str, today: NaiveDate) -> bool {
    match birth_date {
        Some(b) => age_on(b, today) < 18,
        None => age_group == "child",
    }
}

/// Why a relative cannot be recorded as nærmeste pårørende, if so.
pub fn closest_problem(
    closest: bool,
    child: bool,
    basis: &str,
) -> Option<(&'static str, &'static str)> {
    if !closest {
        return None;
    }
    if child {
        return Some((
            "closest",
            "Et barn under 18 år kan ikke være nærmeste pårørende.",
        ));
    }
    if basis.is_empty() {
        return Some((
            "closest_basis",
            "Velg hvordan nærmeste pårørende ble bestemt.",
        ));
    }
    None
}

/// The relation in words: the free text for "other", else the label.
pub fn relation_text(relation: &str, other: &str) -> String {
    if relation == "other" && !other.is_empty() {
        other.to_string()
    } else {
        super::choices::label(super::choices::RELATIONS, relation).to_string()
    }
}

/// What the record says about a relative's age.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Age {
    Adult,
    Child,
    Unknown,
}

/// The relative's age as recorded: from the birth date when there is one, else the group.
pub fn age(birth_date: Option<NaiveDate>, age_group: &str, today: NaiveDate) -> Age {
    match (birth_date, age_group) {
        (Some(b), _) if age_on(b, today) < 18 => Age::Child,
        (Some(_), _) => Age::Adult,
        (None, "adult") => Age::Adult,
        (None, "child") => Age::Child,
        _ => Age::Unknown,
    }
}

/// The age group to store, from the chosen group and the birth date: one of them is
/// required (there is no default), and when both are given they must agree.
pub fn age_group_for(
    birth_date: Option<NaiveDate>,
    chosen: &str,
    today: NaiveDate,
) -> Result<String, (&'static str, String)> {
    let from_birth = birth_date.map(|b| {
        if age_on(b, today) < 18 {
            "child"
        } else {
            "adult"
        }
    });
    match (from_birth, chosen) {
        (None, "") => Err((
            "age_group",
            "Velg aldersgruppe, eller skriv fødselsdatoen.".into(),
        )),
        (None, group) => Ok(group.to_string()),
        (Some(group), "") | (Some(group), "unknown") => Ok(group.to_string()),
        (Some(group), chosen) if group == chosen => Ok(group.to_string()),
        (Some(group), _) => Err((
            "age_group",
            format!(
                "Fødselsdatoen gir {} år, altså {}, som ikke stemmer med aldersgruppen. Rett fødselsdatoen eller aldersgruppen.",
                birth_date.map(|b| age_on(b, today)).unwrap_or_default(),
                if group == "child" { "under 18" } else { "18 eller eldre" }
            ),
        )),
    }
}

/// The relative form as typed (the consent part is parsed on its own).
#[derive(Debug, Clone, Default)]
pub struct RelativeFormInput<'a> {
    pub full_name: &'a str,
    pub relation: &'a str,
    pub relation_other: &'a str,
    pub phone: &'a str,
    pub email: &'a str,
    pub address: &'a str,
    pub birth_date: &'a str,
    pub age_group: &'a str,
    pub language: &'a str,
    pub interpreter: bool,
    pub closest: bool,
    pub closest_basis: &'a str,
    pub closest_on: &'a str,
    pub confirm_closest: bool,
    pub guardian: bool,
    pub involvement: &'a str,
    pub contact_person_id: &'a str,
}

/// What the relative form is checked against: the unit's staff (for the contact person)
/// and the patient's other nærmeste pårørende (by name).
#[derive(Debug, Clone, Default)]
pub struct RelativeContext<'a> {
    pub staff: &'a [i64],
    pub other_closest: &'a [String],
}

/// A relative as the form gives them, valid when the errors returned with it are empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RelativeDraft {
    pub full_name: String,
    pub relation: String,
    pub relation_other: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: String,
    pub birth_date: Option<NaiveDate>,
    pub age_group: String,
    pub language: String,
    pub interpreter: bool,
    pub closest: bool,
    pub closest_basis: String,
    pub closest_on: Option<NaiveDate>,
    pub guardian: bool,
    pub involvement: String,
    pub contact_person_id: Option<i64>,
}

impl RelativeDraft {
    /// Parses the form into a relative and a message at each bad field: a name, a relation,
    /// a phone and e-mail that can be used, the age group or birth date (agreeing), the rules
    /// for nærmeste pårørende, an involvement answer and a contact person on the staff.
    pub fn parse(
        form: &RelativeFormInput<'_>,
        ctx: &RelativeContext<'_>,
        today: NaiveDate,
    ) -> (RelativeDraft, super::validation::FieldErrors) {
        use super::choices;
        use super::forms as f;
        use validator::ValidateEmail;
        let mut e = super::validation::FieldErrors::new();
        let full_name = f::line(
            &mut e,
            "full_name",
            form.full_name,
            200,
            Some("Skriv inn navnet på den pårørende."),
        );
        let relation = f::choice(
            &mut e,
            "relation",
            form.relation,
            choices::RELATIONS,
            "Velg relasjon til pasienten.",
        );
        let relation_other = f::line(&mut e, "relation_other", form.relation_other, 100, None);
        if relation == "other" && relation_other.is_empty() {
            e.add(
                "relation_other",
                "Skriv hvilken relasjon den pårørende har til pasienten.",
            );
        }
        let phone = match form.phone.trim() {
            "" => None,
            raw => match super::phone::Phone::parse(raw) {
                Some(p) => Some(p.as_str().to_string()),
                None => {
                    e.add("phone", super::phone::PHONE_MESSAGE);
                    None
                }
            },
        };
        let email = match super::text::one_line(form.email).as_str() {
            "" => None,
            raw if raw.len() <= 200 && raw.validate_email() => Some(raw.to_string()),
            _ => {
                e.add("email", "Skriv e-postadressen som navn@eksempel.no.");
                None
            }
        };
        let address = f::text(&mut e, "address", form.address, 500);
        let birth_date = f::date(&mut e, "birth_date", form.birth_date, None);
        if birth_date.is_some_and(|b| b > today) {
            e.add("birth_date", "Fødselsdatoen kan ikke være i fremtiden.");
        }
        let chosen_group = if form.age_group.trim().is_empty() {
            String::new()
        } else {
            f::choice(
                &mut e,
                "age_group",
                form.age_group,
                choices::AGE_GROUPS,
                "Velg aldersgruppe.",
            )
        };
        // No default: the group or the birth date is required, and they must agree.
        let age_group = match age_group_for(birth_date, &chosen_group, today) {
            Ok(group) => group,
            Err((field, message)) => {
                if !e.has("birth_date") {
                    e.add(field, message);
                }
                "unknown".to_string()
            }
        };
        let child = is_child(birth_date, &age_group, today);
        let language = f::line(&mut e, "language", form.language, 60, None);
        let closest = form.closest;
        let closest_basis = if closest {
            f::choice(
                &mut e,
                "closest_basis",
                form.closest_basis,
                choices::CLOSEST_BASIS,
                "Velg hvordan nærmeste pårørende ble bestemt.",
            )
        } else {
            String::new()
        };
        if let Some((field, message)) = closest_problem(closest, child, &closest_basis) {
            e.add(field, message);
        }
        let closest_on = if closest {
            f::date(&mut e, "closest_on", form.closest_on, None).or(Some(today))
        } else {
            None
        };
        if closest && !child && !form.confirm_closest && !ctx.other_closest.is_empty() {
            e.add(
                "confirm_closest",
                format!(
                    "{} er allerede registrert som nærmeste pårørende. Pasienten kan ha flere, men bekreft at det er riktig ved å krysse av.",
                    ctx.other_closest.join(" og ")
                ),
            );
        }
        let involvement = f::choice(
            &mut e,
            "involvement",
            form.involvement,
            choices::INVOLVEMENT,
            "Velg om den pårørende ønsker å bli involvert.",
        );
        let message = "Velg en kontaktperson fra tjenestestedet.";
        let contact_person_id = f::chosen_id(
            &mut e,
            "contact_person_id",
            form.contact_person_id,
            ctx.staff,
            false,
            message,
        );
        let draft = RelativeDraft {
            full_name,
            relation,
            relation_other,
            phone,
            email,
            address,
            birth_date,
            age_group,
            language,
            interpreter: form.interpreter,
            closest,
            closest_basis,
            closest_on,
            guardian: form.guardian,
            involvement,
            contact_person_id,
        };
        (draft, e)
    }
}

/// A relative's consent to information about the patient, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub scope: String,
    pub topics: String,
    pub given_on: NaiveDate,
    pub how: String,
}

/// The consent form's fields as typed; `prefix` names them in a larger form
/// (`consent_scope` on the relative's registration).
pub struct ConsentFields<'a> {
    pub scope: &'a str,
    pub topics: &'a str,
    pub on: &'a str,
    pub how: &'a str,
    pub prefix: &'a str,
}

impl Consent {
    /// The consent form parsed once: a scope from the list, what a limited consent covers,
    /// the day it was given (not after today), and how. Messages go to `errors` at the
    /// prefixed fields.
    pub fn parse(
        form: &ConsentFields<'_>,
        today: NaiveDate,
        errors: &mut super::validation::FieldErrors,
    ) -> Option<Consent> {
        use super::forms as f;
        let field = |name: &str| format!("{}{name}", form.prefix);
        let scope = f::choice(
            errors,
            &field("scope"),
            form.scope,
            super::choices::CONSENT_SCOPES,
            "Velg hva pasienten har samtykket til.",
        );
        let topics = f::text(errors, &field("topics"), form.topics, 2000);
        if scope == "limited" && topics.is_empty() {
            errors.add(
                &field("topics"),
                "Skriv hva samtykket gjelder når det er begrenset.",
            );
        }
        let given_on = f::date(
            errors,
            &field("on"),
            form.on,
            Some("Skriv datoen samtykket ble gitt."),
        );
        f::not_in_future(errors, &field("on"), given_on, today, "Samtykkedatoen");
        let how = f::line(
            errors,
            &field("how"),
            form.how,
            300,
            Some("Skriv hvordan samtykket ble gitt (muntlig, skriftlig …)."),
        );
        Some(Consent {
            scope,
            topics,
            given_on: given_on?,
            how,
        })
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_relative_form_is_parsed_once() {
        let today = d(2026, 11, 23);
        let form = RelativeFormInput {
            full_name: "Kari Nordmann",
            relation: "child",
            phone: "98765432",
            age_group: "adult",
            involvement: "yes",
            closest: true,
            closest_basis: "patient_choice",
            contact_person_id: "7",
            ..Default::default()
        };
        let others = vec!["Ola Nordmann".to_string()];
        let ctx = RelativeContext {
            staff: &[7],
            other_closest: &others,
        };
        let (draft, e) = RelativeDraft::parse(&form, &ctx, today);
        assert_eq!(
            e.get("confirm_closest"),
            Some("Ola Nordmann er allerede registrert som nærmeste pårørende. Pasienten kan ha flere, men bekreft at det er riktig ved å krysse av.")
        );
        assert_eq!(draft.closest_on, Some(today));
        let confirmed = RelativeFormInput {
            confirm_closest: true,
            ..form.clone()
        };
        let (draft, e) = RelativeDraft::parse(&confirmed, &ctx, today);
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(draft.contact_person_id, Some(7));
        assert_eq!(draft.phone.as_deref(), Some("+47 98 76 54 32"));
        let stranger = RelativeFormInput {
            contact_person_id: "9",
            email: "ikke-epost",
            ..confirmed
        };
        let (_, e) = RelativeDraft::parse(&stranger, &ctx, today);
        assert_eq!(
            e.get("contact_person_id"),
            Some("Velg en kontaktperson fra tjenestestedet.")
        );
        assert_eq!(
            e.get("email"),
            Some("Skriv e-postadressen som navn@eksempel.no.")
        );
    }

    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn children_are_under_eighteen() {
        let today = d(2026, 11, 23);
        assert!(is_child(Some(d(2008, 11, 24)), "adult", today));
        assert!(!is_child(Some(d(2008, 11, 23)), "child", today));
        assert!(is_child(None, "child", today));
        assert!(!is_child(None, "unknown", today));
    }

    #[test]
    fn the_age_group_is_required_and_agrees_with_the_birth_date() {
        let today = d(2026, 11, 23);
        assert_eq!(
            age_group_for(None, "", today).unwrap_err().1,
            "Velg aldersgruppe, eller skriv fødselsdatoen."
        );
        assert_eq!(age_group_for(None, "unknown", today), Ok("unknown".into()));
        assert_eq!(
            age_group_for(Some(d(2009, 1, 1)), "", today),
            Ok("child".into())
        );
        assert_eq!(
            age_group_for(Some(d(1966, 1, 1)), "adult", today),
            Ok("adult".into())
        );
        assert_eq!(
            age_group_for(Some(d(2009, 1, 1)), "adult", today)
                .unwrap_err()
                .1,
            "Fødselsdatoen gir 17 år, altså under 18, som ikke stemmer med aldersgruppen. Rett fødselsdatoen eller aldersgruppen."
        );
        assert_eq!(age(None, "unknown", today), Age::Unknown);
        assert_eq!(age(Some(d(2009, 1, 1)), "adult", today), Age::Child);
        assert_eq!(age(None, "adult", today), Age::Adult);
    }

    #[test]
    fn a_child_can_never_be_closest() {
        assert_eq!(
            closest_problem(true, true, "patient_choice").map(|p| p.0),
            Some("closest")
        );
        assert_eq!(
            closest_problem(true, false, "").map(|p| p.0),
            Some("closest_basis")
        );
        assert_eq!(closest_problem(true, false, "legal_order"), None);
        assert_eq!(closest_problem(false, true, ""), None);
    }

    #[test]
    fn a_consent_is_given_on_a_day_that_has_come() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let form = |on: &'static str| ConsentFields {
            scope: "limited",
            topics: "",
            on,
            how: "muntlig",
            prefix: "consent_",
        };
        let mut e = crate::domain::validation::FieldErrors::new();
        assert!(Consent::parse(&form("01.12.2026"), today, &mut e).is_some());
        assert_eq!(
            e.get("consent_on"),
            Some("Samtykkedatoen kan ikke være fram i tid.")
        );
        assert_eq!(
            e.get("consent_topics"),
            Some("Skriv hva samtykket gjelder når det er begrenset.")
        );
        let mut e = crate::domain::validation::FieldErrors::new();
        let today_given = Consent::parse(&form("30.11.2026"), today, &mut e).unwrap();
        assert_eq!(today_given.given_on, today);
        assert_eq!(e.get("consent_on"), None);
    }
}
