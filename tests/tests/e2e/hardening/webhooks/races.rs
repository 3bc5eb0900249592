//! Endpoint changes at the same time, on PostgreSQL (SQLite runs one writer at a time):
//! registering and deleting endpoints while others are updated (each change is an event
//! fanned out to every endpoint of the organization, deleted ones included) never answers
//! `INTERNAL`, and the cap of 20 endpoints holds however many registrations race for it.

use super::{stored_endpoints, try_create};
use crate::events::{CREATE_ENDPOINT, webhook_app};
use e2e::receiver::Receiver;
use e2e::{Backend, TestApp};
use serde_json::{Value, json};

/// Top-level error codes of a response (empty when none).
fn error_codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["extensions"]["code"].as_str().unwrap_or("?").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// One round of a worker task: register an endpoint, update one of the kept ones, delete
/// the new one. Returns every top-level error code met.
async fn churn(app: &TestApp, admin: &str, url: &str, kept: &[String], task: usize) -> Vec<String> {
    let mut errors = Vec::new();
    for round in 0..25 {
        let created = app
            .gql(
                CREATE_ENDPOINT,
                json!({ "input": { "url": url } }),
                Some(admin),
            )
            .await;
        errors.extend(error_codes(&created.body));
        let id = created.body["data"]["createWebhookEndpoint"]["endpoint"]["id"].clone();
        let target = &kept[(task + round) % kept.len()];
        let updated = app
            .gql(
                "mutation($id: ID!, $d: String) { updateWebhookEndpoint(input:
                   {endpointId: $id, description: $d}) { endpoint { id } userErrors { code } } }",
                json!({ "id": target, "d": format!("task {task} round {round}") }),
                Some(admin),
            )
            .await;
        errors.extend(error_codes(&updated.body));
        if id.is_string() {
            let deleted = app
                .gql(
                    "mutation($id: ID!) { deleteWebhookEndpoint(input: {endpointId: $id}) {
                       deletedEndpointId } }",
                    json!({ "id": id }),
                    Some(admin),
                )
                .await;
            errors.extend(error_codes(&deleted.body));
        }
    }
    errors
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoints_created_and_deleted_while_others_change_never_fail() {
    let app = webhook_app(Backend::Postgres, |_| {}).await;
    let (_, admin) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    // Every endpoint takes every event: each change fans out to all of them, while the
    // embedded worker delivers (and records) at the same time.
    let receiver = Receiver::start().await;
    let mut kept = Vec::new();
    for _ in 0..8 {
        let (endpoint, codes, _) = try_create(&app, &admin, json!({ "url": receiver.url() })).await;
        assert!(codes.is_empty(), "{codes:?}");
        kept.push(endpoint["id"].as_str().unwrap().to_owned());
    }
    let url = receiver.url();
    let tasks = (0..6).map(|task| churn(&app, &admin, &url, &kept, task));
    let errors: Vec<String> = futures::future::join_all(tasks)
        .await
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(errors, Vec::<String>::new(), "every change answered");
    assert_eq!(stored_endpoints(&app).await.len(), kept.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_endpoint_cap_holds_under_concurrent_registrations() {
    let app = webhook_app(Backend::Postgres, |_| {}).await;
    let (_, admin) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let input = json!({ "url": "http://127.0.0.1:9/hook", "eventTypes": ["PARTNERSHIP_ENDED"] });
    let answers =
        futures::future::join_all((0..30).map(|_| try_create(&app, &admin, input.clone()))).await;
    let created = answers.iter().filter(|(e, _, _)| e.is_object()).count();
    let refused: Vec<&Vec<String>> = answers
        .iter()
        .filter(|(e, _, _)| e.is_null())
        .map(|(_, codes, _)| codes)
        .collect();
    assert!(
        answers.iter().all(|(_, _, top)| top.is_empty()),
        "no top-level errors"
    );
    assert_eq!(created, 20);
    assert_eq!(refused.len(), 10);
    assert!(
        refused.iter().all(|codes| *codes == &["OUT_OF_RANGE"]),
        "{refused:?}"
    );
    assert_eq!(stored_endpoints(&app).await.len(), 20);
}
