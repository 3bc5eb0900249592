//! Building the job parts from configuration, the same way in the worker binary and in the
//! API (which enqueues, and in embedded mode also runs the jobs in-process).

use crate::mail::{MailError, Mailer};
use crate::queue::{EmailQueue, Heartbeat, QueueError};
use crate::settings::JobSettings;
use secrecy::{ExposeSecret, SecretString};
use std::path::Path;
use std::time::Duration;

/// Redis when `REDIS_URL` is set, else the SQLite queue file `jobs.db` in `data_dir`.
pub async fn queue(
    redis_url: Option<&SecretString>,
    data_dir: &Path,
    settings: &JobSettings,
) -> Result<EmailQueue, QueueError> {
    let heartbeat = Heartbeat {
        interval: Duration::from_secs(settings.heartbeat_seconds.max(1)),
        missed: settings.missed_heartbeats.max(1),
    };
    match redis_url {
        Some(url) => EmailQueue::redis(url.expose_secret(), heartbeat, settings.fetch_batch).await,
        None => {
            std::fs::create_dir_all(data_dir).map_err(|e| QueueError::Sqlite {
                path: data_dir.display().to_string(),
                message: e.to_string(),
            })?;
            EmailQueue::sqlite(&data_dir.join("jobs.db"), heartbeat).await
        }
    }
}

/// SMTP when `SMTP_URL` is set, else `.eml` files in `data_dir/outbox`.
pub fn mailer(
    smtp_url: Option<&SecretString>,
    data_dir: &Path,
    settings: &JobSettings,
) -> Result<Mailer, MailError> {
    match smtp_url {
        Some(url) => Mailer::smtp(url.expose_secret(), settings.smtp_pool_size),
        None => Mailer::files(&data_dir.join("outbox")),
    }
}

/// The event signal: Redis pub/sub when `REDIS_URL` is set, else in-process (embedded mode:
/// the API passes its own to its in-process worker).
pub async fn signal(
    redis_url: Option<&SecretString>,
) -> Result<crate::signal::EventSignal, redis::RedisError> {
    match redis_url {
        Some(url) => crate::signal::EventSignal::redis(url.expose_secret()).await,
        None => Ok(crate::signal::EventSignal::local()),
    }
}
