//! Points a replica holds for a busy bucket, so that a caller's requests are charged in
//! process instead of each waiting for Redis.
//!
//! **Why.** Every request pays its charge before it runs. For a cheap request (`{ __typename }`,
//! a small trusted document) the wait for Redis's answer, not Redis's work, is most of what
//! the budget costs: the request parks, the runtime wakes it. A caller that keeps a replica
//! busy (concurrent charges, or a lease it just used up) therefore takes a *lease*: points
//! charged from the shared bucket in advance, in the same script run as the charges that
//! asked, and spent here one request at a time.
//!
//! **Why it never spends more than the bucket.** Leased points are taken out of the bucket
//! when leased, and while a lease is out the bucket refills only up to its capacity less
//! every lease held (each replica's lease is a field of the bucket's hash). So the bucket's
//! points plus every replica's unspent lease never exceed the capacity, and everything a
//! replica allows was paid for in Redis.
//!
//! **What it gives up.** A replica reports the bucket as it saw it at its last call to
//! Redis (refilled to now) plus its own lease: another replica's spending since then is
//! not in the figure, nor is another replica's unspent lease, which cannot be spent here;
//! and the points a lease has spent do not refill until the lease goes back. The figure is
//! at most one lease life ([`LIFE_MS`]) old, and what a caller can spend at once is short of
//! the exact bucket by at most the leases held elsewhere (each [`size`]: a twentieth of the
//! bucket, at most [`MOST_POINTS`]). A lease is used only for its life; its unspent points
//! go back with the bucket's next call, and Redis drops a lease left behind (a replica gone)
//! [`GRACE_MS`] later, its unspent points forfeited.
//!
//! **Clocks.** A lease's life is measured with the replicas' wall clocks (the time every
//! charge carries), as the buckets' refill already was. A replica spends its lease until
//! `until`; another replica's call drops it at `until` + [`GRACE_MS`]. Replicas whose clocks
//! differ by more than that grace (or a clock stepped back as far) could spend a lease Redis
//! has already dropped: up to one lease per replica beyond the bucket. Keep the replicas'
//! clocks synchronized (NTP keeps them within milliseconds).
//!
//! Within one replica the answers stay exactly those of the bucket when time does not move:
//! charges are answered in arrival order, from the lease or by the script, never both at
//! once (a charge that finds others waiting for Redis waits behind them).

/// How long a replica spends from a lease.
pub const LIFE_MS: i64 = 1_000;

/// How long after that Redis keeps a lease's points out of the bucket, waiting for the rest
/// to come back; then it drops the lease (the replica is gone) and its points with it.
pub const GRACE_MS: i64 = 1_000;

/// The largest lease, whatever the bucket.
pub const MOST_POINTS: u64 = 10_000;

/// Most buckets leased at once on one replica (bounded memory whatever the callers).
pub const MOST_LEASES: usize = 10_000;

/// The lease to ask for, if any, when a call carries charges of at most `largest` points:
/// a twentieth of the bucket, at most [`MOST_POINTS`], and only if it pays for at least
/// four such charges (a lease of one or two requests would only hold points back). Reads
/// (cost 0) lease nothing: reading the budget spends none.
pub fn size(capacity: u64, largest: u64) -> u64 {
    let points = (capacity / 20).min(MOST_POINTS);
    if largest > 0 && points >= largest.saturating_mul(4) {
        points
    } else {
        0
    }
}

/// A lease held by this replica, with what its last call saw of the bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lease {
    /// Points still to spend.
    pub left: u64,
    /// Until when (ms) this replica spends from it.
    pub until: i64,
    /// The points in Redis after the call that leased it, at `at`.
    pub level: f64,
    pub at: i64,
    /// The capacity less every lease held at that call: what Redis refills up to.
    pub ceiling: f64,
}

impl Lease {
    /// The bucket as this replica sees it at `now`: Redis refilled, plus the lease.
    pub fn remaining(&self, now: i64, per_ms: f64) -> f64 {
        let elapsed = (now - self.at).max(0) as f64;
        (self.level + elapsed * per_ms).min(self.ceiling) + self.left as f64
    }

    /// Pays `cost` from the lease at `now` if it can: the bucket as seen after the charge.
    pub fn spend(&mut self, cost: u64, now: i64, per_ms: f64) -> Option<f64> {
        if now >= self.until || cost > self.left {
            return None;
        }
        self.left -= cost;
        Some(self.remaining(now, per_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_pays_for_several_charges_or_is_not_taken() {
        assert_eq!(size(1_000, 1), 50);
        assert_eq!(size(1_000, 12), 50);
        assert_eq!(size(1_000, 13), 0, "50 points would pay for 3 charges");
        assert_eq!(size(1_000_000_000, 500), MOST_POINTS);
        assert_eq!(size(19, 1), 0, "a bucket of 19 leases nothing");
        assert_eq!(size(1_000, 0), 0, "reads lease nothing");
    }

    #[test]
    fn spending_reports_the_bucket_and_stops_at_the_end_of_the_lease() {
        let mut lease = Lease {
            left: 3,
            until: 2_000,
            level: 90.0,
            at: 1_000,
            ceiling: 95.0,
        };
        // No time passes: 90 in Redis and what is left here.
        assert_eq!(lease.spend(1, 1_000, 0.01), Some(92.0));
        // 500 ms at 10 points/s would bring Redis to 95, its ceiling while leased.
        assert_eq!(lease.spend(1, 1_500, 0.01), Some(96.0));
        assert_eq!(lease.spend(2, 1_500, 0.01), None, "one point left");
        assert_eq!(lease.spend(1, 2_000, 0.01), None, "over at `until`");
        assert_eq!(lease.left, 1);
    }
}
