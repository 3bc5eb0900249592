//! Where the buckets live: a token bucket per caller, refilled continuously. With Redis
//! (production, `shared`) one Lua script reads, refills, charges and writes a bucket
//! atomically, so every replica spends from the same bucket and the sum spent never exceeds
//! it; without (embedded mode) a bounded in-process map does the same. Time is passed in by the caller
//! (milliseconds), so tests move it instead of sleeping.

pub use super::shared::{PAUSED, Redis};
use std::collections::HashMap;
use std::sync::Mutex;

/// A bucket's size and refill rate.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub capacity: u64,
    pub per_second: u64,
}

impl Shape {
    pub(super) fn per_ms(self) -> f64 {
        self.per_second as f64 / 1000.0
    }

    /// The bucket of `points` at `at`, refilled until `now`.
    fn refilled(self, points: f64, at: i64, now: i64) -> f64 {
        let elapsed = (now - at).max(0) as f64;
        (points + elapsed * self.per_ms()).min(self.capacity as f64)
    }

    /// How long an idle bucket is worth keeping (it is full again after this).
    pub(super) fn idle_ms(self) -> i64 {
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
