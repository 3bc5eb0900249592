//! What the job side needs to know: mail transport, retry policy, relay and expiry timing.
//! The API embeds `JobSettings` as its `[jobs]` section; the worker binary loads
//! `WorkerSettings` the same way the API loads its own (defaults < file < environment).

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct JobSettings {
    /// `From:` of every email.
    pub mail_from: String,
    /// Sending attempts before an email is marked FAILED.
    pub max_attempts: i32,
    /// First retry delay; doubles with each attempt up to `backoff_max_ms`.
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
    /// How often the relay looks for emails still unsent.
    pub relay_interval_seconds: u64,
    /// An enqueued email not sent after this long is enqueued again by the relay.
    pub relay_after_ms: u64,
    /// Emails the relay takes per pass; a pass is skipped while at least this many jobs
    /// already wait in the queue (they will be sent; pushing again would multiply them).
    pub relay_batch: u64,
    /// How often stale invitations are expired.
    pub expiry_interval_seconds: u64,
    /// Emails sent at once by one worker process.
    pub concurrency: usize,
    /// How often an idle worker asks the queue for jobs.
    pub poll_interval_ms: u64,
    /// Jobs taken from Redis per fetch (they wait for a free slot of `concurrency`).
    pub fetch_batch: usize,
    /// How long one send may hold its claim on an email row.
    pub claim_seconds: i64,
    /// SMTP connections kept per worker process.
    pub smtp_pool_size: u32,
    /// Queue heartbeat; a worker silent for `heartbeat_seconds * missed_heartbeats` is dead
    /// and its in-flight jobs go to the others.
    pub heartbeat_seconds: u64,
    pub missed_heartbeats: usize,
    /// Time in-flight jobs get to finish after SIGTERM / ctrl-c.
    pub shutdown_grace_seconds: u64,
    /// What is kept how long (`JOBS__RETENTION__*`).
    pub retention: crate::retention::RetentionSettings,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            mail_from: "Partner Center <no-reply@partner-center.example>".into(),
            max_attempts: 6,
            backoff_base_ms: 2_000,
            backoff_max_ms: 10 * 60 * 1000,
            relay_interval_seconds: 5,
            relay_after_ms: 30_000,
            relay_batch: 500,
            expiry_interval_seconds: 60,
            concurrency: 8,
            // At 250 ms and apalis' 10 per fetch, one worker could not take more than about
            // 40 emails a second, whatever the SMTP server allowed.
            poll_interval_ms: 50,
            fetch_batch: 32,
            claim_seconds: 120,
            smtp_pool_size: 4,
            heartbeat_seconds: 5,
            missed_heartbeats: 3,
            shutdown_grace_seconds: 20,
            retention: Default::default(),
        }
    }
}

impl JobSettings {
    /// Delay before attempt `attempts + 1`, after `attempts` failures.
    pub fn backoff(&self, attempts: i32) -> Duration {
        let exp = attempts.saturating_sub(1).clamp(0, 20) as u32;
        let ms = self.backoff_base_ms.saturating_mul(1u64 << exp);
        Duration::from_millis(ms.min(self.backoff_max_ms))
    }
}

/// Settings of the standalone worker process.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct WorkerSettings {
    pub database_url: Option<SecretString>,
    pub redis_url: Option<SecretString>,
    pub smtp_url: Option<SecretString>,
    pub data_dir: PathBuf,
    pub log_format: String,
    pub jobs: JobSettings,
    pub webhooks: crate::webhooks::WebhookSettings,
    pub metrics: MetricsSettings,
    /// `WORKER__HTTP_BIND`.
    pub worker: WorkerHttpSettings,
}

/// `/metrics` is served only with this bearer token (`METRICS__TOKEN`); without one it is
/// not served at all. The same rule in the API and the worker.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MetricsSettings {
    pub token: Option<SecretString>,
}

/// The worker process's own `/healthz`, `/readyz` and `/metrics`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WorkerHttpSettings {
    /// Address to serve them on (e.g. `0.0.0.0:9090`); not served when unset.
    pub http_bind: Option<String>,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            database_url: None,
            redis_url: None,
            smtp_url: None,
            data_dir: PathBuf::from("./data"),
            log_format: "text".into(),
            jobs: JobSettings::default(),
            webhooks: Default::default(),
            metrics: MetricsSettings::default(),
            worker: WorkerHttpSettings::default(),
        }
    }
}

impl WorkerSettings {
    pub fn load() -> Result<Self, config::ConfigError> {
        let file = std::env::var("CONFIG_FILE").unwrap_or_else(|_| "partner-center.toml".into());
        config::Config::builder()
            .add_source(config::File::with_name(&file).required(false))
            .add_source(
                config::Environment::default()
                    .separator("__")
                    .try_parsing(true),
            )
            .build()?
            .try_deserialize()
    }

    pub fn database_url(&self) -> String {
        embedded_database_url(self.database_url.as_ref(), &self.data_dir)
    }
}

/// `DATABASE_URL`, or the embedded SQLite file under `data_dir`.
pub fn embedded_database_url(url: Option<&SecretString>, data_dir: &std::path::Path) -> String {
    match url {
        Some(url) => url.expose_secret().to_owned(),
        None => format!(
            "sqlite://{}?mode=rwc",
            data_dir.join("partner-center.db").display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let s = JobSettings {
            backoff_base_ms: 1000,
            backoff_max_ms: 5000,
            ..Default::default()
        };
        assert_eq!(s.backoff(1), Duration::from_millis(1000));
        assert_eq!(s.backoff(2), Duration::from_millis(2000));
        assert_eq!(s.backoff(3), Duration::from_millis(4000));
        assert_eq!(s.backoff(4), Duration::from_millis(5000));
        assert_eq!(s.backoff(60), Duration::from_millis(5000));
    }
}
