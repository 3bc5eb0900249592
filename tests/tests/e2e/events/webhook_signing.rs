//! Webhooks of the partnership walkthrough reach a real HTTP receiver, each signed per
//! Standard Webhooks (checked with the tests' own implementation, not the product's), with
//! the documented body; the secret is shown once; `eventTypes` filters what is sent.

use super::{WAIT, create_endpoint, deliveries, webhook_app};
use crate::partnerships::{ACCEPT, provider_and_reseller, request};
use e2e::Backend;
use e2e::receiver::{Received, Receiver};
use e2e::services::eventually;
use serde_json::{Value, json};

const WALKTHROUGH: [&str; 3] = [
    "partnership_invitation.requested",
    "email.sent",
    "partnership_invitation.accepted",
];

/// The keys of a JSON object, sorted.
fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .unwrap_or_else(|| panic!("an object: {value}"))
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

/// The checks every webhook request must pass, whatever its event.
fn assert_well_formed(request: &Received, secret: &str) {
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/hooks/partner-center");
    assert!(
        request
            .header("content-type")
            .starts_with("application/json"),
        "{request:?}"
    );
    assert!(request.webhook_id().starts_with("msg_"), "{request:?}");
    let sent_at: i64 = request.header("webhook-timestamp").parse().unwrap();
    let now = chrono::Utc::now().timestamp();
    assert!(
        (now - sent_at).abs() < 300,
        "timestamp {sent_at}, now {now}"
    );
    assert!(
        request.signed_with(secret),
        "signature does not verify: {request:?}"
    );
    // The verifier is not fooled by a changed body.
    let mut tampered = request.clone();
    tampered.body = request.body.replacen('}', " }", 1);
    assert!(!tampered.signed_with(secret));

    let body = request.json();
    assert_eq!(keys(&body), ["data", "timestamp", "type"], "{body}");
    assert_eq!(keys(&body["data"]), ["id", "summary", "targetId"], "{body}");
    let dotted = body["type"].as_str().unwrap();
    assert!(
        dotted.contains('.') && dotted == dotted.to_lowercase(),
        "{body}"
    );
    chrono::DateTime::parse_from_rfc3339(body["timestamp"].as_str().unwrap())
        .unwrap_or_else(|e| panic!("timestamp not RFC 3339 ({e}): {body}"));
}

async fn the_walkthrough_reaches_a_receiver_signed(backend: Backend) {
    let app = webhook_app(backend, |_| {}).await;
    let (contoso, fabrikam) = provider_and_reseller(&app).await;
    let everything = Receiver::start().await;
    let acceptances = Receiver::start().await;
    let (all_id, secret) = create_endpoint(&app, &contoso, &everything.url(), &[]).await;
    let (accepted_id, accepted_secret) = create_endpoint(
        &app,
        &contoso,
        &acceptances.url(),
        &["PARTNERSHIP_INVITATION_ACCEPTED"],
    )
    .await;
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert_ne!(secret, accepted_secret);

    // The secret is never readable again: no field holds it, and no listing or log shows it.
    let asked = app
        .gql(
            "{ webhookEndpoints(first: 10) { edges { node { secret } } } }",
            json!({}),
            Some(&contoso),
        )
        .await;
    assert!(
        asked.body["errors"][0]["message"].is_string(),
        "{:?}",
        asked.body
    );
    let listing = app
        .gql(
            "{ webhookEndpoints(first: 10) { edges { node { id url description eventTypes enabled
               disabledReason failingSince createdAt } } } auditLog(first: 100) { edges { node {
               action summary } } } }",
            json!({}),
            Some(&contoso),
        )
        .await;
    let text = listing.data().to_string();
    assert!(text.contains(&all_id) && !text.contains(&secret) && !text.contains(&secret[6..]));

    let invited = request(&app, &contoso, "admin@fabrikam.test").await;
    // The reseller accepts once the email is out (the email of an invitation accepted
    // before it is sent is not sent any more).
    eventually("the email.sent webhook", WAIT, || async {
        let got = everything.requests();
        got.iter()
            .any(|r| r.event_type() == "email.sent")
            .then_some(())
    })
    .await;
    let accepted = app
        .gql(ACCEPT, json!({ "token": invited.token }), Some(&fabrikam))
        .await;
    assert!(accepted.data()["acceptPartnershipInvitation"]["partnership"].is_object());

    let received = eventually("the walkthrough's webhooks", WAIT, || async {
        let got = everything.requests();
        let types: Vec<String> = got.iter().map(Received::event_type).collect();
        WALKTHROUGH
            .iter()
            .all(|t| types.iter().any(|r| r == t))
            .then_some(got)
    })
    .await;
    for request in &received {
        assert_well_formed(request, &secret);
        assert!(!request.signed_with(&accepted_secret));
    }
    for dotted in WALKTHROUGH {
        let of_type: Vec<&Received> = received
            .iter()
            .filter(|r| r.event_type() == dotted)
            .collect();
        assert_eq!(of_type.len(), 1, "{dotted} once: {received:?}");
        let body = of_type[0].json();
        assert_eq!(body["data"]["targetId"], invited.id.as_str(), "{body}");
        assert!(!body["data"]["summary"].as_str().unwrap().is_empty());
        // `data.id` is the event, as the API shows it.
        let event = app
            .gql(
                "query($id: ID!) { node(id: $id) { ... on Event { type targetId } } }",
                json!({ "id": body["data"]["id"] }),
                Some(&contoso),
            )
            .await;
        let event = &event.data()["node"];
        assert_eq!(event["type"], dotted.replace('.', "_").to_uppercase());
        assert_eq!(event["targetId"], invited.id.as_str());
    }
    // The endpoints' own registration events go to the all-types endpoint as well.
    let types: Vec<String> = received.iter().map(Received::event_type).collect();
    assert!(
        types.iter().any(|t| t == "webhook_endpoint.created"),
        "{types:?}"
    );

    // The filtered endpoint got the acceptance only, and its log has nothing else.
    let only = eventually("the acceptance webhook", WAIT, || async {
        acceptances.requests().into_iter().next()
    })
    .await;
    assert_well_formed(&only, &accepted_secret);
    assert!(!only.signed_with(&secret));
    assert_eq!(only.event_type(), "partnership_invitation.accepted");
    let log = deliveries(&app, &contoso, &accepted_id).await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["messageId"], only.webhook_id());
    // Every delivery of the other endpoint ends DELIVERED, once each.
    let log = eventually("every delivery DELIVERED", WAIT, || async {
        let log = deliveries(&app, &contoso, &all_id).await;
        log.iter()
            .all(|d| d["status"] == "DELIVERED")
            .then_some(log)
    })
    .await;
    let mut ids: Vec<String> = everything
        .requests()
        .iter()
        .map(|r| r.webhook_id().to_owned())
        .collect();
    ids.sort();
    let mut logged: Vec<String> = log
        .iter()
        .map(|d| d["messageId"].as_str().unwrap().to_owned())
        .collect();
    logged.sort();
    assert_eq!(ids, logged, "one request per delivery");
    assert_eq!(acceptances.requests().len(), 1);
}
both!(the_walkthrough_reaches_a_receiver_signed);
