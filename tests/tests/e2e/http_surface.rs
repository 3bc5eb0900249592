//! Health, readiness, GraphiQL, request ids.

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
    let up = spawn_app_with(Backend::Sqlite, |s| {
        s.redis_url = Some("redis://127.0.0.1:6379".to_owned().into());
    })
    .await;
    let body: Value = up
        .client
        .get(format!("{}/readyz", up.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["checks"]["redis"], "ok");

    // Nothing listens on port 1: not ready, and says which part is down.
    let down = spawn_app_with(Backend::Sqlite, |s| {
        s.redis_url = Some("redis://127.0.0.1:1".to_owned().into());
    })
    .await;
    let resp = down
        .client
        .get(format!("{}/readyz", down.address))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["checks"]["redis"], "down");
    assert_eq!(body["checks"]["database"], "ok");
}
