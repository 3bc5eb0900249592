//! Expiry: the worker's own function expiring 1,000,000 stale invitations, beside the bare
//! SQL update that flips the same rows (and nothing else) on the same table.

use crate::dataset::psql;
use anyhow::{Context, bail};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde::Serialize;
use std::time::Instant;

#[derive(Debug, Clone, Serialize)]
pub struct ExpiryResult {
    pub invitations: u64,
    pub worker_seconds: f64,
    /// The bare update, run before and after the worker's pass (mean of the two).
    pub bare_sql_seconds: f64,
    pub bare_sql_runs: [f64; 2],
    pub audit_entries_written: i64,
}

const BARE_UPDATE: &str = "UPDATE partnership_invitations SET status = 'EXPIRED' \
    WHERE status = 'PENDING' AND expires_at <= now()";

/// Adds `count` PENDING invitations that expired yesterday, spread over the providers.
fn add_stale(url: &str, count: u64, providers: usize) -> anyhow::Result<i64> {
    let first: i64 = psql(
        url,
        &[
            "-c",
            "SELECT coalesce(max(id), 0) + 1 FROM partnership_invitations",
        ],
    )?
    .parse()
    .context("max id")?;
    psql(
        url,
        &[
            "-c",
            &format!(
                "INSERT INTO partnership_invitations (provider_id, reseller_email, token_hash, status, \
               subject, body, created_by_user_id, created_at, expires_at) \
             SELECT i % {providers} + 1, 'stale' || i || '@bench.example', \
               md5('stale-{first}-' || i) || md5('stale-token-{first}-' || i), 'PENDING', 'Partner with us', \
               'We would like to work with you as an indirect reseller.', i % {providers} + 1001, \
               now() - interval '31 days', now() - interval '1 day' \
             FROM generate_series(1, {count}) AS i"
            ),
        ],
    )?;
    settle(url)?;
    Ok(first)
}

/// Puts the stale invitations back to PENDING, and leaves the table and the WAL settled so
/// that each timed run starts from the same state.
fn reset(url: &str, first_id: i64) -> anyhow::Result<()> {
    psql(
        url,
        &[
            "-c",
            &format!(
                "UPDATE partnership_invitations SET status = 'PENDING' WHERE id >= {first_id}"
            ),
        ],
    )?;
    settle(url)
}

fn settle(url: &str) -> anyhow::Result<()> {
    psql(url, &["-c", "VACUUM ANALYZE partnership_invitations"])?;
    psql(url, &["-c", "VACUUM ANALYZE audit_entries"])?;
    psql(url, &["-c", "CHECKPOINT"])?;
    Ok(())
}

async fn bare(db: &DatabaseConnection, expected: u64) -> anyhow::Result<f64> {
    let started = Instant::now();
    let result = db
        .execute_raw(Statement::from_string(
            db.get_database_backend(),
            BARE_UPDATE,
        ))
        .await?;
    let seconds = started.elapsed().as_secs_f64();
    if result.rows_affected() != expected {
        bail!(
            "the bare update expired {} rows, not {expected}",
            result.rows_affected()
        );
    }
    Ok(seconds)
}

fn audit_count(url: &str) -> anyhow::Result<i64> {
    psql(
        url,
        &[
            "-c",
            "SELECT count(*) FROM audit_entries WHERE action = 'partnership_invitation.expired'",
        ],
    )?
    .parse()
    .context("audit count")
}

pub async fn run(url: &str, count: u64, providers: usize) -> anyhow::Result<ExpiryResult> {
    let first_id = add_stale(url, count, providers)?;
    let db = Database::connect(url).await?;
    let bare_before = bare(&db, count).await?;
    reset(url, first_id)?;

    let audit_before = audit_count(url)?;
    let started = Instant::now();
    let expired = worker::expiry::expire_invitations(&db, chrono::Utc::now()).await?;
    let worker_seconds = started.elapsed().as_secs_f64();
    if expired != count {
        bail!("the worker expired {expired} invitations, not {count}");
    }
    let audit_entries_written = audit_count(url)? - audit_before;

    reset(url, first_id)?;
    let bare_after = bare(&db, count).await?;
    db.close().await?;
    Ok(ExpiryResult {
        invitations: count,
        worker_seconds,
        bare_sql_seconds: (bare_before + bare_after) / 2.0,
        bare_sql_runs: [bare_before, bare_after],
        audit_entries_written,
    })
}
