//! When a session's idle timer is refreshed: often enough that the configured idle time holds
//! to within 2 %, seldom enough that a burst of requests writes it once.

use chrono::Duration;

/// Whether a request `since_last_seen` after the last refresh must refresh the idle timer of
/// a session that ends after `idle` without requests.
pub fn idle_refresh_due(since_last_seen: Duration, idle: Duration) -> bool {
    let step = (idle / 50).max(Duration::seconds(1));
    since_last_seen >= step
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_idle_timer_is_refreshed_within_two_percent() {
        let minute = Duration::minutes(1);
        assert!(!idle_refresh_due(Duration::milliseconds(500), minute));
        assert!(idle_refresh_due(Duration::milliseconds(1200), minute));
        let half_hour = Duration::minutes(30);
        assert!(!idle_refresh_due(Duration::seconds(35), half_hour));
        assert!(idle_refresh_due(Duration::seconds(36), half_hour));
        // A session is never lost by more than the step: a request just before the step
        // leaves the deadline at most 2 % early.
        let step = half_hour / 50;
        assert!(step.num_seconds() * 100 / half_hour.num_seconds() <= 2);
    }
}
