//! The cost budget: every response reports it; a request over it runs nothing (429,
//! `Retry-After`, `RATE_LIMITED`); `rateLimit` reads it for free; each caller has its own
//! bucket, so one client hammering the API does not hold up another; the buckets refill
//! with time (moved by the test, not slept).

use super::*;
use api::budget::store::{Memory, Redis, Shape, Store};
use e2e::services::RedisServer;
use e2e::ws::WsClient;
use e2e::{Backend, spawn_app_with};

/// 1 + 10 × (edges + node + id) = 31 points.
const PAGE: &str = "{ offers(first: 10) { edges { node { id } } } }";

async fn app_with_budget(bucket: u64, per_second: u64) -> TestApp {
    spawn_app_with(Backend::Sqlite, |s| {
        s.rate_limits.cost_bucket = bucket;
        s.rate_limits.cost_restore_per_second = per_second;
    })
    .await
}

async fn refill_as_time_passes(store: Store) {
    let shape = Shape {
        capacity: 1_000,
        per_second: 50,
    };
    let take = |cost, at| store.take("client:1", cost, shape, at);
    let t0 = 1_700_000_000_000;
    let first = take(600, t0).await.unwrap();
    assert!(first.allowed && first.remaining == 400.0, "{first:?}");
    let refused = take(500, t0).await.unwrap();
    assert!(
        !refused.allowed && refused.remaining == 400.0,
        "{refused:?}"
    );
    // Two seconds later 100 points have come back.
    let later = take(500, t0 + 2_000).await.unwrap();
    assert!(later.allowed && later.remaining == 0.0, "{later:?}");
    // Reading costs nothing; a full bucket does not overflow.
    let read = take(0, t0 + 3_600_000).await.unwrap();
    assert_eq!(read.remaining, 1_000.0);
    assert_eq!(take(0, t0 + 3_600_000).await.unwrap().remaining, 1_000.0);
    // Other callers have their own buckets.
    assert_eq!(
        store
            .take("client:2", 1, shape, t0)
            .await
            .unwrap()
            .remaining,
        999.0
    );
}

#[tokio::test]
async fn buckets_refill_in_process_and_in_redis() {
    refill_as_time_passes(Store::Memory(Memory::new(100))).await;
    let redis = RedisServer::start();
    refill_as_time_passes(Store::Redis(Redis::connect(&redis.url()).await.unwrap())).await;
}

/// 200 charges of one point at once on a bucket of 100 that does not refill: while a call
/// is in flight the next charges wait and go together, yet each is answered as if alone:
/// exactly 100 are allowed, each leaving the bucket one point lower (99 down to 0, each
/// once), the other 100 see it empty; and the charges took fewer script runs than there
/// were charges.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charges_sent_together_are_each_answered_as_if_alone() {
    let redis = RedisServer::start();
    let shape = Shape {
        capacity: 100,
        per_second: 0,
    };
    let t0 = 1_700_000_000_000;
    let store = std::sync::Arc::new(Store::Redis(Redis::connect(&redis.url()).await.unwrap()));
    let charges: Vec<_> = (0..200)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.take("client:7", 1, shape, t0).await.unwrap() })
        })
        .collect();
    let mut answers = Vec::new();
    for charge in charges {
        answers.push(charge.await.unwrap());
    }
    let mut left: Vec<i64> = answers
        .iter()
        .filter(|a| a.allowed)
        .map(|a| a.remaining as i64)
        .collect();
    left.sort_unstable();
    assert_eq!(left, (0..100).collect::<Vec<_>>());
    assert!(
        answers
            .iter()
            .filter(|a| !a.allowed)
            .all(|a| a.remaining == 0.0)
    );
    assert_eq!(answers.iter().filter(|a| !a.allowed).count(), 100);
    let Store::Redis(redis_store) = &*store else {
        unreachable!()
    };
    let calls = redis_store.calls();
    assert!(calls < 200, "{calls} script runs for 200 charges");
    eprintln!("200 charges in {calls} script runs");
    // Charges that go together are each refilled to their own time, in order: a bucket
    // of 100 at 10 points/s, emptied at t0; 400 ms later 4 points are back (a charge of 5
    // is refused), 600 ms later 6 (a charge of 1 leaves 5), however they travel.
    let shape = Shape {
        capacity: 100,
        per_second: 10,
    };
    let key = "client:8";
    assert!(store.take(key, 100, shape, t0).await.unwrap().allowed);
    let (a, b) = tokio::join!(
        store.take(key, 5, shape, t0 + 400),
        store.take(key, 1, shape, t0 + 600)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(!a.allowed && a.remaining == 4.0, "{a:?}");
    assert!(b.allowed && b.remaining == 5.0, "{b:?}");
}

#[tokio::test]
async fn the_in_process_map_is_bounded() {
    let memory = Memory::new(2);
    let shape = Shape {
        capacity: 10,
        per_second: 1,
    };
    let store = Store::Memory(memory);
    for (n, key) in ["a", "b", "c", "d"].into_iter().enumerate() {
        store.take(key, 5, shape, n as i64).await.unwrap();
    }
    let Store::Memory(memory) = &store else {
        unreachable!()
    };
    assert!(memory.len() <= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_reports_the_budget_and_an_overdraft_runs_nothing() {
    let app = app_with_budget(300, 0).await;
    let admin = provider(&app).await;
    let client = create(&app, &admin, &["CUSTOMERS_READ"]).await;
    let token = access_token(&app, &client, None).await;

    let res = app.gql("{ __typename }", json!({}), Some(&token)).await;
    assert_eq!(
        res.body["extensions"]["cost"],
        json!({ "requestedQueryCost": 1, "throttleStatus": {
            "maximumAvailable": 300, "currentlyAvailable": 299, "restoreRate": 0 } })
    );
    let read = app
        .gql(
            "{ rateLimit { limit remaining restoreRate resetAt } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(read.body["extensions"]["cost"]["requestedQueryCost"], 0);
    assert_eq!(read.data()["rateLimit"]["remaining"], 299);
    assert_eq!(read.data()["rateLimit"]["limit"], 300);
    assert!(
        read.data()["rateLimit"]["resetAt"].is_null(),
        "nothing refills"
    );
    // A request that could never be paid for is too complex, not rate limited.
    let big = app
        .gql(
            "{ offers(first: 100) { edges { node { id } } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(big.error_code(), "QUERY_TOO_COMPLEX");

    for left in [268, 237, 206, 175, 144, 113, 82, 51, 20] {
        let res = app.gql(PAGE, json!({}), Some(&token)).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(
            res.body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"],
            left
        );
    }
    let over = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&token)
        .json(&json!({ "query": PAGE }))
        .send()
        .await
        .unwrap();
    assert_eq!(over.status(), 429);
    assert!(
        over.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );
    let body: Value = over.json().await.unwrap();
    assert!(body.get("data").is_none(), "nothing ran: {body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    assert!(
        body["errors"][0]["extensions"]["retryAfterSeconds"]
            .as_i64()
            .unwrap()
            > 0
    );
    assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 31);
    assert_eq!(
        body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"],
        20
    );
    // Reading the budget still works, and other callers are not affected: the ADMIN's
    // session and an anonymous address have buckets of their own.
    let read = app
        .gql("{ rateLimit { remaining } }", json!({}), Some(&token))
        .await;
    assert_eq!(read.data()["rateLimit"]["remaining"], 20);
    let res = app.gql(PAGE, json!({}), Some(&admin)).await;
    assert_eq!(res.status, 200);
    let res = app.gql("{ __typename }", json!({}), None).await;
    assert_eq!(res.status, 200);

    // Over WebSocket each operation start is charged from the same bucket.
    let mut ws = WsClient::signed_in(&app.address, &token).await;
    ws.subscribe("1", "{ __typename }", json!({})).await;
    let next = ws.message_for("1").await;
    assert_eq!(
        next["payload"]["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"],
        19
    );
    ws.subscribe("2", PAGE, json!({})).await;
    let refused = ws.message_for("2").await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "RATE_LIMITED");
}

/// One client hammering the API spends only its own bucket: another client's requests keep
/// being served throughout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_hammering_does_not_hold_up_another() {
    let app = app_with_budget(310, 10).await;
    let admin = provider(&app).await;
    let noisy = create(&app, &admin, &["CUSTOMERS_READ"]).await;
    let quiet = create(&app, &admin, &["CUSTOMERS_READ"]).await;
    let noisy = access_token(&app, &noisy, None).await;
    let quiet = access_token(&app, &quiet, None).await;
    let hammer = futures::future::join_all((0..40).map(|_| app.gql(PAGE, json!({}), Some(&noisy))));
    let steady = async {
        let mut statuses = Vec::new();
        for _ in 0..5 {
            statuses.push(app.gql(PAGE, json!({}), Some(&quiet)).await.status);
        }
        statuses
    };
    let (hammered, steady) = tokio::join!(hammer, steady);
    let refused = hammered.iter().filter(|r| r.status == 429).count();
    assert!(
        refused >= 25,
        "the noisy client ran out: {refused} of 40 refused"
    );
    assert_eq!(
        steady,
        vec![200; 5],
        "the quiet client was served every time"
    );
}
