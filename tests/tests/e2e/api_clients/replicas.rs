//! The budget across replicas: two API processes on one PostgreSQL and one Redis spend from
//! one bucket per caller. Requests sent to both at once never spend more than the bucket.

use super::*;
use e2e::services::RedisServer;
use e2e::{Backend, spawn_app_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_one_bucket() {
    let redis = RedisServer::start();
    let redis_url = redis.url();
    let budget = |s: &mut api::Settings| {
        s.redis_url = Some(redis_url.clone().into());
        s.rate_limits.cost_bucket = 1_000;
        s.rate_limits.cost_restore_per_second = 0;
    };
    let first = spawn_app_with(Backend::Postgres, budget).await;
    let database_url = first.database_url.clone().expect("PostgreSQL");
    let second = spawn_app_with(Backend::Postgres, |s| {
        budget(s);
        s.database_url = Some(database_url.clone().into());
    })
    .await;
    let admin = provider(&first).await;
    let client = create(&first, &admin, &["CUSTOMERS_READ"]).await;
    let token = access_token(&second, &client, None).await;

    // 31 points each, 40 at once, half to each replica: 32 could be paid for, not 40.
    const PAGE: &str = "{ offers(first: 10) { edges { node { id } } } }";
    let sent = (0..40).map(|n| {
        let app = if n % 2 == 0 { &first } else { &second };
        app.gql(PAGE, json!({}), Some(&token))
    });
    let answers = futures::future::join_all(sent).await;
    let served = answers.iter().filter(|a| a.status == 200).count();
    let refused = answers.iter().filter(|a| a.status == 429).count();
    assert_eq!(served + refused, 40);
    assert!(served * 31 <= 1_000, "spent {} of 1,000", served * 31);
    assert_eq!(served, 32, "every point that could be spent was");
    for app in [&first, &second] {
        let read = app
            .gql("{ rateLimit { remaining } }", json!({}), Some(&token))
            .await;
        assert_eq!(read.data()["rateLimit"]["remaining"], 1_000 - 32 * 31);
    }
}
