//! Meetings: the meeting form parsed once into a draft, and the rule that a meeting is
//! completed only with minutes and an agreed next step.

use super::forms as f;
use super::validation::FieldErrors;
use chrono::{NaiveDate, NaiveTime};

/// Where a meeting stands: a draft is edited until it is completed, then it is the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MeetingStatus {
    Draft,
    Completed,
}

impl MeetingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingStatus::Draft => "draft",
            MeetingStatus::Completed => "completed",
        }
    }
}

/// A stored status that is neither is an error, never a draft by default.
impl TryFrom<String> for MeetingStatus {
    type Error = String;
    fn try_from(code: String) -> Result<MeetingStatus, String> {
        match code.as_str() {
            "draft" => Ok(MeetingStatus::Draft),
            "completed" => Ok(MeetingStatus::Completed),
            other => Err(format!("unknown meeting status {other:?}")),
        }
    }
}

/// What the completion form brings.
#[derive(Debug, Clone, Default)]
pub struct Completion<'a> {
    pub minutes: &'a str,
    /// Number of next steps agreed (follow-ups, an evaluation date or a new meeting).
    pub next_steps: usize,
    pub first_meeting: bool,
    pub informed_rights: bool,
}

/// The reasons a meeting cannot be completed, as (field, message); empty when it can.
pub fn completion_problems(c: &Completion<'_>) -> Vec<(&'static str, &'static str)> {
    let mut problems = Vec::new();
    if c.minutes.trim().is_empty() {
        problems.push((
            "minutes",
            "Skriv referat før møtet fullføres. Et møte skal alltid ha referat.",
        ));
    }
    if c.next_steps == 0 {
        problems.push((
            "next_due",
            "Avtal et neste steg før møtet fullføres: en oppfølging med frist og ansvarlig, en evalueringsdato eller et nytt møte. Et møte skal aldri avsluttes uten avtale om oppfølging.",
        ));
    }
    if c.first_meeting && !c.informed_rights {
        problems.push((
            "informed_rights",
            "I første samtale skal pårørende informeres om sine rettigheter og tilbudene som finnes. Kryss av når det er gjort.",
        ));
    }
    problems
}

/// The first conversation's checklist (the national guide for the first conversation with
/// relatives), recorded with the minutes. Information about rights and offers is its own
/// field (`informed_rights`), required to complete a first conversation.
pub const CHECKLIST: &[(&str, &str)] = &[
    ("consent", "Samtykke er avklart med pasienten"),
    ("roles", "Den pårørendes roller og ønsker er snakket om"),
    ("children", "Spurt om barn og søsken under 18 år"),
    ("offers", "Støttetilbud er presentert"),
    ("contact_person", "En kontaktperson er navngitt"),
    ("next_contact", "Neste kontakt er avtalt"),
];

/// The points of the checklist not gone through, as their labels.
pub fn checklist_left(checklist: &str) -> Vec<&'static str> {
    let done = super::choices::split(checklist);
    CHECKLIST
        .iter()
        .filter(|(k, _)| !done.contains(k))
        .map(|(_, l)| *l)
        .collect()
}

/// Whether a meeting's minutes may be printed for a relative who took part: the minutes are
/// about the patient, so only a relative with the patient's full consent gets them. With a
/// limited consent the minutes cannot be sorted topic by topic, so they are left out too.
pub fn minutes_may_print(consent_scope: Option<&str>) -> bool {
    consent_scope == Some("full")
}

/// The meeting form's fields in the order they appear, for ordering messages.
pub const FIELDS: &[&str] = &[
    "kind",
    "date",
    "time",
    "place",
    "relative_ids",
    "staff",
    "minutes",
    "informed_rights",
    "next_due",
    "next_owner_id",
    "next_kind",
    "next_concerns",
    "evaluation_on",
    "new_meeting_on",
];

/// The meeting form as typed; `complete` when the user asked to complete the meeting.
#[derive(Debug, Clone, Default)]
pub struct MeetingFormInput<'a> {
    pub kind: &'a str,
    pub date: &'a str,
    pub time: &'a str,
    pub place: &'a str,
    pub patient_present: bool,
    pub relative_ids: &'a [String],
    pub staff: &'a str,
    pub minutes: &'a str,
    pub informed_rights: bool,
    pub checklist: &'a [String],
    pub next_due: &'a str,
    pub next_owner_id: &'a str,
    pub next_kind: &'a str,
    pub next_concerns: &'a str,
    pub evaluation_on: &'a str,
    pub new_meeting_on: &'a str,
    pub complete: bool,
}

/// The next steps agreed in a meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NextSteps {
    /// A follow-up: (due, owner, kind, what it concerns).
    pub followup: Option<(NaiveDate, i64, String, String)>,
    pub evaluation_on: Option<NaiveDate>,
    pub new_meeting_on: Option<NaiveDate>,
}

impl NextSteps {
    pub fn count(&self) -> usize {
        usize::from(self.followup.is_some())
            + usize::from(self.evaluation_on.is_some())
            + usize::from(self.new_meeting_on.is_some())
    }
}

/// A valid meeting (and, when completing, one that may be completed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingDraft {
    pub kind: String,
    pub date: NaiveDate,
    pub time: NaiveTime,
    /// Where the meeting is held (for the invitation); empty when not decided.
    pub place: String,
    pub patient_present: bool,
    pub relative_ids: Vec<i64>,
    pub staff: String,
    pub minutes: String,
    pub informed_rights: bool,
    /// Keys of CHECKLIST gone through, comma-separated.
    pub checklist: String,
    pub next: NextSteps,
    pub complete: bool,
}

impl MeetingDraft {
    /// Parses the form: participants among the patient's `relatives`, a follow-up owner on
    /// the unit's `staff`, next dates not before today, and the completion rule.
    pub fn parse(
        form: &MeetingFormInput<'_>,
        relatives: &[i64],
        staff: &[i64],
        today: NaiveDate,
    ) -> Result<MeetingDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = f::choice(
            &mut e,
            "kind",
            form.kind,
            super::choices::MEETING_KINDS,
            "Velg type møte.",
        );
        let date = f::date(&mut e, "date", form.date, Some("Skriv datoen for møtet."));
        let time = match form.time.trim() {
            "" => NaiveTime::from_hms_opt(10, 0, 0),
            t => {
                let parsed = NaiveTime::parse_from_str(t, "%H:%M")
                    .or_else(|_| NaiveTime::parse_from_str(t, "%H.%M"))
                    .ok();
                if parsed.is_none() {
                    e.add("time", "Skriv klokkeslettet som tt:mm, f.eks. 14:30.");
                }
                parsed
            }
        };
        let mut relative_ids = Vec::new();
        for raw in form.relative_ids {
            match raw
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|id| relatives.contains(id))
            {
                Some(id) if !relative_ids.contains(&id) => relative_ids.push(id),
                Some(_) => {}
                None => e.add("relative_ids", "Velg deltakere blant pasientens pårørende."),
            }
        }
        let staff_text = f::line(&mut e, "staff", form.staff, 500, None);
        let place = f::line(&mut e, "place", form.place, 200, None);
        let minutes = f::text(&mut e, "minutes", form.minutes, 20000);
        let mut next = NextSteps::default();
        if let Some(due) = f::date(&mut e, "next_due", form.next_due, None) {
            f::not_in_past(&mut e, "next_due", Some(due), today, "Fristen");
            let owner_id = f::chosen_id(
                &mut e,
                "next_owner_id",
                form.next_owner_id,
                staff,
                true,
                "Velg hvem som har ansvaret for oppfølgingen.",
            );
            let next_kind = if form.next_kind.is_empty() {
                "call"
            } else {
                form.next_kind
            };
            let next_kind = f::choice(
                &mut e,
                "next_kind",
                next_kind,
                super::choices::FOLLOWUP_KINDS,
                "Velg type oppfølging.",
            );
            let concerns = f::line(
                &mut e,
                "next_concerns",
                form.next_concerns,
                300,
                Some("Skriv hva oppfølgingen gjelder."),
            );
            if let Some(owner_id) = owner_id {
                next.followup = Some((due, owner_id, next_kind, concerns));
            }
        }
        next.evaluation_on = f::date(&mut e, "evaluation_on", form.evaluation_on, None);
        next.new_meeting_on = f::date(&mut e, "new_meeting_on", form.new_meeting_on, None);
        for (field, d) in [
            ("evaluation_on", next.evaluation_on),
            ("new_meeting_on", next.new_meeting_on),
        ] {
            f::not_in_past(&mut e, field, d, today, "Datoen");
        }
        if form.complete {
            let c = Completion {
                minutes: &minutes,
                next_steps: next.count(),
                first_meeting: kind == "first",
                informed_rights: form.informed_rights,
            };
            for (field, message) in completion_problems(&c) {
                e.add(field, message);
            }
        }
        e.order_by(FIELDS);
        match (date, time) {
            (Some(date), Some(time)) if e.is_empty() => Ok(MeetingDraft {
                kind,
                date,
                time,
                patient_present: form.patient_present,
                relative_ids,
                staff: staff_text,
                minutes,
                informed_rights: form.informed_rights,
                place,
                checklist: {
                    let chosen: Vec<&str> = form.checklist.iter().map(String::as_str).collect();
                    super::choices::join_valid(CHECKLIST, &chosen)
                },
                next,
                complete: form.complete,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_meeting_form_is_parsed_once_with_its_next_steps() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let ids = vec!["3".to_string(), "3".to_string()];
        let form = MeetingFormInput {
            kind: "first",
            date: "02.03.2026",
            relative_ids: &ids,
            minutes: "Referat",
            informed_rights: true,
            next_due: "09.03.2026",
            next_owner_id: "7",
            next_concerns: "Ring Kari",
            complete: true,
            ..Default::default()
        };
        let d = MeetingDraft::parse(&form, &[3], &[7], today).unwrap();
        assert_eq!(d.relative_ids, [3]);
        assert_eq!(d.time, NaiveTime::from_hms_opt(10, 0, 0).unwrap());
        assert_eq!(
            d.next.followup,
            Some((
                NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
                7,
                "call".into(),
                "Ring Kari".into()
            ))
        );
        let bad = MeetingFormInput {
            next_due: "01.03.2026",
            next_owner_id: "8",
            time: "25:99",
            ..form
        };
        let e = MeetingDraft::parse(&bad, &[3], &[7], today).unwrap_err();
        assert_eq!(
            e.get("next_due"),
            Some("Fristen kan ikke være tilbake i tid.")
        );
        assert_eq!(
            e.get("next_owner_id"),
            Some("Velg hvem som har ansvaret for oppfølgingen.")
        );
        assert_eq!(
            e.get("time"),
            Some("Skriv klokkeslettet som tt:mm, f.eks. 14:30.")
        );
    }

    use super::*;

    #[test]
    fn only_full_consent_gets_the_minutes() {
        assert!(minutes_may_print(Some("full")));
        assert!(!minutes_may_print(Some("limited")));
        assert!(!minutes_may_print(Some("none")));
        assert!(!minutes_may_print(None));
    }

    #[test]
    fn the_checklist_keeps_known_points_and_names_those_left() {
        assert_eq!(
            checklist_left("consent,children,offers,contact_person,next_contact"),
            ["Den pårørendes roller og ønsker er snakket om"]
        );
        assert_eq!(checklist_left("").len(), 6);
        assert!(
            checklist_left("consent,roles,children,offers,contact_person,next_contact").is_empty()
        );
    }

    #[test]
    fn a_meeting_status_is_read_back_as_written_and_nothing_else() {
        for status in [MeetingStatus::Draft, MeetingStatus::Completed] {
            assert_eq!(
                MeetingStatus::try_from(status.as_str().to_string()),
                Ok(status)
            );
        }
        assert_eq!(
            MeetingStatus::try_from("planned".to_string()),
            Err("unknown meeting status \"planned\"".to_string())
        );
    }

    #[test]
    fn minutes_and_a_next_step_are_required() {
        let c = Completion {
            minutes: " ",
            next_steps: 0,
            first_meeting: false,
            informed_rights: false,
        };
        let fields: Vec<_> = completion_problems(&c).iter().map(|p| p.0).collect();
        assert_eq!(fields, vec!["minutes", "next_due"]);
        let c = Completion {
            minutes: "Referat",
            next_steps: 1,
            first_meeting: false,
            informed_rights: false,
        };
        assert!(completion_problems(&c).is_empty());
    }

    #[test]
    fn a_first_meeting_records_that_rights_were_explained() {
        let c = Completion {
            minutes: "Referat",
            next_steps: 1,
            first_meeting: true,
            informed_rights: false,
        };
        assert_eq!(completion_problems(&c)[0].0, "informed_rights");
        let c = Completion {
            informed_rights: true,
            ..c
        };
        assert!(completion_problems(&c).is_empty());
    }
}
