//! Buckets in Redis, shared by every replica: one hash per caller, charged by one Lua script
//! (`script`) that reads, refills, charges and writes it atomically, so the sum spent never
//! exceeds the bucket.
//!
//! **Charges of one caller travel together.** While a call for a bucket is in flight, the
//! caller's next charges wait and then go in one call (at most [`MAX_BATCH`]), which the
//! script applies one after the other, in arrival order, each refilled to its own time
//! and answered with the bucket as it left it: exactly what separate calls in that order
//! would have answered, for one round trip. A lone request goes at once. The calls run on a
//! task of their own per bucket, so a request that is dropped mid-charge (its client gone)
//! leaves nothing half-done behind.
//!
//! **A busy caller is charged in process** from a lease of its bucket (`lease`): when a
//! call carries several charges, or a lease just ran out, the same call leases a share of
//! the bucket to this replica, and the caller's next requests pay from it without waiting
//! for Redis.
//!
//! After a failure Redis is not asked again for [`PAUSE_MS`]: during an outage requests are
//! served uncharged at once instead of each waiting for a timeout.

mod drain;
mod lease;
mod script;

use super::store::{Shape, Taken};
use drain::drain;
use lease::Lease;
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

/// One charge waiting for its call.
struct Pending {
    cost: u64,
    now: i64,
    answer: oneshot::Sender<Result<Taken, redis::RedisError>>,
}

/// The charges of one bucket waiting for its next call.
#[derive(Default)]
struct Queue {
    charges: Vec<Pending>,
    /// The unspent points of this replica's lease, which go back with the next call.
    returning: u64,
    /// A lease ran out: the next call asks for another.
    ran_out: bool,
}

#[derive(Default)]
struct Buckets {
    /// Per bucket key; a key is present while its task runs.
    waiting: HashMap<String, Queue>,
    /// Per bucket key; never present while the key is waiting.
    leases: HashMap<String, Lease>,
}

struct Inner {
    connection: redis::aio::ConnectionManager,
    script: redis::Script,
    /// This replica's field in a bucket's hash for its lease.
    lease_field: String,
    /// Whether leases are taken at all.
    leases: bool,
    /// Until when (ms since the epoch, the wall clock) Redis is left alone.
    paused_until: AtomicI64,
    buckets: Mutex<Buckets>,
    /// Script runs so far (tests and the benchmark read it).
    calls: AtomicU64,
}

pub struct Redis {
    inner: Arc<Inner>,
}

impl Redis {
    /// With leases (`RATE_LIMITS__COST_LEASES`'s default).
    pub async fn connect(url: &str) -> Result<Self, redis::RedisError> {
        Self::connect_with(url, true).await
    }

    /// `leases`: whether a busy caller may be charged from a lease.
    pub async fn connect_with(url: &str, leases: bool) -> Result<Self, redis::RedisError> {
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
                script: script::script(),
                lease_field: format!("l:{}", uuid::Uuid::new_v4().simple()),
                leases,
                paused_until: AtomicI64::new(0),
                buckets: Mutex::new(Buckets::default()),
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
        let (answered, first) = {
            let mut buckets = self.inner.lock();
            let Buckets { waiting, leases } = &mut *buckets;
            if let Some(queue) = waiting.get_mut(key) {
                // Behind the charges already waiting, in arrival order.
                let (answer, answered) = oneshot::channel();
                queue.charges.push(Pending { cost, now, answer });
                (answered, false)
            } else {
                if let Some(lease) = leases.get_mut(key)
                    && let Some(remaining) = lease.spend(cost, now, shape.per_ms())
                {
                    return Ok(Taken {
                        allowed: true,
                        remaining,
                    });
                }
                let wall = chrono::Utc::now().timestamp_millis();
                if wall < self.inner.paused_until.load(Ordering::Relaxed) {
                    return Err(paused());
                }
                let (answer, answered) = oneshot::channel();
                let mut queue = Queue::default();
                if let Some(lease) = leases.remove(key) {
                    // Spent, or past its life: what is left goes back with this call.
                    queue.returning = lease.left;
                    queue.ran_out = now < lease.until;
                }
                queue.charges.push(Pending { cost, now, answer });
                waiting.insert(key.to_owned(), queue);
                (answered, true)
            }
        };
        if first {
            tokio::spawn(drain(self.inner.clone(), key.to_owned(), shape));
        }
        wait(answered).await
    }
}

async fn wait(
    answered: oneshot::Receiver<Result<Taken, redis::RedisError>>,
) -> Result<Taken, redis::RedisError> {
    answered.await.unwrap_or_else(|_| {
        Err(redis::RedisError::from((
            redis::ErrorKind::Io,
            "the charge was not answered",
        )))
    })
}
impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, Buckets> {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn paused() -> redis::RedisError {
    redis::RedisError::from((redis::ErrorKind::Io, PAUSED))
}
