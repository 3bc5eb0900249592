//! The email queue: Redis in production, a SQLite file in embedded mode. The API holds a
//! clone only to push; the worker also consumes it.
//!
//! Redis goes through one `ConnectionManager` with short timeouts: a dead Redis answers a
//! push or a ping within about a second instead of hanging, and a restarted Redis is
//! reconnected by the manager itself. Readiness pings that same connection.

use crate::jobs::{SEND_EMAIL_QUEUE, SendEmail};
use apalis::prelude::TaskSink;
use apalis_redis::RedisStorage;
use apalis_sqlite::{SqliteConnectOptions, SqlitePoolOptions, SqliteStorage};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("connecting to Redis")]
    Redis(#[source] redis::RedisError),
    #[error("opening the SQLite job queue {path}: {message}")]
    Sqlite { path: String, message: String },
    #[error("enqueueing: {0}")]
    Push(String),
    #[error("the queue did not answer in time")]
    Timeout,
    #[error("queue maintenance: {0}")]
    Maintenance(String),
}

#[derive(Clone)]
pub enum EmailQueue {
    Redis(RedisStorage<SendEmail, ConnectionManager>),
    Sqlite(SqliteStorage<SendEmail>),
}

/// How fast a dead worker's in-flight jobs are handed to another worker: after
/// `heartbeat * missed_heartbeats` without a heartbeat.
#[derive(Debug, Clone, Copy)]
pub struct Heartbeat {
    pub interval: Duration,
    pub missed: usize,
}

/// Longest a caller waits for the queue (a push, a ping, a count).
const ANSWER_WITHIN: Duration = Duration::from_secs(2);

/// Finished jobs removed per maintenance batch (Redis scripts run atomically: keep them short).
const CLEANUP_BATCH: usize = 500;

/// Removes the given finished jobs (ids in ARGV[2..]) whose `done_at` is older than ARGV[1]
/// seconds: payload, metadata, result, and their ids in the done and dead sets. An id with
/// no metadata left is an orphan and goes too.
const REMOVE_FINISHED: &str = r#"
local cutoff = tonumber(redis.call('TIME')[1]) - tonumber(ARGV[1])
local removed = 0
for i = 2, #ARGV do
  local id = ARGV[i]
  local meta = KEYS[2] .. ':' .. id
  local done_at = redis.call('HGET', meta, 'done_at')
  if (not done_at) or tonumber(done_at) <= cutoff then
    redis.call('HDEL', KEYS[1], id)
    redis.call('HDEL', KEYS[2] .. ':result', id)
    redis.call('DEL', meta)
    redis.call('SREM', KEYS[3], id)
    redis.call('SREM', KEYS[4], id)
    removed = removed + 1
  end
end
return removed
"#;

impl EmailQueue {
    /// `batch`: jobs taken per fetch.
    pub async fn redis(url: &str, heartbeat: Heartbeat, batch: usize) -> Result<Self, QueueError> {
        let client = redis::Client::open(url).map_err(QueueError::Redis)?;
        let manager = ConnectionManagerConfig::new()
            .set_response_timeout(Some(Duration::from_secs(1)))
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(2)
            .set_min_delay(Duration::from_millis(100))
            .set_max_delay(Duration::from_secs(1));
        let conn = client
            .get_connection_manager_with_config(manager)
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

    /// Enqueues one email. Bounded in time: a caller never hangs on a dead Redis; the outbox
    /// relay enqueues whatever could not be enqueued here.
    ///
    /// The first command over a connection that Redis dropped (a restart) fails and makes
    /// the connection manager reconnect; one more try then goes through, so no email waits
    /// for the relay only because its connection was stale.
    pub async fn push(&self, job: SendEmail) -> Result<(), QueueError> {
        let push = || async {
            match self.clone() {
                Self::Redis(mut s) => s
                    .push(job.clone())
                    .await
                    .map_err(|e| QueueError::Push(e.to_string())),
                Self::Sqlite(mut s) => s
                    .push(job.clone())
                    .await
                    .map_err(|e| QueueError::Push(e.to_string())),
            }
        };
        within(async {
            match push().await {
                Err(_) if matches!(self, Self::Redis(_)) => push().await,
                done => done,
            }
        })
        .await
    }

    /// A round trip over the queue's own connection (readiness), tried twice like a push.
    pub async fn ping(&self) -> Result<(), QueueError> {
        within(async {
            match self.clone() {
                Self::Redis(mut s) => {
                    let mut answer = Err(QueueError::Timeout);
                    for _ in 0..2 {
                        answer = redis::cmd("PING")
                            .query_async::<String>(s.get_connection())
                            .await
                            .map(drop)
                            .map_err(|e| QueueError::Push(e.to_string()));
                        if answer.is_ok() {
                            break;
                        }
                    }
                    answer
                }
                Self::Sqlite(s) => sea_orm::sqlx::query("SELECT 1")
                    .execute(s.pool())
                    .await
                    .map(drop)
                    .map_err(|e| QueueError::Push(e.to_string())),
            }
        })
        .await
    }

    /// Jobs waiting to be fetched.
    pub async fn pending(&self) -> Result<u64, QueueError> {
        within(async {
            match self.clone() {
                // apalis-redis files every push as scheduled (not before "now"); a running
                // worker moves due ones to the active list. Waiting jobs are both.
                Self::Redis(mut s) => {
                    let config = s.get_config().clone();
                    let (active, scheduled): (u64, u64) = redis::pipe()
                        .cmd("LLEN")
                        .arg(config.active_jobs_list())
                        .cmd("ZCARD")
                        .arg(config.scheduled_jobs_set())
                        .query_async(s.get_connection())
                        .await
                        .map_err(|e| QueueError::Push(e.to_string()))?;
                    Ok(active + scheduled)
                }
                Self::Sqlite(s) => sea_orm::sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM Jobs WHERE job_type = ?1 AND status = 'Pending' \
                     AND lock_by IS NULL",
                )
                .bind(SEND_EMAIL_QUEUE)
                .fetch_one(s.pool())
                .await
                .map(|n| n.max(0) as u64)
                .map_err(|e| QueueError::Push(e.to_string())),
            }
        })
        .await
    }

    /// Deletes jobs that finished more than `age` ago (apalis keeps every finished job
    /// forever), and the records of workers that are gone. Returns how many jobs went.
    pub async fn remove_finished(&self, age: Duration) -> Result<u64, QueueError> {
        let failed = |e: &dyn std::fmt::Display| QueueError::Maintenance(e.to_string());
        match self.clone() {
            Self::Redis(mut s) => {
                let config = s.get_config().clone();
                let script = redis::Script::new(REMOVE_FINISHED);
                let mut removed = 0u64;
                for set in [config.done_jobs_set(), config.dead_jobs_set()] {
                    let mut cursor = 0u64;
                    loop {
                        let (next, ids): (u64, Vec<String>) = redis::cmd("SSCAN")
                            .arg(&set)
                            .arg(cursor)
                            .arg("COUNT")
                            .arg(CLEANUP_BATCH)
                            .query_async(s.get_connection())
                            .await
                            .map_err(|e| failed(&e))?;
                        if !ids.is_empty() {
                            let mut call = script.prepare_invoke();
                            call.key(config.job_data_hash())
                                .key(config.job_meta_hash())
                                .key(config.done_jobs_set())
                                .key(config.dead_jobs_set())
                                .arg(age.as_secs());
                            for id in &ids {
                                call.arg(id);
                            }
                            removed += call
                                .invoke_async::<u64>(s.get_connection())
                                .await
                                .map_err(|e| failed(&e))?;
                        }
                        cursor = next;
                        if cursor == 0 {
                            break;
                        }
                    }
                }
                remove_gone_redis_workers(&mut s)
                    .await
                    .map_err(|e| failed(&e))?;
                Ok(removed)
            }
            Self::Sqlite(s) => {
                let removed = sea_orm::sqlx::query(
                    "DELETE FROM Jobs WHERE job_type = ?1 AND done_at IS NOT NULL \
                     AND done_at < strftime('%s', 'now') - ?2 \
                     AND (status IN ('Done', 'Killed') \
                          OR (status = 'Failed' AND attempts >= max_attempts))",
                )
                .bind(SEND_EMAIL_QUEUE)
                .bind(age.as_secs() as i64)
                .execute(s.pool())
                .await
                .map_err(|e| failed(&e))?
                .rows_affected();
                sea_orm::sqlx::query(
                    "DELETE FROM Workers WHERE last_seen < strftime('%s', 'now') - ?1 \
                     AND id NOT IN (SELECT lock_by FROM Jobs WHERE lock_by IS NOT NULL)",
                )
                .bind(age.as_secs() as i64)
                .execute(s.pool())
                .await
                .map_err(|e| failed(&e))?;
                Ok(removed)
            }
        }
    }
}

/// Worker metadata hashes whose worker no longer heartbeats (every process start and
/// restart registers a new name).
async fn remove_gone_redis_workers(
    storage: &mut RedisStorage<SendEmail, ConnectionManager>,
) -> Result<(), redis::RedisError> {
    let config = storage.get_config().clone();
    let workers = config.workers_set();
    let prefix = format!("{workers}:metadata:");
    let mut cursor = 0u64;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(format!("{prefix}*"))
            .arg("COUNT")
            .arg(CLEANUP_BATCH)
            .query_async(storage.get_connection())
            .await?;
        for key in keys {
            let name = key.trim_start_matches(&prefix);
            let alive: Option<f64> = redis::cmd("ZSCORE")
                .arg(&workers)
                .arg(name)
                .query_async(storage.get_connection())
                .await?;
            if alive.is_none() {
                redis::cmd("DEL")
                    .arg(&key)
                    .query_async::<()>(storage.get_connection())
                    .await?;
            }
        }
        cursor = next;
        if cursor == 0 {
            return Ok(());
        }
    }
}

async fn within<T>(
    work: impl std::future::Future<Output = Result<T, QueueError>>,
) -> Result<T, QueueError> {
    tokio::time::timeout(ANSWER_WITHIN, work)
        .await
        .map_err(|_| QueueError::Timeout)?
}
