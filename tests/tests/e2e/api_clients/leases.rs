//! A busy caller's charges paid from a lease of its bucket (`api::budget` shared store):
//! points taken from the shared bucket in advance by one replica. Two replicas on one real
//! Redis, time moved by the test: what a lease takes out is exactly what its replica can
//! spend, it comes back, a lease left behind is dropped, and under load from both replicas
//! the bucket is never overspent.

use api::budget::store::{Redis, Shape, Store};
use e2e::services::RedisServer;
use std::sync::Arc;

const T0: i64 = 1_700_000_000_000;

async fn replica(redis: &RedisServer) -> Store {
    Store::Redis(Redis::connect(&redis.url()).await.unwrap())
}

fn calls(store: &Store) -> u64 {
    let Store::Redis(redis) = store else {
        unreachable!()
    };
    redis.calls()
}

/// Ten charges at once on one replica: the call that carries them leases 50 points (a
/// twentieth of 1,000) to that replica, which pays the next charges without Redis.
async fn ten_at_once(store: &Store, key: &str, shape: Shape, at: i64) -> Vec<f64> {
    let charges = (0..10).map(|_| store.take(key, 1, shape, at));
    futures::future::join_all(charges)
        .await
        .into_iter()
        .map(|taken| {
            let taken = taken.unwrap();
            assert!(taken.allowed);
            taken.remaining
        })
        .collect()
}

#[tokio::test]
async fn a_lease_is_spent_in_process_and_comes_back() {
    let redis = RedisServer::start();
    let (a, b) = (replica(&redis).await, replica(&redis).await);
    let shape = Shape {
        capacity: 1_000,
        per_second: 0,
    };
    let key = "client:lease";
    let seen = ten_at_once(&a, key, shape, T0).await;
    assert_eq!(seen, (990..1000).rev().map(f64::from).collect::<Vec<_>>());
    let before = calls(&a);
    // Paid from the lease: the bucket as this replica sees it, no script run.
    for left in [989.0, 988.0, 987.0] {
        assert_eq!(a.take(key, 1, shape, T0).await.unwrap().remaining, left);
    }
    assert_eq!(calls(&a), before, "the lease paid without Redis");
    // The other replica meets the bucket without the 50 leased points: 1,000 − 10 − 50 − 1
    // (what the lease has spent is out of Redis already).
    assert_eq!(b.take(key, 1, shape, T0).await.unwrap().remaining, 939.0);
    // Past its life the lease is not spent; its unspent 47 points go back with the next
    // call, and that call's answer is the bucket's own: 1,000 − 10 − 3 − 1 − 1.
    let after = a.take(key, 1, shape, T0 + 1_000).await.unwrap();
    assert!(after.allowed);
    assert_eq!(after.remaining, 985.0);
    assert_eq!(calls(&a), before + 1);
    assert_eq!(
        b.take(key, 0, shape, T0 + 1_000).await.unwrap().remaining,
        985.0
    );
}

/// Charges that arrive while the call that leases is in flight wait for it, then are paid
/// from its lease in arrival order; a lease spent to the end brings the next one with the
/// call that needs it.
#[tokio::test]
async fn charges_waiting_for_the_call_are_paid_from_its_lease_and_a_spent_lease_is_renewed() {
    let redis = RedisServer::start();
    let a = replica(&redis).await;
    let shape = Shape {
        capacity: 1_000,
        per_second: 0,
    };
    let key = "client:waiting";
    let first = ten_at_once(&a, key, shape, T0);
    let later = futures::future::join_all((0..5).map(|_| async {
        // Sent once the first call has gone out.
        while calls(&a) == 0 {
            tokio::task::yield_now().await;
        }
        a.take(key, 1, shape, T0).await.unwrap()
    }));
    let (first, later) = tokio::join!(first, later);
    assert_eq!(first, (990..1000).rev().map(f64::from).collect::<Vec<_>>());
    let mut later: Vec<f64> = later
        .into_iter()
        .map(|taken| {
            assert!(taken.allowed);
            taken.remaining
        })
        .collect();
    later.sort_by(|x, y| y.total_cmp(x));
    assert_eq!(later, vec![989.0, 988.0, 987.0, 986.0, 985.0]);
    assert_eq!(calls(&a), 1, "paid from the lease the first call brought");
    // The lease's other 45 points, then the call that needs more: it takes one more point
    // and a new lease of 50, in one script run.
    for left in (940..985).rev() {
        assert_eq!(
            a.take(key, 1, shape, T0).await.unwrap().remaining,
            f64::from(left)
        );
    }
    assert_eq!(calls(&a), 1);
    assert_eq!(a.take(key, 1, shape, T0).await.unwrap().remaining, 939.0);
    assert_eq!(a.take(key, 1, shape, T0).await.unwrap().remaining, 938.0);
    assert_eq!(
        calls(&a),
        2,
        "the second lease came with the call that needed it"
    );
}

/// A lease whose replica is gone (never brought back) is dropped by Redis a second after its
/// life: until then the bucket refills only up to its capacity less the lease, so the bucket
/// and the lease together never exceed it; then its unspent points are forfeited and the
/// bucket refills to its whole capacity again.
#[tokio::test]
async fn a_lease_left_behind_holds_its_points_out_then_is_dropped() {
    let redis = RedisServer::start();
    let b = replica(&redis).await;
    let shape = Shape {
        capacity: 1_000,
        per_second: 10,
    };
    let key = "client:gone";
    {
        let a = replica(&redis).await;
        ten_at_once(&a, key, shape, T0).await;
        // 990 left, 50 leased: 940 in Redis.
    }
    // 1.5 s later 15 points have come back, but Redis refills only up to 950 while the 50
    // are out.
    let held = b.take(key, 0, shape, T0 + 1_500).await.unwrap();
    assert_eq!(held.remaining, 950.0);
    // Until its grace ends (life 1 s + grace 1 s) Redis keeps it out...
    let still = b.take(key, 0, shape, T0 + 1_999).await.unwrap();
    assert_eq!(still.remaining, 950.0);
    // ...at 2 s it is dropped: 940 + 20 refilled, and from then on up to 1,000.
    let dropped = b.take(key, 0, shape, T0 + 2_000).await.unwrap();
    assert_eq!(dropped.remaining, 960.0);
    let full = b.take(key, 1, shape, T0 + 10_000).await.unwrap();
    assert_eq!(full.remaining, 999.0);
}

/// Both replicas hammer one bucket with concurrent charges (leases taken, spent, brought
/// back): together they never allow more than the bucket holds, and at most one lease's
/// points per replica (50) go unspent at the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_busy_replicas_never_overspend_the_bucket() {
    let redis = RedisServer::start();
    let replicas = [
        Arc::new(replica(&redis).await),
        Arc::new(replica(&redis).await),
    ];
    let shape = Shape {
        capacity: 1_000,
        per_second: 0,
    };
    let workers = (0..32).map(|n| {
        let store = replicas[n % 2].clone();
        tokio::spawn(async move {
            let mut allowed = 0u64;
            for _ in 0..50 {
                if store
                    .take("client:busy", 1, shape, T0)
                    .await
                    .unwrap()
                    .allowed
                {
                    allowed += 1;
                }
                tokio::task::yield_now().await;
            }
            allowed
        })
    });
    let mut allowed = 0;
    for worker in futures::future::join_all(workers).await {
        allowed += worker.unwrap();
    }
    assert!(allowed <= 1_000, "{allowed} points spent of 1,000");
    assert!(allowed >= 900, "only {allowed} of 1,000 spent");
    let runs: u64 = replicas.iter().map(|r| calls(r)).sum();
    eprintln!("1,600 charges on two replicas: {allowed} allowed, {runs} script runs");
}

/// With leases off (`RATE_LIMITS__COST_LEASES=false`) every charge asks Redis, and each
/// replica's figure is the bucket's exact one.
#[tokio::test]
async fn with_leases_off_every_charge_asks_redis() {
    let redis = RedisServer::start();
    let exact = || async { Store::Redis(Redis::connect_with(&redis.url(), false).await.unwrap()) };
    let (a, b) = (exact().await, exact().await);
    let shape = Shape {
        capacity: 1_000,
        per_second: 0,
    };
    let key = "client:exact";
    ten_at_once(&a, key, shape, T0).await;
    let before = calls(&a);
    assert_eq!(a.take(key, 1, shape, T0).await.unwrap().remaining, 989.0);
    assert_eq!(calls(&a), before + 1);
    assert_eq!(b.take(key, 1, shape, T0).await.unwrap().remaining, 988.0);
    assert_eq!(a.take(key, 1, shape, T0).await.unwrap().remaining, 987.0);
}
