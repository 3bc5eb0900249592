//! Retries against a receiver that fails on purpose: a failed attempt is retried as the
//! same message (same `webhook-id`); after the last attempt the delivery is FAILED with its
//! error and can be sent again; an endpoint failing for longer than `disable_after_hours`
//! is disabled with a reason, and that is an event too.

use super::{
    DELIVERY_FIELDS, EVENTS, WAIT, create_endpoint, deliveries, endpoint, listed_deliveries,
    webhook_app,
};
use crate::partnerships::request;
use e2e::Backend;
use e2e::receiver::Receiver;
use e2e::services::eventually;
use e2e::ws::WsClient;
use serde_json::json;

const REQUESTED: &[&str] = &["PARTNERSHIP_INVITATION_REQUESTED"];

async fn a_failed_attempt_is_retried_as_the_same_message(backend: Backend) {
    let app = webhook_app(backend, |_| {}).await;
    let (_, admin) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let receiver = Receiver::start().await;
    receiver.script(&[500]);
    let (_, secret) = create_endpoint(&app, &admin, &receiver.url(), REQUESTED).await;
    request(&app, &admin, "admin@fabrikam.test").await;

    let log = eventually("the delivery DELIVERED", WAIT, || async {
        let log = listed_deliveries(&app, &admin).await;
        (log.len() == 1 && log[0]["status"] == "DELIVERED").then_some(log)
    })
    .await;
    let delivery = &log[0];
    assert_eq!(delivery["attempts"], 2, "{delivery}");
    assert_eq!(delivery["responseStatus"], 200, "{delivery}");
    assert_eq!(delivery["lastError"], json!(null), "{delivery}");

    let requests = receiver.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(
        [requests[0].status, requests[1].status],
        [500, 200],
        "what the receiver answered"
    );
    assert_eq!(requests[0].webhook_id(), requests[1].webhook_id());
    assert_eq!(delivery["messageId"], requests[0].webhook_id());
    assert_eq!(requests[0].body, requests[1].body);
    for request in &requests {
        assert!(request.signed_with(&secret), "{request:?}");
    }
}
both!(a_failed_attempt_is_retried_as_the_same_message);

async fn after_the_last_attempt_a_delivery_fails_and_can_be_sent_again(backend: Backend) {
    let app = webhook_app(backend, |s| s.webhooks.max_attempts = 3).await;
    let (_, admin) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let receiver = Receiver::start().await;
    receiver.always(Some(503));
    let (endpoint_id, secret) = create_endpoint(&app, &admin, &receiver.url(), REQUESTED).await;
    request(&app, &admin, "admin@fabrikam.test").await;

    let failed = eventually("the delivery FAILED", WAIT, || async {
        let log = deliveries(&app, &admin, &endpoint_id).await;
        log.into_iter().find(|d| d["status"] == "FAILED")
    })
    .await;
    assert_eq!(failed["attempts"], 3, "{failed}");
    assert_eq!(failed["responseStatus"], 503, "{failed}");
    let error = failed["lastError"].as_str().unwrap_or_default();
    assert!(error.contains("503"), "{failed}");
    let requests = receiver.requests();
    assert_eq!(requests.len(), 3, "one request per attempt");
    assert!(
        requests
            .iter()
            .all(|r| r.webhook_id() == requests[0].webhook_id())
    );
    // Failing, but not for long enough to be disabled.
    let state = endpoint(&app, &admin, &endpoint_id).await;
    assert_eq!(state["enabled"], true, "{state}");
    assert!(state["failingSince"].is_string(), "{state}");

    // The receiver is fixed; the ADMIN sends the delivery again: the same message.
    receiver.always(None);
    let again = app
        .gql(
            &format!(
                "mutation($id: ID!) {{ redeliverWebhook(input: {{deliveryId: $id}}) {{
                   delivery {{ {DELIVERY_FIELDS} }} userErrors {{ code }} }} }}"
            ),
            json!({ "id": failed["id"] }),
            Some(&admin),
        )
        .await;
    let payload = &again.data()["redeliverWebhook"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    assert_eq!(payload["delivery"]["id"], failed["id"]);
    let delivered = eventually("the redelivery DELIVERED", WAIT, || async {
        let log = deliveries(&app, &admin, &endpoint_id).await;
        log.into_iter().find(|d| d["status"] == "DELIVERED")
    })
    .await;
    assert_eq!(delivered["id"], failed["id"]);
    assert_eq!(delivered["responseStatus"], 200);
    assert_eq!(delivered["lastError"], json!(null));
    let requests = receiver.requests();
    assert_eq!(requests.len(), 4, "{requests:?}");
    assert_eq!(requests[3].webhook_id(), requests[0].webhook_id());
    assert_eq!(requests[3].status, 200);
    assert!(requests[3].signed_with(&secret));
    // A success ends the failing streak.
    let state = endpoint(&app, &admin, &endpoint_id).await;
    assert_eq!(state["failingSince"], json!(null), "{state}");
}
both!(after_the_last_attempt_a_delivery_fails_and_can_be_sent_again);

async fn an_endpoint_failing_too_long_is_disabled_with_a_reason(backend: Backend) {
    // Zero hours: the first failure is already "too long".
    let app = webhook_app(backend, |s| s.webhooks.disable_after_hours = 0).await;
    let (_, admin) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let mut live = WsClient::signed_in(&app.address, &admin).await;
    live.subscribe(
        "d",
        EVENTS,
        json!({ "types": ["WEBHOOK_ENDPOINT_DISABLED"] }),
    )
    .await;
    let receiver = Receiver::start().await;
    receiver.always(Some(500));
    let (endpoint_id, _) = create_endpoint(&app, &admin, &receiver.url(), REQUESTED).await;
    request(&app, &admin, "admin@fabrikam.test").await;

    let event = live.next_event("d").await;
    assert_eq!(event["type"], "WEBHOOK_ENDPOINT_DISABLED");
    assert_eq!(event["targetId"], endpoint_id.as_str(), "{event}");
    let state = endpoint(&app, &admin, &endpoint_id).await;
    assert_eq!(state["enabled"], false, "{state}");
    let reason = state["disabledReason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("500"),
        "the reason names the failure: {state}"
    );
    // What was still pending is not tried any more; it ends FAILED, saying why.
    let log = eventually("the pending delivery given up", WAIT, || async {
        let log = deliveries(&app, &admin, &endpoint_id).await;
        log.iter().all(|d| d["status"] == "FAILED").then_some(log)
    })
    .await;
    assert_eq!(log.len(), 1, "{log:?}");
    let tried = receiver.requests().len();
    // New events are not queued for a disabled endpoint (deliveries are written with the
    // event, so the log is complete when the mutation answers).
    request(&app, &admin, "admin@adatum.test").await;
    assert_eq!(deliveries(&app, &admin, &endpoint_id).await.len(), 1);

    // Its ADMIN turns it back on: a fresh start, and it receives again.
    receiver.always(None);
    let enabled = app
        .gql(
            "mutation($id: ID!) { updateWebhookEndpoint(input: {endpointId: $id, enabled: true}) {
               endpoint { enabled disabledReason failingSince } userErrors { code } } }",
            json!({ "id": endpoint_id }),
            Some(&admin),
        )
        .await;
    let payload = &enabled.data()["updateWebhookEndpoint"];
    assert_eq!(
        payload["endpoint"],
        json!({ "enabled": true, "disabledReason": null, "failingSince": null }),
        "{payload}"
    );
    request(&app, &admin, "admin@tailspin.test").await;
    eventually("a delivery after re-enabling", WAIT, || async {
        (receiver.requests().len() > tried && receiver.requests().last().unwrap().status == 200)
            .then_some(())
    })
    .await;
}
both!(an_endpoint_failing_too_long_is_disabled_with_a_reason);
