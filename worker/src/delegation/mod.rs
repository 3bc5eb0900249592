//! Admin relationships on the worker's schedule: PENDING_APPROVAL past its 30 days and
//! ACTIVE past `ends_at` become EXPIRED, auto-extending ones get 180 more days, and the
//! parties of an end that will not extend are told 30 and 7 days before.
//!
//! Set-based and safe with several workers: each step is one `UPDATE … RETURNING` whose
//! guard (status, end, reminder) no longer matches a row another runner already changed, so
//! every row changes once and only its runner writes its audit entries, in the same
//! transaction. Access never waits for this job (`api::admin_relationships::access`
//! decides by the time); the job records what already holds.

pub mod customers;
pub mod expiry;
pub mod notices;
pub mod reminders;

use chrono::{DateTime, Utc};
use sea_orm::DbErr;

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pass {
    pub expired: u64,
    pub extended: u64,
    pub reminded: u64,
    /// Reminder emails written to the outbox, to enqueue after the pass.
    pub email_ids: Vec<i32>,
}

/// One scheduled pass at `now`.
pub async fn run(
    db: &sea_orm::DatabaseConnection,
    now: DateTime<Utc>,
    relay_after_ms: u64,
) -> Result<Pass, DbErr> {
    let expired = expiry::expire(db, now).await?;
    let extended = expiry::extend(db, now).await?;
    let (reminded, email_ids) = reminders::remind(db, now, relay_after_ms).await?;
    if expired + extended + reminded > 0 {
        tracing::info!(expired, extended, reminded, "admin relationships");
    }
    Ok(Pass {
        expired,
        extended,
        reminded,
        email_ids,
    })
}
