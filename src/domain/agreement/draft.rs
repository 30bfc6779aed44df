//! The agreement's form parsed once into a valid draft, or a message at each bad field.

use super::{Content, Measure, Party, Sharing, Staff, CAPACITY, CONTACT_MEANS, PATIENT_SECTIONS};
use crate::domain::choices::{self, label};
use crate::domain::dates::format_date;
use crate::domain::forms as f;
use crate::domain::relative::Age;
use crate::domain::validation::FieldErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The longest text a section may hold.
pub const SECTION_MAX: usize = 20_000;

/// The form's fields in the order they appear, for ordering messages.
pub const FIELDS: &[&str] = &[
    "lock",
    "relative_ids",
    "capacity",
    "represented_by",
    "contact_id",
    "deputy_id",
    "reachable",
    "background",
    "matters_patient",
    "matters_relative",
    "relative_does",
    "relative_declines",
    "service_patient",
    "service_relative",
    "contact_means",
    "contact_rhythm",
    "contact_frequency",
    "contact_initiative",
    "next_meeting_on",
    "referral_ids",
    "support_note",
    "acute",
    "children",
    "evaluation_on",
    "valid_until",
    "within_consent",
];

/// The agreement's form as typed (or as pre-filled, or as a stored version shows it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgreementInput {
    pub lock: String,
    pub relative_ids: Vec<String>,
    pub capacity: String,
    pub represented_by: String,
    pub contact_id: String,
    pub deputy_id: String,
    pub reachable: String,
    pub background: String,
    pub matters_patient: String,
    pub matters_relative: String,
    pub relative_does: String,
    pub relative_declines: String,
    pub service_patient: String,
    pub service_relative: String,
    pub contact_means: Vec<String>,
    pub contact_rhythm: String,
    pub contact_frequency: String,
    pub contact_initiative: String,
    pub next_meeting_on: String,
    pub referral_ids: Vec<String>,
    pub support_note: String,
    pub decision_applied: bool,
    pub acute: String,
    pub children: String,
    pub evaluation_on: String,
    pub valid_until: String,
    pub within_consent: Vec<String>,
}

impl AgreementInput {
    /// The form for editing a version. The evaluation date is the agreement's current one
    /// (evaluations move it), never the date the version was written with.
    pub fn of(c: &Content, evaluation_on: Option<NaiveDate>, lock: i64) -> AgreementInput {
        let date = |d: Option<NaiveDate>| d.map(format_date).unwrap_or_default();
        AgreementInput {
            lock: lock.to_string(),
            relative_ids: c
                .parties
                .iter()
                .map(|p| p.relative_id.to_string())
                .collect(),
            capacity: c.capacity.clone(),
            represented_by: c.represented_by.clone(),
            contact_id: c
                .contact
                .as_ref()
                .map(|s| s.user_id.to_string())
                .unwrap_or_default(),
            deputy_id: c
                .deputy
                .as_ref()
                .map(|s| s.user_id.to_string())
                .unwrap_or_default(),
            reachable: c.reachable.clone(),
            background: c.background.clone(),
            matters_patient: c.matters_patient.clone(),
            matters_relative: c.matters_relative.clone(),
            relative_does: c.relative_does.clone(),
            relative_declines: c.relative_declines.clone(),
            service_patient: c.service_patient.clone(),
            service_relative: c.service_relative.clone(),
            contact_means: c.contact_means.clone(),
            contact_rhythm: c
                .contact_rhythm
                .map(|r| r.key().to_string())
                .unwrap_or_default(),
            contact_frequency: c.contact_frequency.clone(),
            contact_initiative: c.contact_initiative.clone(),
            next_meeting_on: date(c.next_meeting_on),
            referral_ids: c
                .measures
                .iter()
                .filter_map(|m| m.referral_id)
                .map(|i| i.to_string())
                .collect(),
            support_note: c.support_note.clone(),
            decision_applied: c.decision_applied,
            acute: c.acute.clone(),
            children: c.children.clone(),
            evaluation_on: date(evaluation_on),
            valid_until: date(c.valid_until),
            within_consent: c.within_consent.clone(),
        }
    }
}

/// A registered relative as the agreement sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub relative_id: i64,
    pub name: String,
    pub relation: String,
    pub relation_other: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub closest: bool,
    pub age: Age,
    /// "yes", "no" or "unclear".
    pub involvement: String,
    /// The consent in force: "full", "limited", "none" or "missing", and its topics.
    pub consent: (String, String),
}

impl Candidate {
    /// Why this relative cannot be a party, if so: parties are relatives aged 18 or over
    /// who have said yes to involvement.
    pub fn party_problem(&self) -> Option<String> {
        match self.age {
            Age::Child => Some(format!(
                "{} er under 18 år og kan ikke være part i avtalen. Barn omtales under «Barn i familien».",
                self.name
            )),
            Age::Unknown => Some(format!(
                "Alderen til {} er ikke registrert. Registrer fødselsdato eller aldersgruppe før {} kan være part.",
                self.name, self.name
            )),
            Age::Adult if self.involvement != "yes" => Some(format!(
                "{} har ikke sagt ja til å bli involvert og kan ikke være part i avtalen.",
                self.name
            )),
            Age::Adult => None,
        }
    }
}

/// A referral the agreement may list as a support measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    pub id: i64,
    pub relative_id: i64,
    pub offer: String,
    pub state: String,
}

/// What the draft is checked against: the patient's relatives, the unit's staff, the
/// referrals, and where the twelve months to the evaluation count from.
#[derive(Debug, Clone, Default)]
pub struct DraftContext {
    pub patient_name: String,
    pub unit_name: String,
    pub relatives: Vec<Candidate>,
    pub staff: Vec<Staff>,
    pub referrals: Vec<Referral>,
}

/// A valid draft: the contents of a version and the agreement's evaluation date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementDraft {
    pub content: Content,
}

impl AgreementDraft {
    pub fn evaluation_on(&self) -> Option<NaiveDate> {
        self.content.evaluation_on
    }

    pub fn party_ids(&self) -> Vec<i64> {
        self.content.parties.iter().map(|p| p.relative_id).collect()
    }

    pub fn contact_id(&self) -> Option<i64> {
        self.content.contact.as_ref().map(|s| s.user_id)
    }

    pub fn deputy_id(&self) -> Option<i64> {
        self.content.deputy.as_ref().map(|s| s.user_id)
    }

    /// Parses the form. The evaluation date must lie after today and within twelve months.
    pub fn parse(
        input: &AgreementInput,
        ctx: &DraftContext,
        today: NaiveDate,
    ) -> Result<AgreementDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let mut parties = Vec::new();
        let mut sharing = Vec::new();
        for raw in &input.relative_ids {
            let Some(r) = raw
                .trim()
                .parse::<i64>()
                .ok()
                .and_then(|id| ctx.relatives.iter().find(|r| r.relative_id == id))
            else {
                e.add("relative_ids", "Velg pårørende blant pasientens pårørende.");
                continue;
            };
            if let Some(why) = r.party_problem() {
                e.add("relative_ids", why);
                continue;
            }
            if parties
                .iter()
                .any(|p: &Party| p.relative_id == r.relative_id)
            {
                continue;
            }
            parties.push(Party {
                relative_id: r.relative_id,
                name: r.name.clone(),
                relation: r.relation.clone(),
                relation_other: r.relation_other.clone(),
                phone: r.phone.clone(),
                email: r.email.clone(),
                address: r.address.clone(),
                closest: r.closest,
            });
            sharing.push(Sharing {
                relative_id: r.relative_id,
                name: r.name.clone(),
                scope: r.consent.0.clone(),
                topics: r.consent.1.clone(),
            });
        }
        if parties.is_empty() && !e.has("relative_ids") {
            e.add(
                "relative_ids",
                "Velg hvilke pårørende avtalen gjelder (minst én).",
            );
        }
        let capacity = input.capacity.trim().to_string();
        if !capacity.is_empty() && !choices::is_valid(CAPACITY, &capacity) {
            e.add("capacity", "Velg om pasienten kan samtykke selv.");
        }
        let represented_by = f::line(&mut e, "represented_by", &input.represented_by, 300, None);
        // Kept only when the patient cannot consent.
        let represented_by = if capacity == "cannot_consent" {
            represented_by
        } else {
            String::new()
        };
        let contact = pick_staff(
            &mut e,
            "contact_id",
            &input.contact_id,
            &ctx.staff,
            "Velg kontaktperson blant de ansatte på tjenestestedet.",
        );
        let deputy = pick_staff(
            &mut e,
            "deputy_id",
            &input.deputy_id,
            &ctx.staff,
            "Velg stedfortreder blant de ansatte på tjenestestedet.",
        );
        if deputy.is_some()
            && deputy.as_ref().map(|s| s.user_id) == contact.as_ref().map(|s| s.user_id)
        {
            e.add(
                "deputy_id",
                "Stedfortrederen må være en annen enn kontaktpersonen.",
            );
        }
        let long =
            |e: &mut FieldErrors, field: &str, raw: &str| f::text(e, field, raw, SECTION_MAX);
        let reachable = f::line(&mut e, "reachable", &input.reachable, 300, None);
        let background = long(&mut e, "background", &input.background);
        let matters_patient = long(&mut e, "matters_patient", &input.matters_patient);
        let matters_relative = long(&mut e, "matters_relative", &input.matters_relative);
        let relative_does = long(&mut e, "relative_does", &input.relative_does);
        let relative_declines = long(&mut e, "relative_declines", &input.relative_declines);
        let both = conflicting_tasks(&relative_does, &relative_declines);
        if !both.is_empty() {
            e.add(
                "relative_does",
                format!(
                    "«{}» står både under det den pårørende ønsker og kan gjøre og under det den pårørende ikke ønsker å gjøre. Ta det bort fra ett av feltene.",
                    both.join("», «")
                ),
            );
        }
        let service_patient = long(&mut e, "service_patient", &input.service_patient);
        let service_relative = long(&mut e, "service_relative", &input.service_relative);
        let mut contact_means = Vec::new();
        for m in &input.contact_means {
            if choices::is_valid(CONTACT_MEANS, m) {
                if !contact_means.contains(m) {
                    contact_means.push(m.clone());
                }
            } else {
                e.add(
                    "contact_means",
                    "Velg hvordan dere holder kontakten fra listen.",
                );
            }
        }
        let contact_rhythm = super::rhythm::Rhythm::parse(input.contact_rhythm.trim());
        if contact_rhythm.is_none() {
            e.add("contact_rhythm", "Velg hvor ofte dere holder kontakten.");
        }
        let contact_frequency = f::line(
            &mut e,
            "contact_frequency",
            &input.contact_frequency,
            300,
            None,
        );
        let contact_initiative = f::line(
            &mut e,
            "contact_initiative",
            &input.contact_initiative,
            300,
            None,
        );
        let next_meeting_on = f::date(&mut e, "next_meeting_on", &input.next_meeting_on, None);
        f::not_in_past(
            &mut e,
            "next_meeting_on",
            next_meeting_on,
            today,
            "Datoen for neste møte",
        );
        let mut measures: Vec<Measure> = Vec::new();
        for raw in &input.referral_ids {
            match raw
                .trim()
                .parse::<i64>()
                .ok()
                .and_then(|id| ctx.referrals.iter().find(|r| r.id == id))
            {
                Some(r) if parties.iter().any(|p| p.relative_id == r.relative_id) => {
                    if !measures.iter().any(|m| m.referral_id == Some(r.id)) {
                        measures.push(Measure {
                            referral_id: Some(r.id),
                            offer: r.offer.clone(),
                            state: r.state.clone(),
                        });
                    }
                }
                Some(_) => e.add(
                    "referral_ids",
                    "Velg bare henvisninger for de pårørende avtalen gjelder.",
                ),
                None => e.add("referral_ids", "Velg tiltak fra listen."),
            }
        }
        let support_note = long(&mut e, "support_note", &input.support_note);
        let acute = long(&mut e, "acute", &input.acute);
        let children = long(&mut e, "children", &input.children);
        let evaluation_on = f::date(
            &mut e,
            "evaluation_on",
            &input.evaluation_on,
            Some("Skriv datoen avtalen skal evalueres (normalt seks måneder etter signering)."),
        );
        if let Some(on) = evaluation_on {
            if let Some(p) = super::evaluation_date_problem(on, today, today) {
                e.add("evaluation_on", p);
            }
        }
        let valid_until = f::date(&mut e, "valid_until", &input.valid_until, None);
        if valid_until.is_some_and(|d| d <= today) {
            e.add("valid_until", "Gyldighetsdatoen må være etter i dag.");
        }
        let mut within_consent = Vec::new();
        for s in &input.within_consent {
            if choices::is_valid(PATIENT_SECTIONS, s) {
                if !within_consent.contains(s) {
                    within_consent.push(s.clone());
                }
            } else {
                e.add("within_consent", "Velg avsnitt fra listen.");
            }
        }
        e.order_by(FIELDS);
        e.into_result(|| AgreementDraft {
            content: Content {
                patient_name: ctx.patient_name.clone(),
                capacity,
                represented_by,
                patient_capacity: String::new(),
                parties,
                unit_name: ctx.unit_name.clone(),
                contact,
                deputy,
                reachable,
                background,
                matters_patient,
                matters_relative,
                relative_does,
                relative_declines,
                service_patient,
                service_relative,
                contact_means,
                contact_rhythm,
                contact_frequency,
                contact_initiative,
                next_meeting_on,
                sharing,
                measures,
                support_note,
                decision_applied: input.decision_applied,
                acute,
                children,
                evaluation_on,
                valid_until,
                within_consent,
            },
        })
    }
}

fn pick_staff(
    e: &mut FieldErrors,
    field: &str,
    raw: &str,
    staff: &[Staff],
    msg: &str,
) -> Option<Staff> {
    let ids: Vec<i64> = staff.iter().map(|s| s.user_id).collect();
    let id = f::chosen_id(e, field, raw, &ids, false, msg)?;
    staff.iter().find(|s| s.user_id == id).cloned()
}

/// Words by which each care task is recognised in free text.
const TASK_WORDS: &[(&str, &[&str])] = &[
    ("practical", &["praktisk hjelp", "husarbeid", "rengjøring"]),
    ("personal", &["personlig stell", "stell", "dusj", "dusjing"]),
    ("medicines", &["legemidler", "medisiner"]),
    ("finances", &["økonomi", "papirarbeid"]),
    ("transport", &["transport", "følge til"]),
    ("supervision", &["tilsyn"]),
    ("emotional", &["følelsesmessig støtte"]),
    ("coordination", &["koordinering"]),
];

fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether `text` mentions `phrase` as whole words.
fn mentions(text: &[String], phrase: &str) -> bool {
    let phrase = words(phrase);
    !phrase.is_empty() && text.windows(phrase.len()).any(|w| w == phrase.as_slice())
}

/// Whether a free text names the care task `key`.
pub fn names_task(text: &str, key: &str) -> bool {
    let text = words(text);
    TASK_WORDS
        .iter()
        .find(|(k, _)| *k == key)
        .is_some_and(|(_, ws)| ws.iter().any(|w| mentions(&text, w)))
}

/// The care tasks (their labels) that a "will do" text and a "will not do" text both name.
pub fn conflicting_tasks(does: &str, declines: &str) -> Vec<&'static str> {
    TASK_WORDS
        .iter()
        .filter(|(k, _)| names_task(does, k) && names_task(declines, k))
        .map(|(k, _)| label(choices::CARE_TASKS, k))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn candidate(id: i64, name: &str, age: Age, involvement: &str) -> Candidate {
        Candidate {
            relative_id: id,
            name: name.into(),
            relation: "child".into(),
            relation_other: String::new(),
            phone: "98765432".into(),
            email: String::new(),
            address: String::new(),
            closest: false,
            age,
            involvement: involvement.into(),
            consent: ("full".into(), String::new()),
        }
    }

    fn context() -> DraftContext {
        DraftContext {
            patient_name: "Per".into(),
            unit_name: "Hjemmetjenesten".into(),
            relatives: vec![
                candidate(1, "Kari", Age::Adult, "yes"),
                candidate(2, "Jonas", Age::Child, "yes"),
                candidate(3, "Nils", Age::Adult, "no"),
                candidate(4, "Ukjent Alder", Age::Unknown, "yes"),
                candidate(5, "Liv", Age::Adult, "unclear"),
            ],
            staff: vec![Staff {
                user_id: 9,
                name: "Ola".into(),
                phone: "23480000".into(),
            }],
            referrals: vec![],
        }
    }

    fn input(relatives: &[&str]) -> AgreementInput {
        AgreementInput {
            relative_ids: relatives.iter().map(|s| s.to_string()).collect(),
            contact_id: "9".into(),
            contact_rhythm: "monthly".into(),
            evaluation_on: "01.09.2026".into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_contact_rhythm_is_one_of_the_choices() {
        let today = d("2026-03-02");
        let ok = AgreementDraft::parse(&input(&["1"]), &context(), today).unwrap();
        assert_eq!(
            ok.content.contact_rhythm,
            Some(super::super::rhythm::Rhythm::Monthly)
        );
        for bad in ["", "daily"] {
            let mut i = input(&["1"]);
            i.contact_rhythm = bad.into();
            let e = AgreementDraft::parse(&i, &context(), today).unwrap_err();
            assert_eq!(
                e.get("contact_rhythm"),
                Some("Velg hvor ofte dere holder kontakten.")
            );
        }
    }

    #[test]
    fn parties_are_adults_who_said_yes_to_involvement() {
        let today = d("2026-03-02");
        let ok = AgreementDraft::parse(&input(&["1"]), &context(), today).unwrap();
        assert_eq!(ok.party_ids(), [1]);
        assert_eq!(ok.contact_id(), Some(9));
        for (id, message) in [
            ("2", "Jonas er under 18 år og kan ikke være part i avtalen. Barn omtales under «Barn i familien»."),
            ("3", "Nils har ikke sagt ja til å bli involvert og kan ikke være part i avtalen."),
            ("4", "Alderen til Ukjent Alder er ikke registrert. Registrer fødselsdato eller aldersgruppe før Ukjent Alder kan være part."),
            ("5", "Liv har ikke sagt ja til å bli involvert og kan ikke være part i avtalen."),
        ] {
            let e = AgreementDraft::parse(&input(&["1", id]), &context(), today).unwrap_err();
            assert_eq!(e.get("relative_ids"), Some(message), "relative {id}");
        }
    }

    #[test]
    fn the_same_task_cannot_be_both_wanted_and_declined() {
        let today = d("2026-03-02");
        let mut i = input(&["1"]);
        i.relative_does =
            "Praktisk hjelp i hjemmet, Personlig stell (om lag 10 timer i uka).".into();
        i.relative_declines = "Vil ikke gjøre personlig stell.".into();
        let e = AgreementDraft::parse(&i, &context(), today).unwrap_err();
        assert_eq!(
            e.get("relative_does"),
            Some("«Personlig stell» står både under det den pårørende ønsker og kan gjøre og under det den pårørende ikke ønsker å gjøre. Ta det bort fra ett av feltene.")
        );
        i.relative_does = "Praktisk hjelp i hjemmet (om lag 10 timer i uka).".into();
        assert!(AgreementDraft::parse(&i, &context(), today).is_ok());
        assert_eq!(
            conflicting_tasks("Bestiller varer", "stellet"),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn capacity_is_a_choice_and_the_representative_only_when_the_patient_cannot_consent() {
        let today = d("2026-03-02");
        let mut i = input(&["1"]);
        assert_eq!(
            AgreementDraft::parse(&i, &context(), today)
                .unwrap()
                .content
                .capacity,
            ""
        );
        i.capacity = "maybe".into();
        assert_eq!(
            AgreementDraft::parse(&i, &context(), today)
                .unwrap_err()
                .get("capacity"),
            Some("Velg om pasienten kan samtykke selv.")
        );
        i.capacity = "can_consent".into();
        i.represented_by = "Kari".into();
        let c = AgreementDraft::parse(&i, &context(), today)
            .unwrap()
            .content;
        assert_eq!(
            (c.capacity.as_str(), c.represented_by.as_str()),
            ("can_consent", "")
        );
    }

    #[test]
    fn a_stored_version_comes_back_to_the_form_with_the_agreements_current_date() {
        let today = d("2026-03-02");
        let mut i = input(&["1"]);
        i.capacity = "can_consent".into();
        let draft = AgreementDraft::parse(&i, &context(), today).unwrap();
        let back = AgreementInput::of(&draft.content, Some(d("2026-12-01")), 4);
        assert_eq!(back.evaluation_on, "01.12.2026");
        assert_eq!(back.lock, "4");
        assert_eq!(back.relative_ids, ["1"]);
        assert_eq!(back.capacity, "can_consent");
        assert_eq!(back.contact_id, "9");
    }
}
