//! Health, readiness, GraphiQL, request ids.

use e2e::services::RedisServer;
use e2e::{Backend, spawn_app, spawn_app_with};
use serde_json::Value;

#[tokio::test]
async fn health_readiness_graphiql_and_request_ids() {
    let app = spawn_app(Backend::Sqlite).await;
    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let ready = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["checks"]["database"], "ok");
    assert!(
        body["checks"].get("redis").is_none(),
        "Redis not configured in embedded mode"
    );

    let page = app
        .client
        .get(format!("{}/graphiql", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .to_lowercase()
            .contains("graphiql")
    );

    let resp = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&serde_json::json!({"query": "{ __typename }"}))
        .send()
        .await
        .unwrap();
    let id = resp
        .headers()
        .get("x-request-id")
        .expect("request id header");
    assert_eq!(id.to_str().unwrap().len(), 36, "a UUID");
}

#[tokio::test]
async fn readiness_checks_redis_when_configured() {
    let mut redis = RedisServer::start();
    let url = redis.url();
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.redis_url = Some(url.into());
    })
    .await;
    let readyz = || async {
        let resp = app
            .client
            .get(format!("{}/readyz", app.address))
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
    };
    let (status, body) = readyz().await;
    assert_eq!(
        (status, body["checks"]["redis"].as_str()),
        (200, Some("ok"))
    );

    // Redis goes away: not ready, and the body says which part is down.
    redis.stop();
    let (status, body) = readyz().await;
    assert_eq!(status, 503);
    assert_eq!(body["checks"]["redis"], "down");
    assert_eq!(body["checks"]["database"], "ok");

    redis.resume();
    let (status, _) = readyz().await;
    assert_eq!(status, 200);
}
