//! `sendTestWebhook` sends a `webhook.test` event to that one endpoint; after
//! `rotateWebhookSecret` requests carry two signatures for a while, one made with the new
//! secret and one with the old, so a receiver can switch secrets without dropping any.

use super::{DELIVERY_FIELDS, WAIT, create_endpoint, deliveries, webhook_app};
use e2e::Backend;
use e2e::receiver::Receiver;
use e2e::services::eventually;
use e2e::standard_webhooks::verify_each;
use serde_json::{Value, json};

/// Types no test here ever causes, so only test events reach these endpoints.
const QUIET: &[&str] = &["PARTNERSHIP_ENDED"];

async fn send_test(app: &e2e::TestApp, admin: &str, endpoint_id: &str) -> Value {
    let res = app
        .gql(
            &format!(
                "mutation($id: ID!) {{ sendTestWebhook(input: {{endpointId: $id}}) {{
                   delivery {{ {DELIVERY_FIELDS} }} userErrors {{ code }} }} }}"
            ),
            json!({ "id": endpoint_id }),
            Some(admin),
        )
        .await;
    let payload = &res.data()["sendTestWebhook"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    payload["delivery"].clone()
}

async fn a_test_event_goes_to_that_endpoint_only(backend: Backend) {
    let app = webhook_app(backend, |_| {}).await;
    let (_, admin) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let tested = Receiver::start().await;
    let other = Receiver::start().await;
    let (tested_id, secret) = create_endpoint(&app, &admin, &tested.url(), QUIET).await;
    let (other_id, _) = create_endpoint(&app, &admin, &other.url(), QUIET).await;
    // A third endpoint that takes every type: the test event is not fanned out to it.
    let everything = Receiver::start().await;
    let (everything_id, _) = create_endpoint(&app, &admin, &everything.url(), &[]).await;

    let delivery = send_test(&app, &admin, &tested_id).await;
    assert_eq!(delivery["event"]["type"], "WEBHOOK_TEST", "{delivery}");
    assert_eq!(delivery["event"]["targetId"], tested_id.as_str());
    let received = eventually("the test webhook", WAIT, || async {
        tested.requests().into_iter().next()
    })
    .await;
    assert_eq!(received.event_type(), "webhook.test");
    assert!(received.signed_with(&secret), "{received:?}");
    assert_eq!(
        received.webhook_id(),
        delivery["messageId"].as_str().unwrap()
    );
    assert_eq!(received.json()["data"]["targetId"], tested_id.as_str());
    assert_eq!(
        received.json()["data"]["id"],
        delivery["event"]["id"],
        "data.id is the event"
    );
    // The other endpoints' logs hold no test delivery (written with the event: complete).
    assert!(deliveries(&app, &admin, &other_id).await.is_empty());
    let log = deliveries(&app, &admin, &everything_id).await;
    assert!(
        log.iter().all(|d| d["event"]["type"] != "WEBHOOK_TEST"),
        "{log:?}"
    );
    assert!(other.requests().is_empty());
}
both!(a_test_event_goes_to_that_endpoint_only);

async fn after_rotation_requests_carry_the_new_and_the_old_signature(backend: Backend) {
    let app = webhook_app(backend, |_| {}).await;
    let (_, admin) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let receiver = Receiver::start().await;
    let (endpoint_id, old) = create_endpoint(&app, &admin, &receiver.url(), QUIET).await;
    send_test(&app, &admin, &endpoint_id).await;
    let before = eventually("a test webhook", WAIT, || async {
        receiver.requests().into_iter().next()
    })
    .await;
    assert_eq!(
        before
            .header("webhook-signature")
            .split_whitespace()
            .count(),
        1,
        "one secret, one signature: {before:?}"
    );

    let rotated = app
        .gql(
            "mutation($id: ID!) { rotateWebhookSecret(input: {endpointId: $id}) {
               endpoint { id } secret userErrors { code } } }",
            json!({ "id": endpoint_id }),
            Some(&admin),
        )
        .await;
    let payload = &rotated.data()["rotateWebhookSecret"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    let new = payload["secret"].as_str().unwrap().to_owned();
    assert!(new.starts_with("whsec_") && new != old, "{new}");

    send_test(&app, &admin, &endpoint_id).await;
    let after = eventually("the webhook after rotation", WAIT, || async {
        receiver.requests().into_iter().nth(1)
    })
    .await;
    let verify = |secret: &str| {
        verify_each(
            secret,
            after.webhook_id(),
            after.header("webhook-timestamp"),
            &after.body,
            after.header("webhook-signature"),
        )
    };
    let (with_new, with_old) = (verify(&new), verify(&old));
    assert_eq!(with_new.len(), 2, "two signatures: {after:?}");
    assert_eq!(
        with_new.iter().filter(|ok| **ok).count(),
        1,
        "exactly one signature is made with the new secret: {after:?}"
    );
    assert_eq!(
        with_old.iter().filter(|ok| **ok).count(),
        1,
        "exactly one signature is made with the old secret: {after:?}"
    );
    assert_ne!(with_new, with_old, "they are different signatures");
}
both!(after_rotation_requests_carry_the_new_and_the_old_signature);
