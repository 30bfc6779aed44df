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
}
