//! Endpoints are their organization's ADMINs' (URLs often carry a token), but every member
//! reads the audit log and its events: nothing a webhook change or delivery writes there
//! names a URL — not the registered one, not a changed one, not an error that quotes one.

use super::both;
use crate::events::{WAIT, create_endpoint, deliveries, newest_event, webhook_app};
use e2e::receiver::Receiver;
use e2e::services::eventually;
use e2e::ws::WsClient;
use e2e::{Backend, TestApp};
use serde_json::{Value, json};

/// A SALES_AGENT of the admin's organization, signed in with its own password.
async fn sales_agent(app: &TestApp, admin: &str) -> String {
    let added = app
        .gql(
            "mutation { addUser(input: {email: \"sam@contoso.test\", name: \"Sam\",
               role: SALES_AGENT}) { temporaryPassword } }",
            json!({}),
            Some(admin),
        )
        .await;
    let temporary = added.data()["addUser"]["temporaryPassword"]
        .as_str()
        .unwrap()
        .to_owned();
    let sam = app.login("sam@contoso.test", &temporary).await;
    let changed = app
        .gql(
            "mutation($c: String!) { changePassword(input: {currentPassword: $c,
               newPassword: \"sams-own-password\"}) { userErrors { code } } }",
            json!({ "c": temporary }),
            Some(&sam),
        )
        .await;
    assert_eq!(changed.data()["changePassword"]["userErrors"], json!([]));
    sam
}

const WEBHOOK_TYPES: [&str; 7] = [
    "WEBHOOK_ENDPOINT_CREATED",
    "WEBHOOK_ENDPOINT_UPDATED",
    "WEBHOOK_ENDPOINT_DELETED",
    "WEBHOOK_ENDPOINT_SECRET_ROTATED",
    "WEBHOOK_ENDPOINT_DISABLED",
    "WEBHOOK_DELIVERY_REQUEUED",
    "WEBHOOK_TEST",
];

async fn mutate(app: &TestApp, admin: &str, query: &str, id: &Value) -> Value {
    let res = app.gql(query, json!({ "id": id }), Some(admin)).await;
    assert_eq!(res.body["errors"], json!(null), "{:?}", res.body);
    res.body["data"].clone()
}

async fn webhook_urls_never_reach_members_who_are_not_admins(backend: Backend) {
    // A failing endpoint is disabled at its first failure, with the error in its reason.
    let app = webhook_app(backend, |s| s.webhooks.disable_after_hours = 0).await;
    let (_, admin) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let sam = sales_agent(&app, &admin).await;
    let after = newest_event(&app).await;
    let receiver = Receiver::start().await;

    let (working, _) = create_endpoint(
        &app,
        &admin,
        &format!("{}?token=s3cr3t-one", receiver.url()),
        &["PARTNERSHIP_ENDED"],
    )
    .await;
    let working = json!(working);
    let changed = app
        .gql(
            "mutation($id: ID!, $url: String) { updateWebhookEndpoint(input: {endpointId: $id,
               url: $url}) { userErrors { code } } }",
            json!({ "id": working, "url": format!("{}?token=s3cr3t-two", receiver.url()) }),
            Some(&admin),
        )
        .await;
    assert_eq!(
        changed.data()["updateWebhookEndpoint"]["userErrors"],
        json!([])
    );
    mutate(
        &app,
        &admin,
        "mutation($id: ID!) { rotateWebhookSecret(input: {endpointId: $id}) { secret } }",
        &working,
    )
    .await;
    mutate(
        &app,
        &admin,
        "mutation($id: ID!) { sendTestWebhook(input: {endpointId: $id}) { delivery { id } } }",
        &working,
    )
    .await;
    let delivered = eventually("the test event delivered", WAIT, || async {
        let log = deliveries(&app, &admin, working.as_str().unwrap()).await;
        log.into_iter().find(|d| d["status"] == "DELIVERED")
    })
    .await;
    mutate(
        &app,
        &admin,
        "mutation($id: ID!) { redeliverWebhook(input: {deliveryId: $id}) { delivery { id } } }",
        &delivered["id"],
    )
    .await;
    // Nothing listens on port 9: the error names the URL, and the endpoint is disabled.
    let (failing, _) = create_endpoint(
        &app,
        &admin,
        "http://127.0.0.1:9/hook?token=s3cr3t-three",
        &["PARTNERSHIP_ENDED"],
    )
    .await;
    let failing = json!(failing);
    mutate(
        &app,
        &admin,
        "mutation($id: ID!) { sendTestWebhook(input: {endpointId: $id}) { delivery { id } } }",
        &failing,
    )
    .await;
    eventually("the failing endpoint disabled", WAIT, || async {
        let res = app
            .gql(
                "query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { enabled } } }",
                json!({ "id": failing }),
                Some(&admin),
            )
            .await;
        (res.data()["node"]["enabled"] == false).then_some(())
    })
    .await;
    for id in [&working, &failing] {
        mutate(&app, &admin, "mutation($id: ID!) { deleteWebhookEndpoint(input: {endpointId: $id}) { deletedEndpointId } }", id).await;
    }

    // The audit log as Sam reads it: every webhook change is there, no URL is.
    let log = app
        .gql(
            "{ auditLog(first: 100) { edges { node { action summary } } } }",
            json!({}),
            Some(&sam),
        )
        .await;
    let entries: Vec<Value> = log.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .filter(|n| n["action"].as_str().unwrap().starts_with("webhook"))
        .collect();
    assert_eq!(entries.len(), 10, "{entries:?}");
    for entry in &entries {
        let summary = entry["summary"].as_str().unwrap();
        assert!(
            !summary.contains("s3cr3t") && !summary.contains("127.0.0.1"),
            "{entry}"
        );
    }
    // And as live events, replayed from before the first change.
    let mut live = WsClient::signed_in(&app.address, &sam).await;
    live.subscribe(
        "1",
        "subscription($types: [EventType!], $after: ID) { events(types: $types, after: $after)
           { type summary } }",
        json!({ "types": WEBHOOK_TYPES, "after": after }),
    )
    .await;
    for _ in 0..entries.len() {
        let event = live.next_data("1").await;
        let summary = event["data"]["events"]["summary"].as_str().unwrap();
        assert!(
            !summary.contains("s3cr3t") && !summary.contains("127.0.0.1"),
            "{event}"
        );
    }
}
both!(webhook_urls_never_reach_members_who_are_not_admins);
