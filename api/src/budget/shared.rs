//! Buckets in Redis, one hash per caller (`p` points, `t` time in ms), expiring when idle.
//! One Lua script reads, refills, charges and writes a bucket atomically, so every replica
//! spends from the same bucket and the sum spent never exceeds it.
//!
//! **Charges of one caller travel together.** While a call for a bucket is in flight, the
//! caller's next charges wait and then go in one call (at most [`MAX_BATCH`]), which the
//! script applies one after the other, in arrival order, each refilled to its own time
//! and answered with the bucket as it left it: exactly what separate calls in that order
//! would have answered, for one round trip. A
//! client sending many requests at once (an integration's worker pool) costs Redis and the
//! API one script run per round trip instead of one per request; a lone request goes at
//! once, as before. The calls run on a task of their own per bucket, so a request that is
//! dropped mid-charge (its client gone) leaves nothing half-done behind.
//!
//! After a failure Redis is not asked again for [`PAUSE_MS`]: during an outage requests are
//! served uncharged at once instead of each waiting for a timeout.

use super::store::{Shape, Taken};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// The error while Redis is left alone (not logged again).
pub const PAUSED: &str = "paused after a failure";

/// How long Redis is left alone after a failure.
const PAUSE_MS: i64 = 1_000;

/// Most charges sent in one call: a thousand requests at once under one key (clients
/// behind one address) wait two round trips, and the script's arguments stay small.
pub const MAX_BATCH: usize = 512;

/// ARGV: capacity, points per ms, idle ms, then each charge's time and cost. Each charge
/// refills the bucket to its own time, then pays: what it would have met alone, in this
/// order. Answers each charge's `allowed, points` in order.
const SCRIPT: &str = r"
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'p', 't')
local points = tonumber(state[1])
local at = tonumber(state[2])
local answers = {}
local spent = false
for i = 4, #ARGV, 2 do
  local now = tonumber(ARGV[i])
  local cost = tonumber(ARGV[i + 1])
  if points == nil or at == nil then
    points = capacity
    at = now
  end
  if now > at then
    points = math.min(capacity, points + (now - at) * per_ms)
    at = now
  end
  local allowed = 0
  if points >= cost then
    points = points - cost
    allowed = 1
  end
  if cost > 0 then
    spent = true
  end
  table.insert(answers, tostring(allowed))
  table.insert(answers, tostring(points))
end
if spent then
  redis.call('HSET', KEYS[1], 'p', tostring(points), 't', tostring(at))
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return answers
";

/// One charge waiting for its call.
struct Pending {
    cost: u64,
    now: i64,
    answer: oneshot::Sender<Result<Taken, redis::RedisError>>,
}

struct Inner {
    connection: redis::aio::ConnectionManager,
    script: redis::Script,
    /// Until when (ms since the epoch, the wall clock) Redis is left alone.
    paused_until: AtomicI64,
    /// The charges waiting, per bucket key; a key is present while its task runs.
    waiting: Mutex<HashMap<String, Vec<Pending>>>,
    /// Script runs so far (tests and the benchmark read it).
    calls: AtomicU64,
}

pub struct Redis {
    inner: Arc<Inner>,
}

impl Redis {
    pub async fn connect(url: &str) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        // A charge sits in front of every request: it waits for Redis only briefly.
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(std::time::Duration::from_millis(250)))
            .set_response_timeout(Some(std::time::Duration::from_millis(250)))
            .set_number_of_retries(1);
        let connection = redis::aio::ConnectionManager::new_with_config(client, config).await?;
        Ok(Self {
            inner: Arc::new(Inner {
                connection,
                script: redis::Script::new(SCRIPT),
                paused_until: AtomicI64::new(0),
                waiting: Mutex::new(HashMap::new()),
                calls: AtomicU64::new(0),
            }),
        })
    }

    /// How many times the script has run (charges that went together count once).
    pub fn calls(&self) -> u64 {
        self.inner.calls.load(Ordering::Relaxed)
    }

    pub(super) async fn take(
        &self,
        key: &str,
        cost: u64,
        shape: Shape,
        now: i64,
    ) -> Result<Taken, redis::RedisError> {
        let wall = chrono::Utc::now().timestamp_millis();
        if wall < self.inner.paused_until.load(Ordering::Relaxed) {
            return Err(paused());
        }
        let (answer, answered) = oneshot::channel();
        let pending = Pending { cost, now, answer };
        let first = {
            let mut waiting = self.inner.lock();
            match waiting.get_mut(key) {
                Some(queue) => {
                    queue.push(pending);
                    false
                }
                None => {
                    waiting.insert(key.to_owned(), vec![pending]);
                    true
                }
            }
        };
        if first {
            tokio::spawn(drain(self.inner.clone(), key.to_owned(), shape));
        }
        answered.await.unwrap_or_else(|_| {
            Err(redis::RedisError::from((
                redis::ErrorKind::Io,
                "the charge was not answered",
            )))
        })
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Pending>>> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn paused() -> redis::RedisError {
    redis::RedisError::from((redis::ErrorKind::Io, PAUSED))
}

/// Runs the charges of `key` until none is waiting, then lets the key go (the next charge
/// starts a new task).
async fn drain(inner: Arc<Inner>, key: String, shape: Shape) {
    // Should the task end any other way (a panic, the runtime shutting down), the key is
    // let go and its waiting charges are answered (dropped: served uncharged), so the
    // bucket's later charges start a task of their own instead of waiting for this one.
    struct Release<'a> {
        inner: &'a Inner,
        key: &'a str,
        done: bool,
    }
    impl Drop for Release<'_> {
        fn drop(&mut self) {
            if !self.done {
                self.inner.lock().remove(self.key);
            }
        }
    }
    let mut release = Release {
        inner: &inner,
        key: &key,
        done: false,
    };
    loop {
        let batch: Vec<Pending> = {
            let mut waiting = inner.lock();
            let Some(queue) = waiting.get_mut(&key) else {
                release.done = true;
                return;
            };
            if queue.is_empty() {
                waiting.remove(&key);
                release.done = true;
                return;
            }
            let n = queue.len().min(MAX_BATCH);
            queue.drain(..n).collect()
        };
        let answers = charge(&inner, &key, shape, &batch).await;
        for (pending, answer) in batch.into_iter().zip(answers) {
            // A request that is gone does not read its answer; its charge stands.
            let _ = pending.answer.send(answer);
        }
    }
}

/// One script run for `batch`, in order; an answer per charge.
async fn charge(
    inner: &Inner,
    key: &str,
    shape: Shape,
    batch: &[Pending],
) -> Vec<Result<Taken, redis::RedisError>> {
    let wall = chrono::Utc::now().timestamp_millis();
    let failed = |e: &redis::RedisError| {
        (0..batch.len())
            .map(|_| {
                Err(redis::RedisError::from((
                    e.kind(),
                    "cost budget call failed",
                    e.to_string(),
                )))
            })
            .collect()
    };
    if wall < inner.paused_until.load(Ordering::Relaxed) {
        return failed(&paused());
    }
    let mut invocation = inner.script.key(format!("pc:cost:{key}"));
    invocation
        .arg(shape.capacity)
        .arg(shape.per_ms())
        .arg(shape.idle_ms());
    for pending in batch {
        invocation.arg(pending.now).arg(pending.cost);
    }
    inner.calls.fetch_add(1, Ordering::Relaxed);
    let mut connection = inner.connection.clone();
    let answer: Result<Vec<String>, _> = invocation.invoke_async(&mut connection).await;
    match answer {
        Ok(flat) if flat.len() == 2 * batch.len() => flat
            .chunks(2)
            .map(|pair| {
                Ok(Taken {
                    allowed: pair[0] == "1",
                    remaining: pair[1].parse().unwrap_or(0.0),
                })
            })
            .collect(),
        Ok(_) => failed(&redis::RedisError::from((
            redis::ErrorKind::Parse,
            "unexpected answer of the cost script",
        ))),
        Err(e) => {
            inner.paused_until.store(wall + PAUSE_MS, Ordering::Relaxed);
            failed(&e)
        }
    }
}
