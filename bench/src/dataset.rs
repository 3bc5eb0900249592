//! The benchmark database: created afresh, migrated by the product, then filled by
//! `bench/sql/seed.sql` (set-based, in PostgreSQL) with the issue's dataset size.

use crate::processes::{self, Services};
use anyhow::{Context, bail};
use serde::Serialize;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Size {
    pub providers: usize,
    pub resellers: usize,
    pub customers: usize,
    pub invitations: usize,
}

impl Size {
    /// The issue's minimum: 50 providers, 2,000 resellers, 100,000 customers (300,000
    /// subscriptions), 200,000 invitations.
    pub const ISSUE: Size = Size {
        providers: 50,
        resellers: 2_000,
        customers: 100_000,
        invitations: 200_000,
    };
}

/// Runs `sql` with psql against `url`, failing on the first error.
pub fn psql(url: &str, args: &[&str]) -> anyhow::Result<String> {
    let output = Command::new("psql")
        .arg(url)
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
        .args(args)
        .output()
        .context("running psql (is the PostgreSQL client installed?)")?;
    if !output.status.success() {
        bail!("psql failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// The server URL with another database name.
pub fn with_database(server_url: &str, database: &str) -> String {
    format!("{}/{database}", server_url.trim_end_matches('/'))
}

/// Drops and recreates `database`, migrates it with the release binary and seeds it.
/// Returns the seconds seeding took.
pub fn create(
    services: &Services,
    server_url: &str,
    database: &str,
    size: Size,
) -> anyhow::Result<f64> {
    let admin = with_database(server_url, "postgres");
    psql(
        &admin,
        &[
            "-c",
            &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
        ],
    )?;
    psql(&admin, &["-c", &format!("CREATE DATABASE {database}")])?;
    processes::migrate(services)?;
    processes::create_platform_admin(services, "platform@bench.example", "bench-password")?;
    let started = Instant::now();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("sql/seed.sql");
    let url = &services.database_url;
    psql(
        url,
        &[
            "-v",
            &format!("providers={}", size.providers),
            "-v",
            &format!("resellers={}", size.resellers),
            "-v",
            &format!("customers={}", size.customers),
            "-v",
            &format!("invitations={}", size.invitations),
            "-f",
            &script.display().to_string(),
        ],
    )?;
    psql(url, &["-c", "VACUUM ANALYZE"])?;
    Ok(started.elapsed().as_secs_f64())
}

/// Row counts of the seeded tables, printed with the results.
pub fn counts(url: &str) -> anyhow::Result<Vec<(String, i64)>> {
    let tables = [
        "partners",
        "customers",
        "subscriptions",
        "partnership_invitations",
        "audit_entries",
    ];
    tables
        .iter()
        .map(|t| {
            let n = psql(url, &["-c", &format!("SELECT count(*) FROM {t}")])?;
            Ok((t.to_string(), n.parse().context("a count")?))
        })
        .collect()
}
