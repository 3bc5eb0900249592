//! PostgreSQL's CPU per request, beside the API's (issue 26): user plus system time of the
//! server processes (backends) connected to the benchmark database, from their
//! `/proc/<pid>/stat` counters, over a load's measured window. The backends are listed from
//! `pg_stat_activity` when the window opens and when it closes; a backend that connected
//! during the window counts its whole life, one that left during it is missed (the API's
//! pool and pgbench keep their connections for the run, so neither happens in practice).
//! The harness's own `psql` look-ups are left out by their application name. Background
//! processes (checkpointer, WAL writer, autovacuum) are not backends of the database and
//! are not counted.

use crate::cpu::process_cpu_seconds;
use std::collections::HashMap;
use std::time::Duration;
use tokio::task::JoinHandle;

const OWN_APPLICATION: &str = "bench-pgcpu";

/// The pids of the backends connected to `database` (the harness's own look-up excepted).
fn backends(admin_url: &str, database: &str) -> Option<Vec<u32>> {
    let output = std::process::Command::new("psql")
        .env("PGAPPNAME", OWN_APPLICATION)
        .args([
            admin_url,
            "-qAtc",
            &format!(
                "SELECT pid FROM pg_stat_activity WHERE datname = '{}' \
                 AND backend_type = 'client backend' AND application_name <> '{OWN_APPLICATION}'",
                database.replace('\'', "''")
            ),
        ])
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    Some(
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect(),
    )
}

fn cpu_of(pids: &[u32]) -> HashMap<u32, f64> {
    pids.iter()
        .filter_map(|pid| Some((*pid, process_cpu_seconds(*pid)?)))
        .collect()
}

/// Each backend of `database` and the CPU seconds it has used so far (blocking).
pub fn snapshot(admin_url: &str, database: &str) -> Option<HashMap<u32, f64>> {
    backends(admin_url, database).map(|pids| cpu_of(&pids))
}

/// CPU seconds spent between two snapshots (a backend that connected in between counts its
/// whole life).
pub fn spent(start: &HashMap<u32, f64>, end: &HashMap<u32, f64>) -> f64 {
    end.iter()
        .map(|(pid, cpu)| cpu - start.get(pid).copied().unwrap_or(0.0))
        .filter(|d| *d > 0.0)
        .sum()
}

/// CPU seconds the backends of `database` spent in the window (`warmup` from now, for
/// `duration`), measured like `cpu::measure_window`.
pub fn measure_window(
    admin_url: &str,
    database: &str,
    warmup: Duration,
    duration: Duration,
) -> JoinHandle<Option<f64>> {
    let (admin_url, database) = (admin_url.to_owned(), database.to_owned());
    tokio::spawn(async move {
        tokio::time::sleep(warmup).await;
        let start = {
            let (url, db) = (admin_url.clone(), database.clone());
            tokio::task::spawn_blocking(move || snapshot(&url, &db))
                .await
                .ok()??
        };
        tokio::time::sleep(duration).await;
        let end = tokio::task::spawn_blocking(move || snapshot(&admin_url, &database))
            .await
            .ok()??;
        Some(spent(&start, &end))
    })
}
