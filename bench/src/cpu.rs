//! The API's own CPU time per request: user plus system time of the API process (all its
//! threads) over a load's measured window, from the kernel's counters in `/proc/<pid>/stat`,
//! divided by the requests answered in that window. Unlike requests per second, it does not
//! move when PostgreSQL, the load generator or another tenant of a shared machine takes the
//! cores: it is what one request costs the API itself.

use std::time::Duration;
use tokio::task::JoinHandle;

/// Clock ticks per second of `/proc/<pid>/stat`: the kernel reports these in USER_HZ,
/// which is 100 on every architecture Linux runs the benchmark on (whatever its internal
/// timer frequency), so no call to `sysconf` is needed.
const TICKS_PER_SECOND: f64 = 100.0;

/// utime + stime of process `pid` in seconds, or `None` when it cannot be read.
pub fn process_cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of the whole line are the 12th and 13th after the name.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / TICKS_PER_SECOND)
}

/// Samples process `pid`'s CPU time when the load's warm-up ends and when its measured
/// window ends (the same `warmup` and `duration` as `load::run`, started at the same
/// moment); yields the CPU seconds spent in between.
pub fn measure_window(pid: u32, warmup: Duration, duration: Duration) -> JoinHandle<Option<f64>> {
    tokio::spawn(async move {
        tokio::time::sleep(warmup).await;
        let start = process_cpu_seconds(pid)?;
        tokio::time::sleep(duration).await;
        Some(process_cpu_seconds(pid)? - start)
    })
}

/// Milliseconds of API CPU per request answered in the window.
pub fn ms_per_request(cpu_seconds: Option<f64>, requests: u64) -> Option<f64> {
    cpu_seconds
        .filter(|_| requests > 0)
        .map(|s| s * 1000.0 / requests as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_cpu_time_is_readable_and_grows() {
        let pid = std::process::id();
        let before = process_cpu_seconds(pid).expect("own /proc stat");
        let mut x = 0u64;
        let spin = std::time::Instant::now();
        while spin.elapsed() < Duration::from_millis(100) {
            x = x.wrapping_add(std::hint::black_box(1));
        }
        std::hint::black_box(x);
        let after = process_cpu_seconds(pid).unwrap();
        assert!(after > before, "{after} after {before}");
        assert_eq!(ms_per_request(Some(2.0), 1000), Some(2.0));
        assert_eq!(ms_per_request(Some(2.0), 0), None);
    }
}
