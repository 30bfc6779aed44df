//! A new agreement's form, filled in from what the record shows and nothing more.

use super::draft::{names_task, AgreementInput, Candidate};
use super::lifecycle::default_evaluation;
use crate::domain::choices::{self, label};
use crate::domain::dates::format_date;
use chrono::NaiveDate;

/// The sentence the pre-fill writes for a child relative with no recorded follow-up. While
/// it stands in the section, the agreement cannot be signed.
pub const CHILD_FOLLOWUP_MISSING: &str =
    "oppfølging etter helsepersonelloven § 10 a er ikke registrert ennå";

/// The defaults the pre-fill writes; `translate` knows them in nynorsk and English.
pub const DEFAULT_REACHABLE: &str = "Hverdager kl. 08.00–15.30";
/// The pre-filled text of versions written before the rhythm was a choice.
pub const DEFAULT_FREQUENCY: &str = "Minst hver tredje måned, og ellers ved behov";
pub const DEFAULT_INITIATIVE: &str = "Kontaktpersonen";

/// The latest mapping of a relative, as far as the agreement uses it.
#[derive(Debug, Clone, Default)]
pub struct MappingFacts {
    /// Keys of CARE_TASKS.
    pub tasks: Vec<String>,
    pub task_other: String,
    pub hours_per_week: i64,
    pub what_matters: String,
    pub not_wanted: String,
}

/// The latest recorded follow-up of a child relative.
#[derive(Debug, Clone, Default)]
pub struct ChildFollowupFacts {
    /// A key of CHILD_INFORMED.
    pub informed: String,
    pub follower: String,
    /// Keys of CHILD_SERVICES.
    pub services: Vec<String>,
}

/// A child relative of the patient.
#[derive(Debug, Clone, Default)]
pub struct ChildFacts {
    pub name: String,
    /// The relation in words ("Barnebarn").
    pub relation: String,
    pub followup: Option<ChildFollowupFacts>,
}

/// What the pre-fill is built from.
#[derive(Debug, Clone, Default)]
pub struct PrefillContext {
    /// The chosen parties, each with their latest mapping.
    pub parties: Vec<(Candidate, Option<MappingFacts>)>,
    pub children: Vec<ChildFacts>,
    /// The services the patient receives, as recorded on the patient.
    pub patient_services: String,
    /// The contact person to suggest: the parties' own, when on the unit's staff.
    pub contact_id: Option<i64>,
    /// Referrals of the parties that are still current.
    pub referral_ids: Vec<i64>,
}

/// The relatives a new agreement starts with when none were chosen: the first who may be a
/// party, nærmeste pårørende first.
pub fn default_parties(relatives: &[Candidate]) -> Vec<i64> {
    let mut eligible: Vec<&Candidate> = relatives
        .iter()
        .filter(|r| r.party_problem().is_none())
        .collect();
    eligible.sort_by_key(|r| !r.closest);
    eligible.iter().map(|r| r.relative_id).take(1).collect()
}

/// The form of a new agreement. The patient's capacity is left unanswered, care tasks the
/// relative said they will not do are left out of what they will do, and the children's
/// section says for each child what is recorded, or that the follow-up is missing.
pub fn prefill(ctx: &PrefillContext, today: NaiveDate) -> AgreementInput {
    let mut matters = Vec::new();
    let mut does = Vec::new();
    let mut declines = Vec::new();
    let several = ctx.parties.len() > 1;
    for (r, mapping) in &ctx.parties {
        let Some(m) = mapping else { continue };
        let prefix = if several {
            format!("{}: ", r.name)
        } else {
            String::new()
        };
        let mut tasks: Vec<&str> = m
            .tasks
            .iter()
            .filter(|t| !names_task(&m.not_wanted, t))
            .map(|t| label(choices::CARE_TASKS, t))
            .filter(|l| !l.is_empty() && *l != "Annet")
            .collect();
        if !m.task_other.is_empty() && !m.not_wanted.contains(&m.task_other) {
            tasks.push(&m.task_other);
        }
        if !m.what_matters.is_empty() {
            matters.push(format!("{prefix}{}", m.what_matters));
        }
        if !tasks.is_empty() {
            does.push(format!(
                "{prefix}{} (om lag {} timer i uka).",
                tasks.join(", "),
                m.hours_per_week
            ));
        }
        if !m.not_wanted.is_empty() {
            declines.push(format!("{prefix}{}", m.not_wanted));
        }
    }
    AgreementInput {
        lock: "0".into(),
        relative_ids: ctx
            .parties
            .iter()
            .map(|(r, _)| r.relative_id.to_string())
            .collect(),
        contact_id: ctx.contact_id.map(|i| i.to_string()).unwrap_or_default(),
        reachable: DEFAULT_REACHABLE.into(),
        matters_relative: matters.join("\n"),
        relative_does: does.join("\n"),
        relative_declines: declines.join("\n"),
        service_patient: ctx.patient_services.clone(),
        contact_means: vec!["meeting".into(), "phone".into()],
        contact_rhythm: super::rhythm::DEFAULT.key().into(),
        contact_frequency: String::new(),
        contact_initiative: DEFAULT_INITIATIVE.into(),
        referral_ids: ctx.referral_ids.iter().map(|i| i.to_string()).collect(),
        children: children_text(&ctx.children),
        evaluation_on: format_date(default_evaluation(today)),
        ..Default::default()
    }
}

/// The children's section: one line per child, stating what the recorded follow-up says,
/// or that no follow-up is recorded.
pub fn children_text(children: &[ChildFacts]) -> String {
    children
        .iter()
        .map(|c| {
            let who = format!("{} ({})", c.name, c.relation.to_lowercase());
            match &c.followup {
                None => format!("{who}: {CHILD_FOLLOWUP_MISSING}."),
                Some(f) => {
                    let mut parts = vec![format!(
                        "informert: {}",
                        label(choices::CHILD_INFORMED, &f.informed).to_lowercase()
                    )];
                    if !f.follower.is_empty() {
                        parts.push(format!("følges opp av {}", f.follower));
                    }
                    let services: Vec<&str> = f
                        .services
                        .iter()
                        .map(|s| label(choices::CHILD_SERVICES, s))
                        .filter(|l| !l.is_empty())
                        .collect();
                    if !services.is_empty() {
                        parts.push(format!("samarbeid med {}", services.join(", ")));
                    }
                    format!(
                        "{who}: oppfølging etter helsepersonelloven § 10 a er registrert – {}.",
                        parts.join("; ")
                    )
                }
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::relative::Age;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn kari() -> Candidate {
        Candidate {
            relative_id: 1,
            name: "Kari".into(),
            relation: "child".into(),
            relation_other: String::new(),
            phone: String::new(),
            email: String::new(),
            address: String::new(),
            closest: true,
            age: Age::Adult,
            involvement: "yes".into(),
            consent: ("full".into(), String::new()),
        }
    }

    #[test]
    fn what_the_relative_will_not_do_is_never_prefilled_as_what_she_will_do() {
        let ctx = PrefillContext {
            parties: vec![(
                kari(),
                Some(MappingFacts {
                    tasks: vec!["practical".into(), "personal".into(), "transport".into()],
                    hours_per_week: 10,
                    not_wanted: "Personlig stell".into(),
                    ..Default::default()
                }),
            )],
            ..Default::default()
        };
        let form = prefill(&ctx, d("2026-03-02"));
        assert_eq!(
            form.relative_does,
            "Praktisk hjelp i hjemmet, Transport og følge til avtaler (om lag 10 timer i uka)."
        );
        assert_eq!(form.relative_declines, "Personlig stell");
        assert!(super::super::draft::conflicting_tasks(
            &form.relative_does,
            &form.relative_declines
        )
        .is_empty());
    }

    #[test]
    fn the_capacity_starts_unanswered_and_the_evaluation_six_months_on() {
        let form = prefill(&PrefillContext::default(), d("2026-03-02"));
        assert_eq!(form.capacity, "");
        assert_eq!(form.represented_by, "");
        assert_eq!(form.evaluation_on, "02.09.2026");
    }

    #[test]
    fn the_childrens_section_states_only_what_is_recorded() {
        let text = children_text(&[
            ChildFacts {
                name: "Jonas".into(),
                relation: "Barnebarn".into(),
                followup: None,
            },
            ChildFacts {
                name: "Emma".into(),
                relation: "Barnebarn".into(),
                followup: Some(ChildFollowupFacts {
                    informed: "yes".into(),
                    follower: "Helsesykepleier Anne".into(),
                    services: vec!["skole".into()],
                }),
            },
        ]);
        assert_eq!(
            text,
            "Jonas (barnebarn): oppfølging etter helsepersonelloven § 10 a er ikke registrert ennå.\n\
             Emma (barnebarn): oppfølging etter helsepersonelloven § 10 a er registrert – informert: ja, tilpasset barnets alder; følges opp av Helsesykepleier Anne; samarbeid med Skole eller barnehage."
        );
        assert!(!text.contains("er kartlagt"));
        assert_eq!(children_text(&[]), "");
    }

    #[test]
    fn the_default_party_is_one_who_may_be_a_party() {
        let mut child = kari();
        child.relative_id = 2;
        child.age = Age::Child;
        child.closest = false;
        let mut declined = kari();
        declined.relative_id = 3;
        declined.involvement = "no".into();
        assert_eq!(
            default_parties(&[child.clone(), declined.clone()]),
            Vec::<i64>::new()
        );
        assert_eq!(default_parties(&[child, declined, kari()]), [1]);
    }
}
