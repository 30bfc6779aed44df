//! Follow-ups: how the worker's list is grouped and ordered, and the calendar event.

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    Overdue,
    ThisWeek,
    Later,
}

impl Bucket {
    pub fn label(self) -> &'static str {
        match self {
            Bucket::Overdue => "Forfalt",
            Bucket::ThisWeek => "Denne uken",
            Bucket::Later => "Senere",
        }
    }
}

/// How an open follow-up is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    Done,
    Cancelled,
}

impl Closing {
    /// The stored status.
    pub fn status(self) -> &'static str {
        match self {
            Closing::Done => "done",
            Closing::Cancelled => "cancelled",
        }
    }
}

/// The new follow-up form as typed.
#[derive(Debug, Clone, Default)]
pub struct FollowupInput<'a> {
    pub kind: &'a str,
    pub concerns: &'a str,
    pub due_on: &'a str,
    pub owner_id: &'a str,
    pub relative_id: &'a str,
}

/// A valid new follow-up: what, by when, who owns it, and which relative it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowupDraft {
    pub kind: String,
    pub concerns: String,
    pub due_on: NaiveDate,
    pub owner_id: i64,
    pub relative_id: Option<i64>,
}

impl FollowupDraft {
    /// Parses the form: a kind from the list, what it concerns, a due date not before today,
    /// an owner on the unit's `staff`, and optionally one of the patient's `relatives`.
    pub fn parse(
        input: &FollowupInput<'_>,
        staff: &[i64],
        relatives: &[i64],
        today: NaiveDate,
    ) -> Result<FollowupDraft, super::validation::FieldErrors> {
        use super::forms as f;
        let mut e = super::validation::FieldErrors::new();
        let kind = f::choice(
            &mut e,
            "kind",
            input.kind,
            super::choices::FOLLOWUP_KINDS,
            "Velg type oppfølging.",
        );
        let concerns = f::line(
            &mut e,
            "concerns",
            input.concerns,
            300,
            Some("Skriv hva oppfølgingen gjelder."),
        );
        let due = f::date(
            &mut e,
            "due_on",
            input.due_on,
            Some("Skriv fristen (dd.mm.åååå)."),
        );
        f::not_in_past(&mut e, "due_on", due, today, "Fristen");
        let message = "Velg hvem som har ansvaret.";
        let owner = f::chosen_id(&mut e, "owner_id", input.owner_id, staff, true, message);
        let message = "Velg en av pasientens pårørende.";
        let relative_id = f::chosen_id(
            &mut e,
            "relative_id",
            input.relative_id,
            relatives,
            false,
            message,
        );
        match (due, owner) {
            (Some(due_on), Some(owner_id)) if e.is_empty() => Ok(FollowupDraft {
                kind,
                concerns,
                due_on,
                owner_id,
                relative_id,
            }),
            _ => Err(e),
        }
    }
}

/// One entry in a follow-up's history, with typed values: users by id and dates as dates,
/// so the history shows names and dates when it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Moved {
        from: NaiveDate,
        to: NaiveDate,
    },
    Done {
        on: NaiveDate,
    },
    Cancelled,
    Reassigned {
        from: i64,
        to: i64,
    },
    /// The owner no longer works where the patient is followed up.
    Unassigned {
        from: i64,
    },
}

impl Change {
    pub fn kind(self) -> &'static str {
        match self {
            Change::Moved { .. } => "moved",
            Change::Done { .. } => "done",
            Change::Cancelled => "cancelled",
            Change::Reassigned { .. } => "reassigned",
            Change::Unassigned { .. } => "unassigned",
        }
    }

    /// The users the change moved the follow-up from and to.
    pub fn users(self) -> (Option<i64>, Option<i64>) {
        match self {
            Change::Reassigned { from, to } => (Some(from), Some(to)),
            Change::Unassigned { from } => (Some(from), None),
            _ => (None, None),
        }
    }

    /// The dates the change moved the follow-up from and to (for done: the day it was done).
    pub fn dates(self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        match self {
            Change::Moved { from, to } => (Some(from), Some(to)),
            Change::Done { on } => (None, Some(on)),
            _ => (None, None),
        }
    }
}

/// Overdue when due before today; this week when due by Sunday of today's week.
pub fn bucket(due: NaiveDate, today: NaiveDate) -> Bucket {
    if due < today {
        Bucket::Overdue
    } else if due <= week_end(today) {
        Bucket::ThisWeek
    } else {
        Bucket::Later
    }
}

/// The Sunday of today's week: the last day of the list's "this week".
pub fn week_end(today: NaiveDate) -> NaiveDate {
    today + Duration::days(6 - i64::from(today.weekday().num_days_from_monday()))
}

pub fn days_overdue(due: NaiveDate, today: NaiveDate) -> i64 {
    (today - due).num_days().max(0)
}

/// Sorts for the worklist: overdue first (oldest first), then this week, then later.
pub fn worklist_order(mut items: Vec<(NaiveDate, i64)>, today: NaiveDate) -> Vec<(NaiveDate, i64)> {
    items.sort_by_key(|(due, id)| (bucket(*due, today), *due, *id));
    items
}

fn ics_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
        .replace('\r', "")
}

/// Folds a content line at 75 octets, as RFC 5545 asks.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut len = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if len + n > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(c);
        len += n;
    }
    out
}

/// An all-day iCalendar event on the due date.
pub fn ics(
    uid: &str,
    summary: &str,
    description: &str,
    due: NaiveDate,
    stamp: chrono::DateTime<chrono::Utc>,
) -> String {
    let lines = [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//Samspill//Oppfolging//NB".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
        "METHOD:PUBLISH".to_string(),
        "BEGIN:VEVENT".to_string(),
        format!("UID:{uid}"),
        format!("DTSTAMP:{}", stamp.format("%Y%m%dT%H%M%SZ")),
        format!("DTSTART;VALUE=DATE:{}", due.format("%Y%m%d")),
        format!(
            "DTEND;VALUE=DATE:{}",
            (due + Duration::days(1)).format("%Y%m%d")
        ),
        format!("SUMMARY:{}", ics_escape(summary)),
        format!("DESCRIPTION:{}", ics_escape(description)),
        "END:VEVENT".to_string(),
        "END:VCALENDAR".to_string(),
    ];
    lines
        .iter()
        .map(|l| fold(l))
        .collect::<Vec<_>>()
        .join("\r\n")
        + "\r\n"
}

/// The calendar event of a follow-up. A calendar syncs to phones and cloud services outside
/// Samspill's access control, so the event carries only the kind of task, the due date and a
/// link back: never a name or free text about the patient or a relative.
pub fn calendar_event(
    id: i64,
    kind_label: &str,
    due: NaiveDate,
    public_url: &str,
    stamp: chrono::DateTime<chrono::Utc>,
) -> String {
    let link = format!("{}/followups/{id}", public_url.trim_end_matches('/'));
    ics(
        &format!("followup-{id}@samspill"),
        &format!("Samspill: {kind_label}"),
        &format!("Oppfølging i Samspill. Åpne den her: {link}"),
        due,
        stamp,
    )
}

/// Marking a follow-up done: a short note of what was done, and the day (not after today).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub note: String,
    pub on: NaiveDate,
}

impl Completion {
    pub fn parse(
        note: &str,
        done_on: &str,
        today: NaiveDate,
    ) -> Result<Completion, super::validation::FieldErrors> {
        use super::forms as f;
        let mut e = super::validation::FieldErrors::new();
        let note = f::line(
            &mut e,
            "note",
            note,
            500,
            Some("Skriv en kort merknad om hva som ble gjort."),
        );
        let on = f::date(&mut e, "done_on", done_on, Some("Skriv datoen."));
        f::not_in_future(&mut e, "done_on", on, today, "Datoen");
        match on {
            Some(on) if e.is_empty() => Ok(Completion { note, on }),
            _ => Err(e),
        }
    }
}

/// Moving a follow-up's due date: the new date (not before today), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Postponement {
    pub due: NaiveDate,
    pub reason: String,
}

impl Postponement {
    pub fn parse(
        due_on: &str,
        reason: &str,
        today: NaiveDate,
    ) -> Result<Postponement, super::validation::FieldErrors> {
        use super::forms as f;
        let mut e = super::validation::FieldErrors::new();
        let due = f::date(&mut e, "due_on", due_on, Some("Skriv den nye fristen."));
        f::not_in_past(&mut e, "due_on", due, today, "Den nye fristen");
        let reason = f::line(
            &mut e,
            "reason",
            reason,
            500,
            Some("Skriv hvorfor fristen flyttes."),
        );
        match due {
            Some(due) if e.is_empty() => Ok(Postponement { due, reason }),
            _ => Err(e),
        }
    }
}

/// Why a follow-up is cancelled: required, one line.
pub fn cancel_reason(raw: &str) -> Result<String, super::validation::FieldErrors> {
    let mut e = super::validation::FieldErrors::new();
    let reason = super::forms::line(
        &mut e,
        "cancel_reason",
        raw,
        500,
        Some("Skriv hvorfor oppfølgingen avlyses."),
    );
    e.into_result(|| reason)
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_new_follow_up_is_parsed_once_with_a_message_at_each_bad_field() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let ok = FollowupDraft::parse(
            &FollowupInput {
                kind: "call",
                concerns: " Ring Kari ",
                due_on: "02.03.2026",
                owner_id: "7",
                relative_id: "",
            },
            &[7],
            &[3],
            today,
        )
        .unwrap();
        assert_eq!(
            (ok.concerns.as_str(), ok.owner_id, ok.relative_id),
            ("Ring Kari", 7, None)
        );
        let e = FollowupDraft::parse(
            &FollowupInput {
                kind: "x",
                concerns: "",
                due_on: "01.03.2026",
                owner_id: "8",
                relative_id: "4",
            },
            &[7],
            &[3],
            today,
        )
        .unwrap_err();
        assert_eq!(e.get("kind"), Some("Velg type oppfølging."));
        assert_eq!(e.get("concerns"), Some("Skriv hva oppfølgingen gjelder."));
        assert_eq!(
            e.get("due_on"),
            Some("Fristen kan ikke være tilbake i tid.")
        );
        assert_eq!(e.get("owner_id"), Some("Velg hvem som har ansvaret."));
        assert_eq!(
            e.get("relative_id"),
            Some("Velg en av pasientens pårørende.")
        );
    }

    use super::*;

    #[test]
    fn a_calendar_event_names_no_one() {
        let stamp = chrono::DateTime::parse_from_rfc3339("2026-03-01T08:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let event = calendar_event(
            42,
            "Telefonsamtale",
            d(3, 5),
            "https://samspill.kommune.no/",
            stamp,
        );
        let lines: Vec<&str> = event.split("\r\n").collect();
        assert!(
            lines.contains(&"SUMMARY:Samspill: Telefonsamtale"),
            "{event}"
        );
        assert!(lines.contains(&"DTSTART;VALUE=DATE:20260305"), "{event}");
        let unfolded = event.replace("\r\n ", "");
        assert!(
            unfolded.contains(
                "DESCRIPTION:Oppfølging i Samspill. Åpne den her: https://samspill.kommune.no/followups/42\r\n"
            ),
            "{event}"
        );
    }

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn buckets_follow_the_calendar_week() {
        let monday = d(11, 23);
        assert_eq!(bucket(d(11, 22), monday), Bucket::Overdue);
        assert_eq!(bucket(monday, monday), Bucket::ThisWeek);
        assert_eq!(bucket(d(11, 29), monday), Bucket::ThisWeek);
        assert_eq!(bucket(d(11, 30), monday), Bucket::Later);
        assert_eq!(days_overdue(d(11, 13), monday), 10);
        assert_eq!(days_overdue(d(11, 30), monday), 0);
        assert_eq!(week_end(monday), d(11, 29));
        assert_eq!(week_end(d(11, 29)), d(11, 29));
        assert_eq!(week_end(d(11, 30)), d(12, 6));
    }

    #[test]
    fn the_worklist_puts_the_oldest_overdue_first() {
        let today = d(11, 25);
        let items = vec![
            (d(12, 10), 1),
            (d(11, 26), 2),
            (d(11, 1), 3),
            (d(11, 20), 4),
            (d(11, 25), 5),
        ];
        let ids: Vec<i64> = worklist_order(items, today)
            .into_iter()
            .map(|i| i.1)
            .collect();
        assert_eq!(ids, vec![3, 4, 5, 2, 1]);
    }

    #[test]
    fn calendar_events_are_escaped_and_folded() {
        let stamp = chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap();
        let text = ics(
            "followup-7@samspill",
            "Ring Kari; avtal møte",
            &"x".repeat(100),
            d(12, 1),
            stamp,
        );
        assert!(text.contains("DTSTART;VALUE=DATE:20261201\r\n"));
        assert!(text.contains("DTEND;VALUE=DATE:20261202\r\n"));
        assert!(text.contains("SUMMARY:Ring Kari\\; avtal møte\r\n"));
        assert!(text.lines().all(|l| l.len() <= 75));
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn done_is_not_in_the_future_moved_is_not_in_the_past_and_each_says_why() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let e = Completion::parse("", "01.12.2026", today).unwrap_err();
        assert_eq!(e.get("done_on"), Some("Datoen kan ikke være fram i tid."));
        assert_eq!(
            e.get("note"),
            Some("Skriv en kort merknad om hva som ble gjort.")
        );
        assert_eq!(
            Completion::parse("Ringte", "30.11.2026", today).unwrap().on,
            today
        );
        let e = Postponement::parse("29.11.2026", "", today).unwrap_err();
        assert_eq!(
            e.get("due_on"),
            Some("Den nye fristen kan ikke være tilbake i tid.")
        );
        assert_eq!(e.get("reason"), Some("Skriv hvorfor fristen flyttes."));
        assert_eq!(
            Postponement::parse("30.11.2026", "Syk", today).unwrap().due,
            today
        );
        assert_eq!(
            cancel_reason(" ").unwrap_err().get("cancel_reason"),
            Some("Skriv hvorfor oppfølgingen avlyses.")
        );
    }
}
