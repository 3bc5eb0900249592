//! Over `/graphql/ws`: a `subscribe` payload may name a trusted document (`documentId` or
//! `extensions.persistedQuery`) instead of `query`; trusted-only refuses texts there too.

use super::*;
use e2e::ws::WsClient;

const EVENTS: &str = "subscription Events { events { type } }";

async fn websocket_runs_trusted_documents(backend: Backend) {
    let (app, _dir) = with_manifest(backend, &[OFFERS, EVENTS], |_| {}).await;
    let token = provider(&app).await;
    let text = app.gql(OFFERS, json!({}), Some(&token)).await;
    let mut ws = WsClient::signed_in(&app.address, &token).await;
    ws.send(json!({ "id": "1", "type": "subscribe", "payload": { "documentId": id_of(OFFERS) } }))
        .await;
    let payload = ws.next_data("1").await;
    assert_eq!(payload["data"], text.body["data"]);
    let hash = &id_of(OFFERS)[7..];
    ws.send(json!({ "id": "2", "type": "subscribe", "payload": {
        "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } } }))
        .await;
    assert_eq!(ws.next_data("2").await["data"], text.body["data"]);
    // A subscription by id: the next event of the organization arrives.
    ws.send(json!({ "id": "3", "type": "subscribe", "payload": { "documentId": id_of(EVENTS) } }))
        .await;
    app.login("admin@contoso.test", "password-123").await;
    assert_eq!(ws.next_event("3").await["type"], "SESSION_STARTED");
    // Unknown: the operation's `error`, the connection stays.
    ws.send(json!({ "id": "4", "type": "subscribe", "payload": { "documentId": id_of("{ x }") } }))
        .await;
    let error = ws.message_for("4").await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(
        error["payload"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    ws.subscribe("5", TYPENAME, json!({})).await;
    assert!(ws.next_data("5").await["data"]["__typename"].is_string());
}

async fn trusted_only_over_websocket(backend: Backend) {
    let (app, _dir) = with_manifest(backend, &[OFFERS, LOGIN], |s| {
        s.graphql.trusted_documents_only = true;
    })
    .await;
    let token = platform_admin_by_id(&app).await;
    let mut ws = WsClient::signed_in(&app.address, &token).await;
    ws.subscribe("1", "{ offers(first: 1) { totalCount } }", json!({}))
        .await;
    let error = ws.message_for("1").await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(
        error["payload"][0]["extensions"]["code"],
        "PERSISTED_QUERY_REQUIRED"
    );
    ws.subscribe("2", "{ not a document", json!({})).await;
    let error = ws.message_for("2").await;
    assert_eq!(
        error["payload"][0]["extensions"]["code"],
        "PERSISTED_QUERY_REQUIRED"
    );
    ws.send(json!({ "id": "3", "type": "subscribe", "payload": { "documentId": id_of(OFFERS) } }))
        .await;
    assert!(ws.next_data("3").await["data"]["offers"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_runs_trusted_documents_sqlite() {
    websocket_runs_trusted_documents(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_runs_trusted_documents_postgres() {
    websocket_runs_trusted_documents(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trusted_only_over_websocket_sqlite() {
    trusted_only_over_websocket(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trusted_only_over_websocket_postgres() {
    trusted_only_over_websocket(Backend::Postgres).await;
}
