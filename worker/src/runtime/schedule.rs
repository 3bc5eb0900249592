//! When and under which names the jobs run: cron schedules from intervals, names unique
//! per process, and the back-off of restarted workers.

use std::str::FromStr;
use std::time::Duration;

/// A 6-field cron expression firing every `seconds` (whole minutes from 60 seconds, whole
/// hours from 3600).
pub(super) fn every(seconds: u64) -> cron::Schedule {
    let expr = match seconds {
        0..=1 => "* * * * * *".to_owned(),
        2..=59 => format!("*/{seconds} * * * * *"),
        60..=3599 => format!("0 */{} * * * *", (seconds / 60).clamp(1, 59)),
        _ => format!("0 0 */{} * * *", (seconds / 3600).clamp(1, 23)),
    };
    cron::Schedule::from_str(&expr).expect("valid generated cron expression")
}

/// A name unique to this process, e.g. `send-email-7f3a9c1e`.
pub(super) fn unique(name: &str) -> String {
    format!("{name}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8])
}

/// How long a worker waits before its `restarts`-th restart: 0, then 1 s doubling to 30 s.
pub(super) fn restart_delay(restarts: usize) -> Duration {
    match restarts {
        0 => Duration::ZERO,
        n => Duration::from_secs(1 << (n - 1).min(5)).min(Duration::from_secs(30)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restarts_back_off() {
        let delays: Vec<u64> = (0..9).map(|n| restart_delay(n).as_secs()).collect();
        assert_eq!(delays, [0, 1, 2, 4, 8, 16, 30, 30, 30]);
    }

    #[test]
    fn schedules() {
        for seconds in [1, 5, 60, 300, 3600, 7200] {
            let schedule = every(seconds);
            let mut next = schedule.upcoming(chrono::Utc);
            let (a, b) = (next.next().unwrap(), next.next().unwrap());
            assert_eq!((b - a).num_seconds() as u64, seconds, "{seconds}");
        }
    }
}
