//! Early warnings for managers: the relatives and agreements that are slipping out of sight
//! before anyone complains. Each rule is a function here; `db::warnings` counts and lists
//! the same rules in SQL, and the dashboard's fixture test holds the two together.

use super::agreement::rhythm::Rhythm;
use super::user::Role;
use chrono::{Months, NaiveDate};

/// A relative is out of sight after this many months without a meeting, a completed
/// follow-up or an open next step.
pub const SILENT_MONTHS: u32 = 6;

/// The patient's consent for a relative is reviewed at least this often.
pub const CONSENT_REVIEW_MONTHS: u32 = 12;

/// The day `months` calendar months before `day` (the last day of a shorter month when the
/// day does not exist there: 31 August less six months is 28 or 29 February).
pub fn months_before(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_sub_months(Months::new(months)).unwrap_or(day)
}

/// What the record shows about an involved relative's contact with the service by a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactFacts {
    pub registered_on: NaiveDate,
    /// The latest completed meeting with the relative, or completed follow-up concerning
    /// them or an agreement they are party to.
    pub last_contact: Option<NaiveDate>,
    /// A follow-up concerning them still open at the end of the day, or a meeting with them
    /// planned for the day or later.
    pub open_step: bool,
}

/// Out of sight: registered at least six months ago, nothing done with them since the day
/// six months back (a contact on exactly that day is six months old and no longer counts),
/// and nothing planned.
pub fn is_silent(f: &ContactFacts, day: NaiveDate) -> bool {
    let cutoff = months_before(day, SILENT_MONTHS);
    !f.open_step && f.registered_on <= cutoff && f.last_contact.is_none_or(|c| c <= cutoff)
}

/// Consent is due when none is recorded, or the latest was given twelve months ago or more.
pub fn consent_due(latest_given_on: Option<NaiveDate>, day: NaiveDate) -> bool {
    let cutoff = months_before(day, CONSENT_REVIEW_MONTHS);
    latest_given_on.is_none_or(|g| g <= cutoff)
}

/// The support needs a referral can answer: every need of `choices::SUPPORT_NEEDS` but
/// "other", which no offer in the catalogue is for.
pub fn referable(need: &str) -> bool {
    need != "other"
        && super::choices::SUPPORT_NEEDS
            .iter()
            .any(|(k, _)| *k == need)
}

/// A referral for a need, as the unmet-needs rule reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Referral<'a> {
    /// The need of the offer referred to.
    pub need: &'a str,
    pub referred_on: NaiveDate,
    /// Proposed, referred or started: not ended and not declined.
    pub ongoing: bool,
}

/// The needs of the latest mapping (made on `mapped_on`) that no referral answers. A need is
/// answered by a referral to an offer for it registered by the day, made on or after the
/// mapping (declined counts: the relative was offered it), or made before and still going on.
pub fn unmet_needs<'a>(
    needs: &[&'a str],
    mapped_on: NaiveDate,
    referrals: &[Referral<'_>],
    day: NaiveDate,
) -> Vec<&'a str> {
    needs
        .iter()
        .copied()
        .filter(|n| referable(n))
        .filter(|n| {
            !referrals.iter().any(|r| {
                r.need == *n && r.referred_on <= day && (r.referred_on >= mapped_on || r.ongoing)
            })
        })
        .collect()
}

/// An account as it was on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffState {
    pub active: bool,
    pub role: Role,
    pub unit_id: Option<i64>,
}

/// A contact person is gone from a relative of `unit` when the account is deactivated, or is
/// no longer a worker of that unit (moved, or made manager or administrator).
pub fn contact_gone(s: &StaffState, unit: i64) -> bool {
    !(s.active && s.role == Role::Worker && s.unit_id == Some(unit))
}

/// An agreement in force is behind its contact rhythm when the next contact the rhythm asks
/// for after `since` (the latest contact, or the signing of the version in force when there
/// has been none since) is before the day. A contact due today is not yet behind; "when
/// needed" is never behind.
pub fn behind_rhythm(rhythm: Option<Rhythm>, since: NaiveDate, day: NaiveDate) -> bool {
    rhythm
        .and_then(|r| r.next_after(since))
        .is_some_and(|due| due < day)
}

/// The earliest `since` that is not behind `rhythm` on `day`: an agreement is behind exactly
/// when its `since` is before this date, which is how SQL asks the same question. None for
/// "when needed".
pub fn behind_if_before(rhythm: Rhythm, day: NaiveDate) -> Option<NaiveDate> {
    rhythm.next_after(day)?;
    // The next contact never lies more than six months and a week after `since`, and moves
    // forward with it, so the first `since` not behind lies in this window.
    let mut since = months_before(day, 7) - chrono::Duration::days(8);
    while behind_rhythm(Some(rhythm), since, day) {
        since = since.succ_opt()?;
    }
    Some(since)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn six_months_back_is_a_calendar_day() {
        assert_eq!(months_before(d("2026-12-01"), 6), d("2026-06-01"));
        assert_eq!(months_before(d("2026-08-31"), 6), d("2026-02-28"));
        assert_eq!(months_before(d("2028-08-31"), 6), d("2028-02-29"));
    }

    #[test]
    fn silent_for_six_months_counts_from_the_day_six_months_back() {
        let day = d("2026-12-01");
        let f = ContactFacts {
            registered_on: d("2025-01-10"),
            last_contact: Some(d("2026-06-01")),
            open_step: false,
        };
        // A contact exactly six months back is six months old.
        assert!(is_silent(&f, day));
        // The day after is within the six months.
        let within = ContactFacts {
            last_contact: Some(d("2026-06-02")),
            ..f
        };
        assert!(!is_silent(&within, day));
        // Never any contact, registered long ago.
        assert!(is_silent(
            &ContactFacts {
                last_contact: None,
                ..f
            },
            day
        ));
        // An open next step, however old the last contact.
        assert!(!is_silent(
            &ContactFacts {
                open_step: true,
                ..f
            },
            day
        ));
        // Registered less than six months ago: not yet out of sight.
        let new = ContactFacts {
            registered_on: d("2026-06-02"),
            last_contact: None,
            open_step: false,
        };
        assert!(!is_silent(&new, day));
        assert!(is_silent(
            &ContactFacts {
                registered_on: d("2026-06-01"),
                ..new
            },
            day
        ));
    }

    #[test]
    fn consent_is_due_when_missing_or_a_year_old() {
        let day = d("2026-12-01");
        assert!(consent_due(None, day));
        assert!(consent_due(Some(d("2025-12-01")), day));
        assert!(!consent_due(Some(d("2025-12-02")), day));
    }

    #[test]
    fn a_need_is_met_by_a_referral_after_the_mapping_or_one_still_going_on() {
        let day = d("2026-12-01");
        let mapped_on = d("2026-10-01");
        let needs = ["relief", "training", "other", "courses"];
        let refs = [
            // After the mapping, declined: the relative was offered it.
            Referral {
                need: "relief",
                referred_on: d("2026-10-05"),
                ongoing: false,
            },
            // Before the mapping and ended: does not answer the need mapped since.
            Referral {
                need: "training",
                referred_on: d("2026-03-01"),
                ongoing: false,
            },
            // Before the mapping and still going on.
            Referral {
                need: "courses",
                referred_on: d("2026-03-01"),
                ongoing: true,
            },
        ];
        // "other" has no offer to refer to and never counts.
        assert_eq!(unmet_needs(&needs, mapped_on, &refs, day), vec!["training"]);
        // A referral registered after the day does not count on the day.
        assert_eq!(
            unmet_needs(&["relief"], mapped_on, &refs, d("2026-10-04")),
            vec!["relief"]
        );
        assert!(!referable("other"));
        assert!(referable("financial"));
        assert!(!referable("made_up"));
    }

    #[test]
    fn a_contact_person_is_gone_when_inactive_or_out_of_the_unit_or_role() {
        let here = StaffState {
            active: true,
            role: Role::Worker,
            unit_id: Some(3),
        };
        assert!(!contact_gone(&here, 3));
        assert!(contact_gone(&here, 4));
        assert!(contact_gone(
            &StaffState {
                active: false,
                ..here
            },
            3
        ));
        assert!(contact_gone(
            &StaffState {
                role: Role::Manager,
                ..here
            },
            3
        ));
    }

    #[test]
    fn behind_the_rhythm_when_the_next_contact_is_past() {
        let day = d("2026-12-01");
        // Monthly since 1 November: due 1 December, today, not behind.
        assert!(!behind_rhythm(Some(Rhythm::Monthly), d("2026-11-01"), day));
        assert!(behind_rhythm(Some(Rhythm::Monthly), d("2026-10-31"), day));
        assert!(behind_rhythm(Some(Rhythm::Weekly), d("2026-11-23"), day));
        assert!(!behind_rhythm(Some(Rhythm::Weekly), d("2026-11-24"), day));
        assert!(!behind_rhythm(
            Some(Rhythm::HalfYearly),
            d("2026-06-01"),
            day
        ));
        assert!(behind_rhythm(Some(Rhythm::Quarterly), d("2026-08-31"), day));
        assert!(!behind_rhythm(Some(Rhythm::AsNeeded), d("2020-01-01"), day));
        assert!(!behind_rhythm(None, d("2020-01-01"), day));
    }

    #[test]
    fn the_threshold_is_where_behind_starts() {
        for day in [
            "2026-03-31",
            "2026-03-01",
            "2026-02-28",
            "2028-02-29",
            "2026-12-01",
        ] {
            let day = d(day);
            for r in Rhythm::ALL {
                let Some(t) = behind_if_before(r, day) else {
                    assert_eq!(r, Rhythm::AsNeeded);
                    continue;
                };
                let mut since = day - chrono::Duration::days(400);
                while since <= day {
                    assert_eq!(
                        behind_rhythm(Some(r), since, day),
                        since < t,
                        "{r:?} {since} {day}"
                    );
                    since = since.succ_opt().unwrap();
                }
            }
        }
    }
}
