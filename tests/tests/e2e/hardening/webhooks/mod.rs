//! Webhooks under hostile receivers, hostile input and concurrency (issue 20): what a
//! receiver answers is read to a bound and stored to fit; no proxy and no literal address
//! takes a delivery past the address rule; concurrent endpoint changes never answer
//! `INTERNAL` and the cap holds; nothing of an endpoint reaches members who are not ADMINs.

mod audit;
mod bodies;
mod races;
mod targets;

use e2e::TestApp;
use serde_json::{Value, json};

/// `fn(Backend)` once on each backend, as the events tests run theirs.
pub(crate) use crate::events::both;

/// A TCP port that counts who connects to it, without ever answering: a stand-in for a
/// place a delivery must not reach (an internal service, a proxy). Connections wait in its
/// backlog, so whether one came is known without waiting for anything.
pub struct Trap {
    listener: std::net::TcpListener,
}

impl Trap {
    pub fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.set_nonblocking(true).unwrap();
        Self { listener }
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().unwrap().port()
    }

    /// How many connections arrived so far.
    pub fn connections(&self) -> usize {
        let mut n = 0;
        while self.listener.accept().is_ok() {
            n += 1;
        }
        n
    }
}

/// A `createWebhookEndpoint` answer: (endpoint id or null, user error codes, top-level
/// error code or "").
pub async fn try_create(app: &TestApp, admin: &str, input: Value) -> (Value, Vec<String>, String) {
    let res = app
        .gql(
            "mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
               endpoint { id url } userErrors { code field } } }",
            json!({ "input": input }),
            Some(admin),
        )
        .await;
    let code = res.body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let payload = &res.body["data"]["createWebhookEndpoint"];
    let codes = payload["userErrors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["code"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    (payload["endpoint"].clone(), codes, code)
}

/// The webhook endpoints rows as stored.
pub async fn stored_endpoints(app: &TestApp) -> Vec<entity::webhook_endpoint::Model> {
    use sea_orm::EntityTrait;
    entity::webhook_endpoint::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
}
