//! Bulk customer import (issue 25): a provider's existing book, uploaded as a CSV file (the
//! GraphQL multipart request) or sent as JSON rows. The API checks the shape and stores the
//! import and its rows (`service`, `parse`), then answers at once; a worker creates the
//! customers in batches (`runner`, `process`), each exactly as `createCustomer` does (the
//! same `customers::onboarding::prepare` and `write`), under a lease so that one worker at
//! a time holds an import and a killed one is resumed where it stopped. The created
//! admins' temporary passwords are downloaded once (`credentials`).

pub mod columns;
mod creating;
pub mod credentials;
mod ending;
pub mod graphql;
mod mutations;
pub mod parse;
pub mod process;
pub mod runner;
pub mod service;
mod standing;
mod store;

pub use graphql::{CustomerImport, CustomerImportRow};
pub use mutations::{CustomerImportMutation, CustomerImportQuery};

use serde::Deserialize;

/// `IMPORTS__*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ImportSettings {
    /// Most data rows of one import.
    pub max_rows: usize,
    /// Largest file accepted (the request carrying it is also bounded by
    /// `GRAPHQL__MAX_UPLOAD_BYTES`). 10,000 rows of about 800 bytes fit.
    pub max_file_bytes: usize,
    /// Longest value of one column, in characters.
    pub max_field_chars: usize,
    /// Rows per batch: one transaction and one `CUSTOMER_IMPORT_PROGRESS` event each
    /// (1 to [`MAX_BATCH_ROWS`]; see [`ImportSettings::rows_per_batch`]).
    pub batch_rows: usize,
    /// A worker holding an import renews its lease at each batch; a killed worker's import
    /// is taken over once the lease lapses.
    pub lease_seconds: i64,
    /// Temporary passwords not downloaded after this long are erased.
    pub credentials_ttl_hours: i64,
    /// A pause between batches, leaving the database to interactive work (0: none).
    pub batch_pause_ms: u64,
    /// How often an idle worker looks for a queued import (the API process's own runner is
    /// also woken at once by an upload, see `wake`).
    pub poll_interval_ms: u64,
    /// How often a worker erases credentials past their lifetime.
    pub sweep_interval_seconds: u64,
    /// Raised by an upload, so the runner in the same process starts it without waiting
    /// for its next look (never read from configuration).
    #[serde(skip)]
    pub wake: std::sync::Arc<tokio::sync::Notify>,
}

/// Most rows per batch: a batch's customers are written with one statement per table, and
/// a statement may carry at most 32,766 parameters on SQLite (65,535 on PostgreSQL). A
/// thousand rows (plus one customer's hundred lines) stay well under: the audit entries,
/// two per customer of eleven columns, are the largest at 22,000.
pub const MAX_BATCH_ROWS: usize = 1_000;

impl ImportSettings {
    /// `batch_rows` within its bounds.
    pub fn rows_per_batch(&self) -> usize {
        self.batch_rows.clamp(1, MAX_BATCH_ROWS)
    }
}

impl Default for ImportSettings {
    fn default() -> Self {
        Self {
            max_rows: 10_000,
            max_file_bytes: 8 * 1024 * 1024,
            max_field_chars: 500,
            batch_rows: 100,
            lease_seconds: 60,
            credentials_ttl_hours: 24,
            batch_pause_ms: 0,
            poll_interval_ms: 1_000,
            sweep_interval_seconds: 60,
            wake: Default::default(),
        }
    }
}
