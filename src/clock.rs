//! The application's clock. Production reads the system clock; tests move it forward to
//! check timeouts and due dates without sleeping.

use chrono::{DateTime, NaiveDate, Utc};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

#[derive(Clone, Default, Debug)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
}

impl Clock {
    /// Now, to whole seconds, so stored timestamps share one text form on SQLite and
    /// compare correctly as text.
    pub fn now(&self) -> DateTime<Utc> {
        let t = Utc::now().timestamp() + self.offset_seconds.load(Ordering::Relaxed);
        DateTime::from_timestamp(t, 0).unwrap_or_default()
    }

    /// Today's date in Europe/Oslo.
    pub fn today(&self) -> NaiveDate {
        crate::domain::dates::oslo_date(self.now())
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, by: chrono::Duration) {
        self.offset_seconds
            .fetch_add(by.num_seconds(), Ordering::Relaxed);
    }

    /// Moves this clock forward by whole days of the Oslo calendar: today becomes exactly
    /// `days` later. Adding 24-hour days alone is not enough, since a change to or from
    /// summer time moves the local time of day by an hour, and near midnight that moves
    /// the date as well.
    pub fn advance_days(&self, days: i64) {
        let target = self.today() + chrono::Duration::days(days);
        self.advance(chrono::Duration::days(days));
        let hour = chrono::Duration::hours(1);
        // At most one summer-time change separates the two dates' offsets.
        if self.today() > target {
            self.advance(-hour);
        } else if self.today() < target {
            self.advance(hour);
        }
    }

    /// A clock that reads `at` now (tests of date arithmetic across the calendar).
    pub fn starting_at(at: DateTime<Utc>) -> Clock {
        let clock = Clock::default();
        clock.advance(at - Utc::now());
        clock
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn whole_days_keep_the_date_across_summer_time() {
        // 23:30 in Oslo in winter; 200 days of 24 hours later it is 00:30 in summer time,
        // a day too far.
        let clock = Clock::starting_at(Utc.with_ymd_and_hms(2026, 11, 30, 22, 30, 0).unwrap());
        assert_eq!(
            clock.today(),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
        clock.advance_days(200);
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2027, 6, 18).unwrap());

        // 00:30 in summer time; 200 days later it would be 23:30 the day before in winter.
        let clock = Clock::starting_at(Utc.with_ymd_and_hms(2027, 5, 31, 22, 30, 0).unwrap());
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2027, 6, 1).unwrap());
        clock.advance_days(200);
        assert_eq!(
            clock.today(),
            NaiveDate::from_ymd_opt(2027, 12, 18).unwrap()
        );
    }
}
