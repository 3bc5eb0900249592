//! The limit beside each API figure: pgbench running the same SQL statements (custom script
//! files under `bench/pgbench/`) at the same concurrency, with prepared statements like the
//! API's driver, each planned once as the API's connections plan them.

use crate::load::percentile_ms;
use anyhow::{Context, bail};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

#[derive(Debug, Clone, Serialize)]
pub struct PgbenchResult {
    pub script: String,
    pub transactions: u64,
    pub transactions_per_second: f64,
    /// Seconds measured.
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// PostgreSQL's CPU seconds in a window inside the measured run (from half a second
    /// after it starts to a second before it ends), when asked for.
    pub pg_cpu_seconds: Option<f64>,
    /// That window's length in seconds.
    pub pg_cpu_window_seconds: Option<f64>,
}

/// Whose backends to measure during the run: the server's admin URL and the database.
#[derive(Debug, Clone)]
pub struct CpuProbe {
    pub admin_url: String,
    pub database: String,
}

/// How long after the measured run starts its backends are first read (they are all
/// connected by then); the last reading is twice this before it ends.
pub const PROBE_MARGIN: Duration = Duration::from_millis(500);

pub fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("pgbench")
        .join(name)
}

/// Runs `script` for `duration` (after a discarded warm-up of `warmup`).
pub fn run(
    url: &str,
    script_name: &str,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
    vars: &[(&str, String)],
) -> anyhow::Result<PgbenchResult> {
    run_probed(url, script_name, concurrency, warmup, duration, vars, None)
}

/// [`run`], measuring PostgreSQL's CPU during the measured run when `probe` is given.
pub fn run_probed(
    url: &str,
    script_name: &str,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
    vars: &[(&str, String)],
    probe: Option<&CpuProbe>,
) -> anyhow::Result<PgbenchResult> {
    let logs = tempdir()?;
    if !warmup.is_zero() {
        pgbench(url, script_name, concurrency, warmup, vars, None, None)?;
    }
    let prefix = logs.join("tx");
    let (stdout, probed) = pgbench(
        url,
        script_name,
        concurrency,
        duration,
        vars,
        Some(&prefix),
        probe.map(|p| (p, duration)),
    )?;
    let tps = stdout
        .lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l["tps = ".len()..].split_whitespace().next())
        .and_then(|v| v.parse::<f64>().ok())
        .with_context(|| format!("no tps in pgbench output:\n{stdout}"))?;
    // Per-transaction log lines: client_id transaction_no latency_us script_no epoch epoch_us
    let mut latencies = Vec::new();
    for entry in std::fs::read_dir(&logs)? {
        let text = std::fs::read_to_string(entry?.path())?;
        latencies.extend(
            text.lines()
                .filter_map(|l| l.split_whitespace().nth(2)?.parse::<u64>().ok()),
        );
    }
    latencies.sort_unstable();
    let _ = std::fs::remove_dir_all(&logs);
    Ok(PgbenchResult {
        script: script_name.to_owned(),
        transactions: latencies.len() as u64,
        transactions_per_second: tps,
        seconds: duration.as_secs().max(1) as f64,
        p50_ms: percentile_ms(&latencies, 0.50),
        p99_ms: percentile_ms(&latencies, 0.99),
        pg_cpu_seconds: probed.map(|(cpu, _)| cpu),
        pg_cpu_window_seconds: probed.map(|(_, window)| window),
    })
}

/// [`run`] on the blocking pool: the caller's runtime keeps running its other tasks (the
/// PostgreSQL CPU window measuring this very run among them) while pgbench does.
pub async fn run_off_thread(
    url: &str,
    script_name: &'static str,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
    vars: Vec<(&'static str, String)>,
    probe: CpuProbe,
) -> anyhow::Result<PgbenchResult> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let vars = &vars;
        run_probed(
            &url,
            script_name,
            concurrency,
            warmup,
            duration,
            vars,
            Some(&probe),
        )
    })
    .await?
}

fn pgbench(
    url: &str,
    script_name: &str,
    concurrency: usize,
    duration: Duration,
    vars: &[(&str, String)],
    log_prefix: Option<&Path>,
    probe: Option<(&CpuProbe, Duration)>,
) -> anyhow::Result<(String, Option<(f64, f64)>)> {
    let mut command = Command::new("pgbench");
    command
        // Planned as the product's connections plan (`migration::database`): each prepared
        // statement once, so the limit is the database's speed, not the planner's.
        .env("PGOPTIONS", "-c plan_cache_mode=force_generic_plan")
        .args(["-n", "-M", "prepared"])
        .args(["-c", &concurrency.to_string()])
        .args(["-j", &concurrency.min(2).to_string()])
        .args(["-T", &duration.as_secs().max(1).to_string()])
        .arg("-f")
        .arg(script(script_name));
    for (name, value) in vars {
        command.args(["-D", &format!("{name}={value}")]);
    }
    if let Some(prefix) = log_prefix {
        command
            .arg("-l")
            .arg(format!("--log-prefix={}", prefix.display()));
    }
    let child = command
        .arg(url)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .context("running pgbench (is postgresql-contrib / the client installed?)")?;
    let cpu = probe.and_then(|(probe, duration)| {
        // Both readings well inside the run (a reading itself takes a few hundred ms), the
        // window timed from the readings themselves.
        let spawned = std::time::Instant::now();
        std::thread::sleep(PROBE_MARGIN);
        let start = crate::pgcpu::snapshot(&probe.admin_url, &probe.database)?;
        let opened = spawned.elapsed();
        let close_at = duration.saturating_sub(PROBE_MARGIN * 2);
        std::thread::sleep(close_at.saturating_sub(spawned.elapsed()));
        let end = crate::pgcpu::snapshot(&probe.admin_url, &probe.database)?;
        let window = spawned.elapsed().saturating_sub(opened).as_secs_f64();
        Some((crate::pgcpu::spent(&start, &end), window))
    });
    let output = child.wait_with_output()?;
    if !output.status.success() {
        bail!(
            "pgbench {script_name} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok((String::from_utf8_lossy(&output.stdout).into_owned(), cpu))
}

fn tempdir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("bench-pgbench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
