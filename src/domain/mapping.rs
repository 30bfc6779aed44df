//! Mapping (Kartlegge) a relative's situation: the form parsed once into a draft.

use super::choices::{self, Choices};
use super::forms as f;
use super::strain;
use super::validation::FieldErrors;
use chrono::NaiveDate;

/// The mapping form as typed; `strain` holds the 13 answers ("1" yes, "0" no, "" none).
#[derive(Debug, Clone, Default)]
pub struct MappingFormInput<'a> {
    pub mapped_on: &'a str,
    pub roles: &'a [String],
    pub tasks: &'a [String],
    pub task_other: &'a str,
    pub hours_per_week: &'a str,
    pub care_duration: &'a str,
    pub lost_income: bool,
    pub legal_duty: bool,
    pub work_study: &'a str,
    pub own_health: &'a str,
    pub other_care: &'a str,
    pub distance: &'a str,
    pub strain: [&'a str; 13],
    pub what_matters: &'a str,
    pub views: &'a str,
    pub not_wanted: &'a str,
    pub violence: &'a str,
    pub violence_action: &'a str,
    pub support_needs: &'a [String],
    pub support_other: &'a str,
}

/// A valid mapping. Multiple choices are stored as comma-separated keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MappingDraft {
    pub mapped_on: NaiveDate,
    pub roles: String,
    pub tasks: String,
    pub task_other: String,
    pub hours_per_week: i64,
    /// A key of CARE_DURATIONS, or empty when not known.
    pub care_duration: String,
    /// The relative has reduced work or lost income because of the care.
    pub lost_income: bool,
    /// A legal duty of care (parents of a disabled child under 18).
    pub legal_duty: bool,
    pub work_study: String,
    pub own_health: String,
    pub other_care: String,
    pub distance: String,
    /// The encoded answers, empty when the strain questions were left out.
    pub strain_answers: String,
    pub strain_score: Option<i64>,
    pub what_matters: String,
    pub views: String,
    pub not_wanted: String,
    pub violence: String,
    pub violence_action: String,
    pub support_needs: String,
    pub support_other: String,
}

fn keys(list: Choices, chosen: &[String]) -> String {
    let chosen: Vec<&str> = chosen.iter().map(String::as_str).collect();
    choices::join_valid(list, &chosen)
}

impl MappingDraft {
    /// Parses the form: a date not after today, all 13 strain questions or none, and what
    /// was done when there is concern about violence.
    pub fn parse(
        form: &MappingFormInput<'_>,
        today: NaiveDate,
    ) -> Result<MappingDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let mapped_on = f::date(
            &mut e,
            "mapped_on",
            form.mapped_on,
            Some("Skriv datoen for kartleggingen."),
        );
        f::not_in_future(&mut e, "mapped_on", mapped_on, today, "Kartleggingen");
        let task_other = f::line(&mut e, "task_other", form.task_other, 300, None);
        let hours_per_week = f::hours(&mut e, "hours_per_week", form.hours_per_week);
        let care_duration = if form.care_duration.trim().is_empty() {
            String::new()
        } else {
            f::choice(
                &mut e,
                "care_duration",
                form.care_duration,
                choices::CARE_DURATIONS,
                "Velg hvor lenge omsorgen har vart fra listen.",
            )
        };
        let work_study = f::text(&mut e, "work_study", form.work_study, 2000);
        let own_health = f::text(&mut e, "own_health", form.own_health, 2000);
        let other_care = f::text(&mut e, "other_care", form.other_care, 2000);
        let distance = f::line(&mut e, "distance", form.distance, 200, None);
        let answers = form.strain.map(|raw| match raw {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        });
        let answered = answers.iter().filter(|a| a.is_some()).count();
        if answered > 0 && answered < 13 {
            e.add(
                "s0",
                "Svar ja eller nei på alle 13 spørsmålene om belastning, eller la alle stå tomme.",
            );
        }
        let what_matters = f::text(&mut e, "what_matters", form.what_matters, 4000);
        let views = f::text(&mut e, "views", form.views, 4000);
        let not_wanted = f::text(&mut e, "not_wanted", form.not_wanted, 4000);
        let violence = f::choice(
            &mut e,
            "violence",
            form.violence,
            choices::YES_NO_UNSURE,
            "Velg om det er bekymring for vold, trusler eller overgrep.",
        );
        let violence_action = f::text(&mut e, "violence_action", form.violence_action, 4000);
        if (violence == "yes" || violence == "unsure") && violence_action.is_empty() {
            e.add("violence_action", "Skriv hva som er gjort med bekymringen.");
        }
        let support_other = f::line(&mut e, "support_other", form.support_other, 300, None);
        let Some(mapped_on) = mapped_on.filter(|_| e.is_empty()) else {
            return Err(e);
        };
        Ok(MappingDraft {
            mapped_on,
            roles: keys(choices::ROLES, form.roles),
            tasks: keys(choices::CARE_TASKS, form.tasks),
            task_other,
            hours_per_week,
            care_duration,
            lost_income: form.lost_income,
            legal_duty: form.legal_duty,
            work_study,
            own_health,
            other_care,
            distance,
            strain_answers: if answered == 0 {
                String::new()
            } else {
                strain::encode(&answers)
            },
            strain_score: strain::score(&answers),
            what_matters,
            views,
            not_wanted,
            violence,
            violence_action,
            support_needs: keys(choices::SUPPORT_NEEDS, form.support_needs),
            support_other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_is_parsed_once_with_all_strain_answers_or_none() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let tasks = vec!["personal".to_string(), "nonsense".to_string()];
        let mut strain = ["0"; 13];
        for s in strain.iter_mut().take(8) {
            *s = "1";
        }
        let form = MappingFormInput {
            mapped_on: "01.03.2026",
            tasks: &tasks,
            hours_per_week: "20",
            strain,
            violence: "no",
            ..Default::default()
        };
        let d = MappingDraft::parse(&form, today).unwrap();
        assert_eq!(d.tasks, "personal");
        assert_eq!(d.strain_score, Some(8));
        assert_eq!(d.hours_per_week, 20);
        let mut partly = [""; 13];
        partly[0] = "1";
        let e = MappingDraft::parse(
            &MappingFormInput {
                strain: partly,
                violence: "yes",
                mapped_on: "03.03.2026",
                ..form.clone()
            },
            today,
        )
        .unwrap_err();
        assert_eq!(
            e.get("s0"),
            Some(
                "Svar ja eller nei på alle 13 spørsmålene om belastning, eller la alle stå tomme."
            )
        );
        assert_eq!(
            e.get("violence_action"),
            Some("Skriv hva som er gjort med bekymringen.")
        );
        assert_eq!(
            e.get("mapped_on"),
            Some("Kartleggingen kan ikke være fram i tid.")
        );
        let none = MappingDraft::parse(
            &MappingFormInput {
                strain: [""; 13],
                ..form
            },
            today,
        )
        .unwrap();
        assert_eq!(
            (none.strain_answers.as_str(), none.strain_score),
            ("", None)
        );
    }
}
