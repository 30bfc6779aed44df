//! Meetings: a meeting is completed only with minutes and an agreed next step.

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

#[cfg(test)]
mod tests {
    use super::*;

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
