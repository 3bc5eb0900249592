//! Where the buckets live: a token bucket per caller, refilled continuously. With Redis
//! (production) one Lua script reads, refills, charges and writes a bucket atomically, so
//! every replica spends from the same bucket and the sum spent never exceeds it; without
//! (embedded mode) a bounded in-process map does the same. Time is passed in by the caller
//! (milliseconds), so tests move it instead of sleeping.

use std::collections::HashMap;
use std::sync::Mutex;

/// A bucket's size and refill rate.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub capacity: u64,
    pub per_second: u64,
}

impl Shape {
    fn per_ms(self) -> f64 {
        self.per_second as f64 / 1000.0
    }

    /// The bucket of `points` at `at`, refilled until `now`.
    fn refilled(self, points: f64, at: i64, now: i64) -> f64 {
        let elapsed = (now - at).max(0) as f64;
        (points + elapsed * self.per_ms()).min(self.capacity as f64)
    }

    /// How long an idle bucket is worth keeping (it is full again after this).
    fn idle_ms(self) -> i64 {
        match self.per_second {
            0 => 24 * 3600 * 1000,
            rate => (self.capacity.div_ceil(rate) as i64 + 1) * 1000,
        }
    }
}

/// The answer of one charge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Taken {
    pub allowed: bool,
    /// Points left after this charge (or before it, when refused).
    pub remaining: f64,
}

pub enum Store {
    Memory(Memory),
    Redis(Redis),
}

impl Store {
    /// Charges `cost` points to `key` at `now_ms` if the bucket holds them (0 reads it).
    pub async fn take(
        &self,
        key: &str,
        cost: u64,
        shape: Shape,
        now_ms: i64,
    ) -> Result<Taken, redis::RedisError> {
        match self {
            Self::Memory(memory) => Ok(memory.take(key, cost, shape, now_ms)),
            Self::Redis(redis) => redis.take(key, cost, shape, now_ms).await,
        }
    }
}

/// In-process buckets, at most `max_keys` of them: when full, buckets that have refilled
/// completely (indistinguishable from new ones) are dropped first.
pub struct Memory {
    buckets: Mutex<HashMap<String, (f64, i64)>>,
    max_keys: usize,
}

impl Memory {
    pub fn new(max_keys: usize) -> Self {
        Self {
            buckets: Mutex::new(HashMap::new()),
            max_keys: max_keys.max(1),
        }
    }

    pub fn len(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn take(&self, key: &str, cost: u64, shape: Shape, now: i64) -> Taken {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let points = match buckets.get(key) {
            Some(&(points, at)) => shape.refilled(points, at, now),
            None => shape.capacity as f64,
        };
        let allowed = points >= cost as f64;
        let remaining = if allowed {
            points - cost as f64
        } else {
            points
        };
        if cost == 0 {
            return Taken { allowed, remaining };
        }
        if !buckets.contains_key(key) && buckets.len() >= self.max_keys {
            let capacity = shape.capacity as f64;
            buckets.retain(|_, (p, at)| shape.refilled(*p, *at, now) < capacity);
            if buckets.len() >= self.max_keys
                && let Some(any) = buckets.keys().next().cloned()
            {
                buckets.remove(&any);
            }
        }
        buckets.insert(key.to_owned(), (remaining, now));
        Taken { allowed, remaining }
    }
}

/// Buckets in Redis, one hash per caller (`p` points, `t` time in ms), expiring when idle.
/// After a failure Redis is not asked again for [`PAUSE_MS`]: during an outage requests are
/// served uncharged at once instead of each waiting for a timeout.
pub struct Redis {
    connection: redis::aio::ConnectionManager,
    script: redis::Script,
    /// Until when (ms since the epoch, the wall clock) Redis is left alone.
    paused_until: std::sync::atomic::AtomicI64,
}

/// The error while Redis is left alone (not logged again).
pub const PAUSED: &str = "paused after a failure";

/// How long Redis is left alone after a failure.
const PAUSE_MS: i64 = 1_000;

const SCRIPT: &str = r"
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'p', 't')
local points = tonumber(state[1])
local at = tonumber(state[2])
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
  redis.call('HSET', KEYS[1], 'p', tostring(points), 't', tostring(at))
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
end
return {allowed, tostring(points)}
";

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
            connection,
            script: redis::Script::new(SCRIPT),
            paused_until: std::sync::atomic::AtomicI64::new(0),
        })
    }

    async fn take(
        &self,
        key: &str,
        cost: u64,
        shape: Shape,
        now: i64,
    ) -> Result<Taken, redis::RedisError> {
        use std::sync::atomic::Ordering;
        let wall = chrono::Utc::now().timestamp_millis();
        if wall < self.paused_until.load(Ordering::Relaxed) {
            return Err(redis::RedisError::from((redis::ErrorKind::Io, PAUSED)));
        }
        let mut connection = self.connection.clone();
        let answer: Result<(i64, String), _> = self
            .script
            .key(format!("pc:cost:{key}"))
            .arg(shape.capacity)
            .arg(shape.per_ms())
            .arg(now)
            .arg(cost)
            .arg(shape.idle_ms())
            .invoke_async(&mut connection)
            .await;
        let (allowed, remaining) = answer.inspect_err(|_| {
            self.paused_until.store(wall + PAUSE_MS, Ordering::Relaxed);
        })?;
        Ok(Taken {
            allowed: allowed == 1,
            remaining: remaining.parse().unwrap_or(0.0),
        })
    }
}
