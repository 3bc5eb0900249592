//! A bucket's task: its waiting charges sent to Redis together, the lease the call brings
//! back, and the charges that waited during the call paid from it.

use super::lease::{self, Lease};
use super::{Buckets, Inner, MAX_BATCH, PAUSE_MS, Pending, paused, script};
use crate::budget::store::{Shape, Taken};
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// One call's charges and what goes with them.
struct Batch {
    charges: Vec<Pending>,
    returning: u64,
    want: u64,
}

/// Runs the charges of `key` until none is waiting, then lets the key go (the next charge
/// starts a new task, or pays from the lease this task left).
pub(super) async fn drain(inner: Arc<Inner>, key: String, shape: Shape) {
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
                self.inner.lock().waiting.remove(self.key);
            }
        }
    }
    let mut release = Release {
        inner: &inner,
        key: &key,
        done: false,
    };
    loop {
        let Some(batch) = next_batch(&inner, &key, shape) else {
            release.done = true;
            return;
        };
        let Batch {
            charges,
            returning,
            want,
        } = batch;
        let until = charges.iter().map(|p| p.now).max().unwrap_or(0) + lease::LIFE_MS;
        let call = script::Call {
            key: &key,
            lease_field: &inner.lease_field,
            returning,
            want,
            keep_until: until + lease::GRACE_MS,
            charges: charges.iter().map(|p| (p.now, p.cost)).collect(),
        };
        match charge(&inner, shape, &call).await {
            Ok(answer) => {
                for (pending, taken) in charges.into_iter().zip(answer.taken) {
                    // A request that is gone does not read its answer; its charge stands.
                    let _ = pending.answer.send(Ok(taken));
                }
                if answer.leased > 0 {
                    let lease = Lease {
                        left: answer.leased,
                        until,
                        level: answer.level,
                        at: answer.at,
                        ceiling: answer.ceiling,
                    };
                    if settle(&inner, &key, shape, lease) {
                        release.done = true;
                        return;
                    }
                }
            }
            Err(e) => {
                // The lease's unspent points go back with the next call, if one follows
                // before the key is let go (else Redis drops the lease after its grace).
                if let Some(queue) = inner.lock().waiting.get_mut(&*key) {
                    queue.returning += returning;
                }
                for pending in charges {
                    let _ = pending.answer.send(Err(redis::RedisError::from((
                        e.kind(),
                        "cost budget call failed",
                        e.to_string(),
                    ))));
                }
            }
        }
    }
}

/// The charges of `key` for its next call, or `None` (the key let go) when none waits.
fn next_batch(inner: &Inner, key: &str, shape: Shape) -> Option<Batch> {
    let mut buckets = inner.lock();
    let Buckets { waiting, leases } = &mut *buckets;
    let queue = waiting.get_mut(key)?;
    if queue.charges.is_empty() {
        waiting.remove(key);
        return None;
    }
    let n = queue.charges.len().min(MAX_BATCH);
    let charges: Vec<Pending> = queue.charges.drain(..n).collect();
    let busy = charges.len() > 1 || std::mem::take(&mut queue.ran_out);
    let returning = std::mem::take(&mut queue.returning);
    let largest = charges.iter().map(|p| p.cost).max().unwrap_or(0);
    let mut want = if inner.leases && busy {
        lease::size(shape.capacity, largest)
    } else {
        0
    };
    if want > 0 && leases.len() >= lease::MOST_LEASES {
        // Only a call that would lease pays for the sweep: leases of callers that did not
        // come back, past their life, pay nothing.
        let latest = charges.iter().map(|p| p.now).max().unwrap_or(0);
        leases.retain(|_, held| held.until > latest);
        if leases.len() >= lease::MOST_LEASES {
            want = 0;
        }
    }
    Some(Batch {
        returning,
        charges,
        want,
    })
}

/// Answers the charges that waited during the call from the new lease, in order. True when
/// none is left waiting: the lease is kept and the key let go. Otherwise the lease (unable to
/// pay the next one) goes back with the next call.
fn settle(inner: &Inner, key: &str, shape: Shape, mut lease: Lease) -> bool {
    let mut buckets = inner.lock();
    let Buckets { waiting, leases } = &mut *buckets;
    let paid: Vec<f64> = match waiting.get(key) {
        Some(queue) => queue
            .charges
            .iter()
            .map_while(|p| lease.spend(p.cost, p.now, shape.per_ms()))
            .collect(),
        None => Vec::new(),
    };
    let queue = waiting.get_mut(key);
    if let Some(queue) = queue {
        for (pending, remaining) in queue.charges.drain(..paid.len()).zip(paid) {
            let _ = pending.answer.send(Ok(Taken {
                allowed: true,
                remaining,
            }));
        }
        if !queue.charges.is_empty() {
            queue.returning = lease.left;
            queue.ran_out = true;
            return false;
        }
    }
    waiting.remove(key);
    if leases.len() < lease::MOST_LEASES {
        leases.insert(key.to_owned(), lease);
    }
    // Else (full with other callers' leases since the call went out) the lease is not kept:
    // Redis holds its points until the grace ends, then drops it.
    true
}

/// One script run for `call`, or the error every charge in it gets.
async fn charge(
    inner: &Inner,
    shape: Shape,
    call: &script::Call<'_>,
) -> Result<script::Answer, redis::RedisError> {
    let wall = chrono::Utc::now().timestamp_millis();
    if wall < inner.paused_until.load(Ordering::Relaxed) {
        return Err(paused());
    }
    inner.calls.fetch_add(1, Ordering::Relaxed);
    let mut connection = inner.connection.clone();
    let answer = script::run(&inner.script, &mut connection, shape, call).await;
    if let Err(e) = &answer
        && e.kind() != redis::ErrorKind::Parse
    {
        inner.paused_until.store(wall + PAUSE_MS, Ordering::Relaxed);
    }
    answer
}
