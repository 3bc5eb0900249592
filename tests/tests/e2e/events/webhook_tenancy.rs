//! Tenancy of webhook endpoints and deliveries: another organization's ids answer NOT_FOUND
//! everywhere (exactly like ids that do not exist), and only ADMINs manage webhooks (a
//! SALES_AGENT of the same organization is FORBIDDEN). Nothing the refused calls asked for
//! happened.

use super::{WAIT, create_endpoint, deliveries, endpoint, webhook_app};
use crate::review::first_sign_in;
use e2e::receiver::Receiver;
use e2e::services::eventually;
use e2e::{Backend, TestApp};
use entity::audit_entry::global_id;
use serde_json::json;

/// Every way to reach an endpoint or a delivery by id: (name, document, variables).
fn calls(
    endpoint_id: &str,
    delivery_id: &str,
) -> Vec<(&'static str, &'static str, serde_json::Value)> {
    let e = json!({ "id": endpoint_id });
    let d = json!({ "id": delivery_id });
    vec![
        (
            "node(endpoint)",
            "query($id: ID!) { node(id: $id) { id ... on WebhookEndpoint { url } } }",
            e.clone(),
        ),
        (
            "node(delivery)",
            "query($id: ID!) { node(id: $id) { id ... on WebhookDelivery { status } } }",
            d.clone(),
        ),
        (
            "updateWebhookEndpoint",
            "mutation($id: ID!) { updateWebhookEndpoint(input: {endpointId: $id, url: \"http://127.0.0.1:9/stolen\", enabled: false}) { endpoint { id } userErrors { code } } }",
            e.clone(),
        ),
        (
            "deleteWebhookEndpoint",
            "mutation($id: ID!) { deleteWebhookEndpoint(input: {endpointId: $id}) { deletedEndpointId userErrors { code } } }",
            e.clone(),
        ),
        (
            "sendTestWebhook",
            "mutation($id: ID!) { sendTestWebhook(input: {endpointId: $id}) { delivery { id } userErrors { code } } }",
            e.clone(),
        ),
        (
            "rotateWebhookSecret",
            "mutation($id: ID!) { rotateWebhookSecret(input: {endpointId: $id}) { secret userErrors { code } } }",
            e,
        ),
        (
            "redeliverWebhook",
            "mutation($id: ID!) { redeliverWebhook(input: {deliveryId: $id}) { delivery { id } userErrors { code } } }",
            d,
        ),
    ]
}

/// Runs every call as `token`; returns (name, error code) of each.
async fn codes(
    app: &TestApp,
    token: &str,
    endpoint_id: &str,
    delivery_id: &str,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, query, variables) in calls(endpoint_id, delivery_id) {
        let res = app.gql(query, variables, Some(token)).await;
        let code = res.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("{name} answered without an error: {}", res.body))
            .to_owned();
        let data = &res.body["data"];
        assert!(
            data.is_null()
                || data
                    .as_object()
                    .is_some_and(|o| o.values().all(|v| v.is_null())),
            "{name} answered data: {}",
            res.body
        );
        out.push((name.to_owned(), code));
    }
    out
}

fn all(code: &str, names: &[(String, String)]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|(n, _)| (n.clone(), code.to_owned()))
        .collect()
}

async fn another_organizations_webhooks_answer_not_found(backend: Backend) {
    let app = webhook_app(backend, |_| {}).await;
    let (_, contoso) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let (_, northwind) = app
        .active_partner("INDIRECT_PROVIDER", "Northwind", "admin@northwind.test")
        .await;
    let receiver = Receiver::start().await;
    let (endpoint_id, secret) =
        create_endpoint(&app, &contoso, &receiver.url(), &["PARTNERSHIP_ENDED"]).await;
    let sent = app
        .gql(
            "mutation($id: ID!) { sendTestWebhook(input: {endpointId: $id}) { delivery { id } } }",
            json!({ "id": endpoint_id }),
            Some(&contoso),
        )
        .await;
    let delivery_id = sent.data()["sendTestWebhook"]["delivery"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    eventually("the test delivery DELIVERED", WAIT, || async {
        let log = deliveries(&app, &contoso, &endpoint_id).await;
        (log.len() == 1 && log[0]["status"] == "DELIVERED").then_some(())
    })
    .await;

    // Northwind: every call answers NOT_FOUND, as for ids that never existed.
    let foreign = codes(&app, &northwind, &endpoint_id, &delivery_id).await;
    assert_eq!(foreign, all("NOT_FOUND", &foreign));
    let missing_endpoint = global_id("WebhookEndpoint", 999_999);
    let missing_delivery = global_id("WebhookDelivery", 999_999);
    let missing = codes(&app, &northwind, &missing_endpoint, &missing_delivery).await;
    assert_eq!(missing, foreign);
    let listed = app
        .gql(
            "{ webhookEndpoints(first: 10) { edges { node { id } } } }",
            json!({}),
            Some(&northwind),
        )
        .await;
    assert_eq!(listed.data()["webhookEndpoints"]["edges"], json!([]));

    // A SALES_AGENT of Contoso itself may not manage its webhooks.
    let added = app
        .gql(
            "mutation { addUser(input: {email: \"sam@contoso.test\", name: \"Sam\", role: SALES_AGENT}) {
               temporaryPassword } }",
            json!({}),
            Some(&contoso),
        )
        .await;
    let temporary = added.data()["addUser"]["temporaryPassword"]
        .as_str()
        .unwrap();
    let sam = first_sign_in(&app, "sam@contoso.test", temporary, "sams-own-password").await;
    let as_agent = codes(&app, &sam, &endpoint_id, &delivery_id).await;
    for (name, code) in &as_agent {
        // `node` does not even say the object exists; the mutations say why they refuse.
        let expected = if name.starts_with("node") {
            ["NOT_FOUND", "FORBIDDEN"].as_slice()
        } else {
            &["FORBIDDEN"]
        };
        assert!(
            expected.contains(&code.as_str()),
            "{name} as SALES_AGENT: {code}"
        );
    }
    for query in [
        "{ webhookEndpoints(first: 10) { edges { node { id } } } }",
        "mutation { createWebhookEndpoint(input: {url: \"http://127.0.0.1:9/x\"}) { secret } }",
    ] {
        let res = app.gql(query, json!({}), Some(&sam)).await;
        assert_eq!(res.error_code(), "FORBIDDEN", "{query}");
    }

    // Nothing changed: same URL, enabled, one delivery, the secret still signs.
    let state = endpoint(&app, &contoso, &endpoint_id).await;
    assert_eq!(state["url"], receiver.url().as_str(), "{state}");
    assert_eq!(state["enabled"], true, "{state}");
    assert_eq!(deliveries(&app, &contoso, &endpoint_id).await.len(), 1);
    let again = app
        .gql(
            "mutation($id: ID!) { sendTestWebhook(input: {endpointId: $id}) { delivery { id } } }",
            json!({ "id": endpoint_id }),
            Some(&contoso),
        )
        .await;
    assert!(again.data()["sendTestWebhook"]["delivery"]["id"].is_string());
    let second = eventually("a second test webhook", WAIT, || async {
        receiver.requests().into_iter().nth(1)
    })
    .await;
    assert!(second.signed_with(&secret), "the secret was not rotated");
    assert_eq!(
        receiver.requests().len(),
        2,
        "no test was sent for Northwind or Sam"
    );
}
both!(another_organizations_webhooks_answer_not_found);
