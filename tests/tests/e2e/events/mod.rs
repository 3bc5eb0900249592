//! Events (issue 12): live subscriptions on `/graphql/ws` and signed webhooks, tested with
//! real parts: a WebSocket client, an HTTP receiver that checks signatures with its own
//! implementation of Standard Webhooks, Redis, and `worker` processes.

/// Like `e2e!`, for a body `fn(Backend)` that starts its own app (its own settings):
/// runs it once on SQLite and once on PostgreSQL.
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(e2e::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(e2e::Backend::Postgres).await;
            }
        }
    };
}
pub(crate) use both;

mod gaps;
mod limits;
mod live;
mod protocol;
mod replicas;
mod resume;
mod rights;
mod sessions;
mod shutdown;
mod tenancy;
mod webhook_crash;
mod webhook_retries;
mod webhook_signing;
mod webhook_targets;
mod webhook_tenancy;
mod webhook_test_rotate;

use e2e::{Backend, TestApp};
use serde_json::{Value, json};
use std::time::Duration;

/// The `events` subscription with the fields the tests look at.
pub const EVENTS: &str = "subscription($types: [EventType!], $after: ID) {
  events(types: $types, after: $after) { id type summary targetId
    target { __typename ... on PartnershipInvitation { id status } } } }";

/// The types of the partnership walkthrough. Subscriptions that expect a sequence keep to
/// them: a subscription without `after` starts where this replica's hub stands, which may
/// be just before the sign-ins and approvals of the set-up, still on their way.
pub const WALKTHROUGH: [&str; 3] = [
    "PARTNERSHIP_INVITATION_REQUESTED",
    "EMAIL_SENT",
    "PARTNERSHIP_INVITATION_ACCEPTED",
];

/// The id of the newest event so far, for `after`: a subscription resumed from it gets
/// everything committed later, however late the server takes the subscription up (one
/// without `after` starts where the hub stands when it does).
pub async fn newest_event(app: &e2e::TestApp) -> String {
    use sea_orm::{EntityTrait, QueryOrder};
    let newest = entity::audit_entry::Entity::find()
        .order_by_desc(entity::audit_entry::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .map_or(0, |e| e.id);
    api::graphql::ids::encode(api::graphql::ids::NodeType::Event, newest).0
}

/// Long enough for a webhook to go through a few fast retries on a busy machine.
pub const WAIT: Duration = Duration::from_secs(30);

/// An app whose embedded worker delivers webhooks to a receiver on 127.0.0.1 and retries
/// within milliseconds, so retry tests take about a second.
pub async fn webhook_app(backend: Backend, configure: impl FnOnce(&mut api::Settings)) -> TestApp {
    e2e::spawn_app_with(backend, |s| {
        fast_webhooks(&mut s.webhooks);
        configure(s);
    })
    .await
}

pub fn fast_webhooks(w: &mut worker::webhooks::WebhookSettings) {
    w.allow_insecure_targets = true;
    w.backoff_base_ms = 50;
    w.backoff_max_ms = 200;
    w.poll_interval_ms = 50;
    w.timeout_seconds = 5;
}

pub const CREATE_ENDPOINT: &str = "mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) {
    endpoint { id url eventTypes enabled disabledReason } secret userErrors { code field message } } }";

/// Registers an endpoint; returns (endpoint id, secret).
pub async fn create_endpoint(
    app: &TestApp,
    admin: &str,
    url: &str,
    event_types: &[&str],
) -> (String, String) {
    let res = app
        .gql(
            CREATE_ENDPOINT,
            json!({ "input": { "url": url, "eventTypes": event_types } }),
            Some(admin),
        )
        .await;
    let payload = &res.data()["createWebhookEndpoint"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    (
        payload["endpoint"]["id"].as_str().unwrap().to_owned(),
        payload["secret"].as_str().unwrap().to_owned(),
    )
}

pub const DELIVERY_FIELDS: &str =
    "id messageId status attempts responseStatus lastError deliveredAt event { id type targetId }";

/// An endpoint and its delivery log (newest first), through `node(id:)`.
pub async fn endpoint(app: &TestApp, admin: &str, id: &str) -> Value {
    let query = format!(
        "query($id: ID!) {{ node(id: $id) {{ ... on WebhookEndpoint {{
           id url enabled disabledReason failingSince
           deliveries(first: 100) {{ edges {{ node {{ {DELIVERY_FIELDS} }} }} }} }} }} }}"
    );
    let res = app.gql(&query, json!({ "id": id }), Some(admin)).await;
    res.data()["node"].clone()
}

/// The delivery log of an endpoint, oldest first.
pub async fn deliveries(app: &TestApp, admin: &str, endpoint_id: &str) -> Vec<Value> {
    let found = endpoint(app, admin, endpoint_id).await;
    let mut log: Vec<Value> = found["deliveries"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no delivery log: {found}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    log.reverse();
    log
}

/// The delivery log as listed by `webhookEndpoints` (the query an ADMIN's page uses).
pub async fn listed_deliveries(app: &TestApp, admin: &str) -> Vec<Value> {
    let res = app
        .gql(
            "{ webhookEndpoints(first: 10) { edges { node { deliveries(first: 10) { edges { node {
               status attempts responseStatus lastError messageId } } } } } } }",
            json!({}),
            Some(admin),
        )
        .await;
    res.data()["webhookEndpoints"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["node"]["deliveries"]["edges"].as_array().unwrap().clone())
        .map(|e| e["node"].clone())
        .collect()
}
