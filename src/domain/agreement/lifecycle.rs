//! The lifecycle: draft → active (signed) → evaluated (continue, revise = new version, or
//! end) → ended, each step a function that returns the new state or why it is refused, and
//! the forms of the steps (signatures, evaluation, ending) parsed into valid values.

use super::prefill::CHILD_FOLLOWUP_MISSING;
use super::{Content, Edit, Outcome, Signatures, Status};
use crate::domain::dates::format_date;
use crate::domain::forms as f;
use crate::domain::unit::has_number_to_call;
use crate::domain::validation::FieldErrors;
use chrono::{Months, NaiveDate};

/// A step in the lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Sign,
    Evaluate,
    End,
    Delete,
    Edit,
}

/// The message when the stored status changed between reading and writing.
pub const CONCURRENT_CHANGE: &str =
    "Avtalen ble endret samtidig. Last siden på nytt og prøv igjen.";

/// Why a step was refused in `status`, in words for the user; None when it is allowed.
pub fn transition_refusal(status: Status, step: Step) -> Option<&'static str> {
    let allowed = match step {
        Step::Sign => status == Status::Draft,
        Step::Evaluate | Step::End => status.in_force(),
        Step::Delete => status.can_delete(),
        Step::Edit => status != Status::Ended,
    };
    if allowed {
        return None;
    }
    Some(match (step, status) {
        (Step::Delete, _) => {
            "Bare utkast kan slettes. En signert avtale avsluttes med dato og begrunnelse."
        }
        (_, Status::Ended) => "Avtalen er avsluttet og kan ikke endres.",
        (Step::Sign, _) => "Avtalen er allerede signert. Endringer lagres som en ny versjon.",
        (Step::Evaluate | Step::End, _) => {
            "Et utkast kan ikke evalueres eller avsluttes. Signer avtalen først, eller slett utkastet."
        }
        _ => "Handlingen er ikke tillatt.",
    })
}

/// Signing the current version: a draft becomes active; a new, unsigned version of an
/// agreement in force keeps the agreement's status.
pub fn sign(status: Status, version_signed: bool) -> Result<Status, &'static str> {
    match status {
        Status::Draft if !version_signed => Ok(Status::Active),
        Status::Active | Status::Evaluated if !version_signed => Ok(status),
        Status::Ended => Err("Avtalen er avsluttet og kan ikke endres."),
        _ => Err("Denne versjonen er allerede signert."),
    }
}

/// Evaluating: continue or revise keep the agreement in force, end ends it.
pub fn evaluate(status: Status, outcome: Outcome) -> Result<Status, &'static str> {
    match transition_refusal(status, Step::Evaluate) {
        Some(why) => Err(why),
        None => Ok(outcome.next_status()),
    }
}

/// Ending an agreement in force with a date and a reason.
pub fn end(status: Status) -> Result<Status, &'static str> {
    match transition_refusal(status, Step::End) {
        Some(why) => Err(why),
        None => Ok(Status::Ended),
    }
}

/// How a change is saved: a draft in place, an agreement in force as a new version.
pub fn edit(status: Status) -> Result<Edit, &'static str> {
    match status.edit() {
        Edit::Refused => Err("Avtalen er avsluttet og kan ikke endres."),
        e => Ok(e),
    }
}

/// What the evaluation follow-up is about.
pub fn evaluation_concerns(content: &Content) -> String {
    let names: Vec<&str> = content.parties.iter().map(|p| p.name.as_str()).collect();
    format!("Evaluering av pårørendeavtalen med {}", names.join(", "))
}

/// Six months after signing unless chosen otherwise.
pub fn default_evaluation(signed_on: NaiveDate) -> NaiveDate {
    signed_on
        .checked_add_months(Months::new(6))
        .unwrap_or(signed_on)
}

/// The latest evaluation date allowed: twelve months after `from`.
pub fn latest_evaluation(from: NaiveDate) -> NaiveDate {
    from.checked_add_months(Months::new(12)).unwrap_or(from)
}

/// Why an evaluation date cannot be used, counting from `from` (signing or evaluation).
pub fn evaluation_date_problem(on: NaiveDate, from: NaiveDate, today: NaiveDate) -> Option<String> {
    if on <= today {
        Some("Evalueringsdatoen må være etter i dag.".into())
    } else if on > latest_evaluation(from) {
        Some(format!(
            "Avtalen skal evalueres senest tolv måneder etter signering eller forrige evaluering, altså innen {}.",
            format_date(latest_evaluation(from))
        ))
    } else {
        None
    }
}

/// What the record says today that activation depends on, beyond the version itself.
#[derive(Debug, Clone, Default)]
pub struct ActivationFacts {
    /// The agreement's evaluation date: the one current value, kept on the agreement.
    pub evaluation_on: Option<NaiveDate>,
    /// Child relatives of the patient with no recorded child follow-up (§ 10 a).
    pub children_without_followup: Vec<String>,
    /// The unit's phone and hours, the number to call when the contact person has none.
    pub unit: crate::domain::unit::UnitContact,
}

/// What must be in place before an agreement (or a new version) can be signed: named
/// parties with a consent status each, the patient's capacity answered, a contact person, an
/// evaluation date after today, a children's section that states only what is recorded, and
/// the signatures (or why the patient did not sign).
pub fn activation_problems(
    content: &Content,
    signatures: &Signatures,
    facts: &ActivationFacts,
    today: NaiveDate,
) -> Vec<(&'static str, String)> {
    let mut problems: Vec<(&'static str, String)> = Vec::new();
    let mut add = |field, message: &str| problems.push((field, message.to_string()));
    if content.parties.is_empty() {
        add("relative_ids", "Avtalen må ha minst én navngitt pårørende.");
    }
    match content.capacity.as_str() {
        "can_consent" => {}
        "cannot_consent" if !content.represented_by.trim().is_empty() => {}
        "cannot_consent" => add(
            "represented_by",
            "Skriv hvem som representerer pasienten før avtalen signeres.",
        ),
        _ => add(
            "capacity",
            "Svar på om pasienten kan samtykke selv før avtalen signeres.",
        ),
    }
    match &content.contact {
        None => add("contact_id", "Velg kontaktperson før avtalen signeres."),
        Some(c) if !has_number_to_call(Some(&c.phone), &facts.unit) => add(
            "contact_id",
            "Den pårørende må ha et nummer å ringe: kontaktpersonen har ikke registrert telefon, og tjenestestedet mangler telefon med åpningstid. Registrer telefon på kontaktpersonen (og lagre avtalen på nytt), eller be administrator registrere tjenestestedets telefon og åpningstid.",
        ),
        Some(_) => {}
    }
    let missing: Vec<&str> = content
        .sharing
        .iter()
        .filter(|s| s.scope == "missing")
        .map(|s| s.name.as_str())
        .collect();
    if !missing.is_empty() || content.sharing.len() < content.parties.len() {
        problems.push((
            "sharing",
            format!(
                "Registrer pasientens samtykke for {} før avtalen signeres (også «ikke samtykke» er et svar).",
                if missing.is_empty() { "alle parter".to_string() } else { missing.join(", ") }
            ),
        ));
    }
    if let Some(p) = children_problem(&content.children, &facts.children_without_followup) {
        problems.push(("children", p));
    }
    match facts.evaluation_on {
        None => problems.push((
            "evaluation_on",
            "Avtalen må ha en evalueringsdato.".to_string(),
        )),
        Some(on) => {
            let from = signatures.signed_on().unwrap_or(today);
            if let Some(p) = evaluation_date_problem(on, from, today) {
                problems.push(("evaluation_on", p));
            }
        }
    }
    let mut add = |field, message: &str| problems.push((field, message.to_string()));
    if signatures.relative_on.is_none() {
        add("relative_signed_on", "Skriv datoen den pårørende signerte.");
    }
    if signatures.service_on.is_none() {
        add("service_signed_on", "Skriv datoen tjenesten signerte.");
    }
    if signatures.patient_on.is_none() && signatures.patient_reason.trim().is_empty() {
        add(
            "patient_signed_on",
            "Skriv datoen pasienten signerte, eller hvorfor pasienten ikke signerte.",
        );
    }
    for (field, date) in [
        ("relative_signed_on", signatures.relative_on),
        ("service_signed_on", signatures.service_on),
        ("patient_signed_on", signatures.patient_on),
    ] {
        if date.is_some_and(|d| d > today) {
            add(field, "Signeringsdatoen kan ikke være fram i tid.");
        }
    }
    problems
}

/// Why the children's section cannot be signed as it stands: it still carries the pre-fill's
/// statement that a follow-up is missing, or it is empty while a child relative has no
/// recorded follow-up. Recording the follow-up, or writing the section, resolves it.
pub fn children_problem(children: &str, without_followup: &[String]) -> Option<String> {
    if children.contains(CHILD_FOLLOWUP_MISSING) {
        return Some(
            "Avsnittet om barn sier at oppfølgingen av et barn ikke er registrert. Registrer oppfølgingen av barnet og oppdater avsnittet, eller skriv avsnittet selv."
                .into(),
        );
    }
    if children.trim().is_empty() && !without_followup.is_empty() {
        return Some(format!(
            "Oppfølgingen av {} (barn som pårørende) er ikke registrert. Registrer oppfølgingen, eller skriv selv hva som er gjort for barnet under «Barn i familien».",
            without_followup.join(", ")
        ));
    }
    None
}

/// The signature form as typed.
#[derive(Debug, Clone, Default)]
pub struct SignatureInput<'a> {
    pub relative_signed_on: &'a str,
    pub service_signed_on: &'a str,
    pub patient_signed_on: &'a str,
    pub patient_not_signed_reason: &'a str,
}

impl Signatures {
    /// The signature dates as typed, each a date or a message at its field. Whether they
    /// are enough to activate is `activation_problems`.
    pub fn parse(input: &SignatureInput<'_>) -> (Signatures, FieldErrors) {
        let mut e = FieldErrors::new();
        let sig = Signatures {
            relative_on: f::date(&mut e, "relative_signed_on", input.relative_signed_on, None),
            service_on: f::date(&mut e, "service_signed_on", input.service_signed_on, None),
            patient_on: f::date(&mut e, "patient_signed_on", input.patient_signed_on, None),
            patient_reason: f::line(
                &mut e,
                "patient_not_signed_reason",
                input.patient_not_signed_reason,
                500,
                None,
            ),
        };
        (sig, e)
    }
}

/// The evaluation form as typed. It starts empty: no decision and no date are assumed.
#[derive(Debug, Clone, Default)]
pub struct EvaluationInput<'a> {
    pub evaluated_on: &'a str,
    pub participants: &'a str,
    pub outcome: &'a str,
    pub note: &'a str,
    pub next_evaluation_on: &'a str,
    pub meeting_id: &'a str,
}

/// A valid evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub on: NaiveDate,
    pub participants: String,
    pub outcome: Outcome,
    pub note: String,
    /// The next evaluation; None when the agreement ends.
    pub next: Option<NaiveDate>,
    pub meeting_id: Option<i64>,
}

impl Evaluation {
    /// Parses the evaluation form; `meetings` are the patient's meetings it may refer to.
    pub fn parse(
        input: &EvaluationInput<'_>,
        meetings: &[i64],
        today: NaiveDate,
    ) -> Result<Evaluation, FieldErrors> {
        let mut e = FieldErrors::new();
        let on = f::date(
            &mut e,
            "evaluated_on",
            input.evaluated_on,
            Some("Skriv datoen for evalueringen."),
        );
        f::not_in_future(&mut e, "evaluated_on", on, today, "Evalueringen");
        let participants = f::line(&mut e, "participants", input.participants, 500, None);
        let outcome = Outcome::parse(input.outcome);
        if outcome.is_none() {
            e.add("outcome", "Velg utfallet av evalueringen.");
        }
        let note = f::text(&mut e, "note", input.note, 10_000);
        if outcome == Some(Outcome::End) && note.trim().is_empty() {
            e.add("note", "Skriv hvorfor avtalen avsluttes.");
        }
        let next = f::date(&mut e, "next_evaluation_on", input.next_evaluation_on, None);
        if matches!(outcome, Some(Outcome::Continue | Outcome::Revise)) {
            match next {
                None if !e.has("next_evaluation_on") => {
                    e.add("next_evaluation_on", "Skriv datoen for neste evaluering.")
                }
                Some(d) => {
                    if let Some(p) = evaluation_date_problem(d, on.unwrap_or(today), today) {
                        e.add("next_evaluation_on", p);
                    }
                }
                None => {}
            }
        }
        let meeting_id = match input.meeting_id.trim() {
            "" => None,
            raw => {
                let found = raw.parse::<i64>().ok().filter(|id| meetings.contains(id));
                if found.is_none() {
                    e.add("meeting_id", "Velg et møte fra listen.");
                }
                found
            }
        };
        match (on, outcome) {
            (Some(on), Some(outcome)) if e.is_empty() => Ok(Evaluation {
                on,
                participants,
                outcome,
                note,
                next: if outcome == Outcome::End { None } else { next },
                meeting_id,
            }),
            _ => Err(e),
        }
    }
}

/// A valid ending: the date and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    pub on: NaiveDate,
    pub reason: String,
}

impl Ending {
    /// Parses the ending form, which starts empty.
    pub fn parse(
        ended_on: &str,
        end_reason: &str,
        today: NaiveDate,
    ) -> Result<Ending, FieldErrors> {
        let mut e = FieldErrors::new();
        let on = f::date(
            &mut e,
            "ended_on",
            ended_on,
            Some("Skriv datoen avtalen avsluttes."),
        );
        f::not_in_future(&mut e, "ended_on", on, today, "Sluttdatoen");
        let reason = f::text(&mut e, "end_reason", end_reason, 2000);
        if reason.trim().is_empty() {
            e.add("end_reason", "Skriv hvorfor avtalen avsluttes.");
        }
        match on {
            Some(on) if e.is_empty() => Ok(Ending { on, reason }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Party, Sharing, Staff};
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ready() -> (Content, Signatures, ActivationFacts) {
        let content = Content {
            capacity: "can_consent".into(),
            parties: vec![Party {
                relative_id: 1,
                name: "Kari".into(),
                ..Default::default()
            }],
            contact: Some(Staff {
                user_id: 2,
                name: "Ola".into(),
                phone: "+47 91 23 45 67".into(),
            }),
            sharing: vec![Sharing {
                relative_id: 1,
                name: "Kari".into(),
                scope: "none".into(),
                topics: String::new(),
            }],
            ..Default::default()
        };
        let signatures = Signatures {
            relative_on: Some(d("2026-03-01")),
            service_on: Some(d("2026-03-02")),
            patient_on: None,
            patient_reason: "Pasienten var for syk".into(),
        };
        let facts = ActivationFacts {
            evaluation_on: Some(d("2026-09-01")),
            children_without_followup: vec![],
            unit: Default::default(),
        };
        (content, signatures, facts)
    }

    fn fields(p: Vec<(&'static str, String)>) -> Vec<&'static str> {
        p.into_iter().map(|p| p.0).collect()
    }

    #[test]
    fn a_complete_agreement_can_be_activated() {
        let (c, s, f) = ready();
        assert!(activation_problems(&c, &s, &f, d("2026-03-02")).is_empty());
        assert_eq!(s.signed_on(), Some(d("2026-03-02")));
    }

    #[test]
    fn activation_needs_a_number_the_relative_can_call() {
        let (mut c, s, mut f) = ready();
        if let Some(contact) = c.contact.as_mut() {
            contact.phone.clear();
        }
        let problems = activation_problems(&c, &s, &f, d("2026-03-02"));
        assert_eq!(fields(problems.clone()), ["contact_id"]);
        assert!(problems[0]
            .1
            .starts_with("Den pårørende må ha et nummer å ringe"));
        f.unit.phone = "+47 23 48 00 00".into();
        assert_eq!(
            fields(activation_problems(&c, &s, &f, d("2026-03-02"))),
            ["contact_id"]
        );
        f.unit.phone_hours = "hverdager 08–15.30".into();
        assert!(activation_problems(&c, &s, &f, d("2026-03-02")).is_empty());
    }

    #[test]
    fn activation_needs_contact_evaluation_parties_consent_and_signatures() {
        let (mut c, _, mut f) = ready();
        c.contact = None;
        f.evaluation_on = None;
        c.sharing[0].scope = "missing".into();
        assert_eq!(
            fields(activation_problems(
                &c,
                &Signatures::default(),
                &f,
                d("2026-03-02")
            )),
            vec![
                "contact_id",
                "sharing",
                "evaluation_on",
                "relative_signed_on",
                "service_signed_on",
                "patient_signed_on"
            ]
        );
        c.parties.clear();
        c.sharing.clear();
        assert_eq!(
            activation_problems(&c, &Signatures::default(), &f, d("2026-03-02"))[0].0,
            "relative_ids"
        );
    }

    #[test]
    fn the_patients_capacity_must_be_answered_and_a_representative_named() {
        let (mut c, s, f) = ready();
        let today = d("2026-03-02");
        c.capacity.clear();
        c.patient_capacity = "Pasienten kan samtykke selv.".into();
        let p = activation_problems(&c, &s, &f, today);
        assert_eq!(
            p,
            vec![(
                "capacity",
                "Svar på om pasienten kan samtykke selv før avtalen signeres.".to_string()
            )]
        );
        c.capacity = "cannot_consent".into();
        assert_eq!(
            fields(activation_problems(&c, &s, &f, today)),
            ["represented_by"]
        );
        c.represented_by = "Datteren Kari (fremtidsfullmakt)".into();
        assert!(activation_problems(&c, &s, &f, today).is_empty());
    }

    #[test]
    fn a_child_without_recorded_follow_up_blocks_activation_until_written_or_recorded() {
        let (mut c, s, mut f) = ready();
        let today = d("2026-03-02");
        f.children_without_followup = vec!["Jonas".into()];
        assert_eq!(fields(activation_problems(&c, &s, &f, today)), ["children"]);
        c.children = format!("Jonas (barnebarn): {CHILD_FOLLOWUP_MISSING}.");
        assert_eq!(fields(activation_problems(&c, &s, &f, today)), ["children"]);
        // The worker writes the section themselves.
        c.children = "Jonas har snakket med helsesykepleier på skolen.".into();
        assert!(activation_problems(&c, &s, &f, today).is_empty());
        // The follow-up is recorded later, but the pre-filled sentence would still say it
        // is missing: the section must be brought up to date first.
        f.children_without_followup.clear();
        c.children = format!("Jonas (barnebarn): {CHILD_FOLLOWUP_MISSING}.");
        assert_eq!(fields(activation_problems(&c, &s, &f, today)), ["children"]);
        c.children.clear();
        assert!(activation_problems(&c, &s, &f, today).is_empty());
    }

    #[test]
    fn the_evaluation_date_is_after_today_and_within_twelve_months() {
        let today = d("2026-03-02");
        assert!(evaluation_date_problem(today, today, today).is_some());
        assert!(evaluation_date_problem(d("2027-03-02"), today, today).is_none());
        assert_eq!(
            evaluation_date_problem(d("2027-03-03"), today, today).unwrap(),
            "Avtalen skal evalueres senest tolv måneder etter signering eller forrige evaluering, altså innen 02.03.2027."
        );
        assert_eq!(default_evaluation(d("2026-08-31")), d("2027-02-28"));
    }

    #[test]
    fn lifecycle_steps_return_the_new_state_or_why_not() {
        assert_eq!(sign(Status::Draft, false), Ok(Status::Active));
        assert_eq!(sign(Status::Evaluated, false), Ok(Status::Evaluated));
        assert!(sign(Status::Active, true).is_err());
        assert!(sign(Status::Ended, false).is_err());
        assert!(evaluate(Status::Draft, Outcome::Continue).is_err());
        assert_eq!(
            evaluate(Status::Active, Outcome::Revise),
            Ok(Status::Evaluated)
        );
        assert_eq!(evaluate(Status::Evaluated, Outcome::End), Ok(Status::Ended));
        assert_eq!(end(Status::Evaluated), Ok(Status::Ended));
        assert!(end(Status::Ended).is_err());
        assert!(end(Status::Draft).is_err());
        assert_eq!(edit(Status::Draft), Ok(Edit::InPlace));
        assert_eq!(edit(Status::Active), Ok(Edit::NewVersion));
        assert!(edit(Status::Ended).is_err());
        assert_eq!(transition_refusal(Status::Draft, Step::Delete), None);
        for s in [Status::Active, Status::Evaluated, Status::Ended] {
            assert!(transition_refusal(s, Step::Delete).is_some());
        }
    }

    #[test]
    fn the_evaluation_and_ending_forms_assume_nothing() {
        let today = d("2026-03-02");
        let e = Evaluation::parse(&EvaluationInput::default(), &[], today).unwrap_err();
        assert_eq!(
            e.get("evaluated_on"),
            Some("Skriv datoen for evalueringen.")
        );
        assert_eq!(e.get("outcome"), Some("Velg utfallet av evalueringen."));
        let ok = Evaluation::parse(
            &EvaluationInput {
                evaluated_on: "02.03.2026",
                outcome: "revise",
                next_evaluation_on: "01.09.2026",
                meeting_id: "7",
                ..Default::default()
            },
            &[7],
            today,
        )
        .unwrap();
        assert_eq!(ok.outcome, Outcome::Revise);
        assert_eq!(ok.next, Some(d("2026-09-01")));
        assert_eq!(ok.meeting_id, Some(7));
        let e = Ending::parse("", "", today).unwrap_err();
        assert_eq!(e.get("ended_on"), Some("Skriv datoen avtalen avsluttes."));
        assert_eq!(
            e.get("end_reason"),
            Some("Skriv hvorfor avtalen avsluttes.")
        );
        assert_eq!(
            Ending::parse("01.03.2026", "Flyttet", today),
            Ok(Ending {
                on: d("2026-03-01"),
                reason: "Flyttet".into()
            })
        );
    }
}
