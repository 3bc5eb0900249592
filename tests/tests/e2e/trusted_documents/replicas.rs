//! Two replicas on one PostgreSQL and one Redis: a document added on one is served by the
//! other at once (a miss reads the table); one removed on one stops on the other as soon
//! as the removal's event reaches it (the event signal), though the other had it cached.

use super::*;
use e2e::services::RedisServer;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removal_reaches_the_other_replica() {
    let redis = RedisServer::start();
    let redis_url = redis.url();
    let shared = |s: &mut api::Settings| s.redis_url = Some(redis_url.clone().into());
    let first = spawn_app_with(Backend::Postgres, shared).await;
    let database_url = first.database_url.clone().expect("PostgreSQL");
    let second = spawn_app_with(Backend::Postgres, |s| {
        shared(s);
        s.database_url = Some(database_url.clone().into());
    })
    .await;
    let admin = first.platform_admin_token().await;
    // Unknown on the second replica first (it remembers the miss)...
    let missing = by_id(&second, &id_of(OFFERS), json!({}), Some(&admin)).await;
    assert_eq!(missing.error_code(), "PERSISTED_QUERY_NOT_FOUND");
    // ...then added on the first: the second learns of it from the addition's event.
    trust(&first, &[OFFERS]).await;
    let served = eventually(&second, &admin, |g| g.body["data"]["offers"].is_object()).await;
    assert!(served, "the second replica never served the added document");
    // Cached on both; removed on the first.
    assert!(
        by_id(&first, &id_of(OFFERS), json!({}), Some(&admin))
            .await
            .data()["offers"]
            .is_object()
    );
    let removed = first
        .gql(REMOVE, json!({ "id": id_of(OFFERS) }), Some(&admin))
        .await;
    assert_eq!(
        removed.data()["removeTrustedDocument"]["userErrors"],
        json!([])
    );
    let gone = by_id(&first, &id_of(OFFERS), json!({}), Some(&admin)).await;
    assert_eq!(gone.error_code(), "PERSISTED_QUERY_NOT_FOUND");
    let stopped = eventually(&second, &admin, |g| {
        g.body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    })
    .await;
    assert!(
        stopped,
        "the second replica still serves the removed document"
    );
}

/// Asks `app` for OFFERS by id until `done` holds (at most 10 s: the hub also looks every
/// second without a signal).
async fn eventually(app: &TestApp, token: &str, done: impl Fn(&Gql) -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if done(&by_id(app, &id_of(OFFERS), json!({}), Some(token)).await) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}
