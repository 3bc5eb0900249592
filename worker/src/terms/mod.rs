//! Subscription terms on the worker's schedule (issue 24): at a term's end a subscription
//! that renews gets its next term and a RENEWAL order line at the prices then in force
//! (`renewal`), one that does not is CANCELLED (`expiry`); the provider and the reseller
//! hear 30 and 7 days before (`reminders`).
//!
//! Set-based and exactly once with several workers: each batch is claimed by one
//! `UPDATE … RETURNING` whose guard (status, end, term number, notice) no longer matches a
//! row another runner already changed, and the claim's order lines, audit entries (the
//! events) and emails are written in the same transaction.

pub mod audit;
pub mod expiry;
pub mod reminders;
pub mod renewal;

use chrono::{DateTime, Utc};
use sea_orm::DbErr;

/// Subscriptions one statement claims at most.
pub const BATCH: usize = 1000;

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pass {
    pub renewed: u64,
    pub expired: u64,
    pub reminded: u64,
    /// Notice emails written to the outbox, to enqueue after the pass.
    pub email_ids: Vec<i32>,
}

/// One scheduled pass at `now`.
pub async fn run(
    db: &sea_orm::DatabaseConnection,
    now: DateTime<Utc>,
    relay_after_ms: u64,
) -> Result<Pass, DbErr> {
    let expired = expiry::expire(db, now).await?;
    let renewed = renewal::renew(db, now).await?;
    let (reminded, email_ids) = reminders::remind(db, now, relay_after_ms).await?;
    if expired + renewed + reminded > 0 {
        tracing::info!(expired, renewed, reminded, "subscription terms");
    }
    Ok(Pass {
        renewed,
        expired,
        reminded,
        email_ids,
    })
}

/// The `i`-th bound value (1-based): `$i` on PostgreSQL, `?i` on SQLite (numbered, so a
/// statement may use its values in any order).
pub(crate) fn placeholder(backend: sea_orm::DbBackend, i: usize) -> String {
    match backend {
        sea_orm::DbBackend::Postgres => format!("${i}"),
        _ => format!("?{i}"),
    }
}

/// A comma-separated list of ids for `IN (…)` (integers read from the database).
pub(crate) fn id_list(ids: impl IntoIterator<Item = i32>) -> String {
    ids.into_iter()
        .map(|id| id.to_string())
        .collect::<Vec<_>>()
        .join(",")
}
