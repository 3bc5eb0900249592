//! Webhooks: signed deliveries of events to the endpoints organizations register
//! ([Standard Webhooks](https://www.standardwebhooks.com/)).
//!
//! Deliveries are rows written in the transaction of the change that caused the event
//! (`entity::audit_entry::fan_out_insert`), so a crash or a Redis outage loses nothing. Every
//! worker process runs a delivery loop (`deliver::run`): it claims due rows in batches (a
//! claim lapses if its worker dies, and another worker retries the row), signs and posts
//! them, and writes each result under its claim: 2xx delivers; anything else retries with
//! exponential backoff until FAILED; an endpoint failing for longer than
//! `disable_after_hours` is disabled with a reason. `target` decides where requests may go.

pub mod address;
pub mod deliver;
pub mod message;
pub mod record;
pub mod send;
pub mod stored_text;
pub mod target;

use serde::Deserialize;
use std::time::Duration;

/// `WEBHOOKS__*`, read by the API (registration rules) and the worker (delivery).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct WebhookSettings {
    /// Allow `http` and private addresses (development and tests only).
    pub allow_insecure_targets: bool,
    pub max_url_length: usize,
    /// Each attempt's whole request, connection included.
    pub timeout_seconds: u64,
    pub max_attempts: i32,
    /// First retry delay; doubles with each attempt up to `backoff_max_ms`.
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
    /// An endpoint whose deliveries have failed for this long is disabled.
    pub disable_after_hours: i64,
    /// Requests in flight per worker process.
    pub concurrency: usize,
    /// Rows claimed per pass.
    pub batch: u64,
    /// How long a claim lasts (a dead worker's rows come back after it).
    pub claim_seconds: i64,
    /// How often an idle delivery loop looks for due rows (it is also woken by new events).
    pub poll_interval_ms: u64,
    /// After a secret rotation the old secret keeps signing this long.
    pub previous_secret_hours: i64,
    /// Delivered and failed rows older than this are removed from the delivery log.
    pub delivery_log_days: i64,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allow_insecure_targets: false,
            max_url_length: 2000,
            timeout_seconds: 10,
            max_attempts: 10,
            backoff_base_ms: 5_000,
            backoff_max_ms: 60 * 60 * 1000,
            disable_after_hours: 72,
            concurrency: 16,
            batch: 100,
            claim_seconds: 60,
            poll_interval_ms: 500,
            previous_secret_hours: 24,
            delivery_log_days: 30,
        }
    }
}

impl WebhookSettings {
    /// Delay before attempt `attempts + 1`, after `attempts` failures.
    pub fn backoff(&self, attempts: i32) -> Duration {
        let exp = attempts.saturating_sub(1).clamp(0, 20) as u32;
        let ms = self.backoff_base_ms.saturating_mul(1u64 << exp);
        Duration::from_millis(ms.min(self.backoff_max_ms))
    }
}
