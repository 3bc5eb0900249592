//! The email queue: Redis in production, a SQLite file in embedded mode. The API holds a
//! clone only to push; the worker also consumes it.

use crate::jobs::{SEND_EMAIL_QUEUE, SendEmail};
use apalis::prelude::TaskSink;
use apalis_redis::RedisStorage;
use apalis_sqlite::{SqliteConnectOptions, SqlitePoolOptions, SqliteStorage};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("connecting to Redis")]
    Redis(#[source] apalis_redis::RedisError),
    #[error("opening the SQLite job queue {path}: {message}")]
    Sqlite { path: String, message: String },
    #[error("enqueueing: {0}")]
    Push(String),
    #[error("enqueueing timed out")]
    Timeout,
}

#[derive(Clone)]
pub enum EmailQueue {
    Redis(RedisStorage<SendEmail>),
    Sqlite(SqliteStorage<SendEmail>),
}

/// How fast a dead worker's in-flight jobs are handed to another worker: after
/// `heartbeat * missed_heartbeats` without a heartbeat.
#[derive(Debug, Clone, Copy)]
pub struct Heartbeat {
    pub interval: Duration,
    pub missed: usize,
}

impl EmailQueue {
    /// `batch`: jobs taken per fetch.
    pub async fn redis(url: &str, heartbeat: Heartbeat, batch: usize) -> Result<Self, QueueError> {
        let conn = apalis_redis::connect(url)
            .await
            .map_err(QueueError::Redis)?;
        let config = apalis_redis::Config::default()
            .queue(SEND_EMAIL_QUEUE)
            .batch_size(batch.max(1))
            .heartbeat_interval(heartbeat.interval)
            .missed_heartbeats(heartbeat.missed);
        Ok(Self::Redis(RedisStorage::new(conn).with_config(config)))
    }

    /// A queue in its own SQLite file (so job polling never contends with the main
    /// database's writers).
    pub async fn sqlite(path: &Path, heartbeat: Heartbeat) -> Result<Self, QueueError> {
        let err = |e: &dyn std::fmt::Display| QueueError::Sqlite {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .map_err(|e| err(&e))?
            .create_if_missing(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| err(&e))?;
        SqliteStorage::setup(&pool).await.map_err(|e| err(&e))?;
        let config = apalis_sqlite::Config::default()
            .queue(SEND_EMAIL_QUEUE)
            .heartbeat_interval(heartbeat.interval)
            .missed_heartbeats(heartbeat.missed);
        Ok(Self::Sqlite(SqliteStorage::new(&pool).with_config(config)))
    }

    /// Enqueues one email. Bounded in time: a caller (an API request) never hangs on a
    /// dead Redis; the outbox relay enqueues whatever could not be enqueued here.
    pub async fn push(&self, outbound_email_id: i32) -> Result<(), QueueError> {
        let job = SendEmail { outbound_email_id };
        let push = async {
            match self.clone() {
                Self::Redis(mut s) => s
                    .push(job)
                    .await
                    .map_err(|e| QueueError::Push(e.to_string())),
                Self::Sqlite(mut s) => s
                    .push(job)
                    .await
                    .map_err(|e| QueueError::Push(e.to_string())),
            }
        };
        tokio::time::timeout(Duration::from_secs(3), push)
            .await
            .map_err(|_| QueueError::Timeout)?
    }
}
