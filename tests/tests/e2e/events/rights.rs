//! A subscription delivers each event with the caller's rights as of that event (issue 20,
//! item 5): an ADMIN lowered to HELPDESK_AGENT while its socket is open no longer receives
//! what only an ADMIN may read (a webhook endpoint's URL, which often carries a token) from
//! the next event on. And `events(types: [])` matches no event, as the schema says
//! (item 14).

use super::{EVENTS, create_endpoint, newest_event, webhook_app};
use crate::partnerships::request;
use crate::review::first_sign_in;
use e2e::Backend;
use e2e::ws::WsClient;
use serde_json::json;

const ENDPOINTS: &str = "subscription($after: ID) {
  events(types: [WEBHOOK_ENDPOINT_CREATED], after: $after) {
    type targetId target { __typename ... on WebhookEndpoint { url } } } }";

async fn a_lowered_role_counts_from_the_next_event(backend: Backend) {
    let app = webhook_app(backend, |_| {}).await;
    let (_, boss) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "boss@contoso.test")
        .await;
    let added = app
        .gql(
            "mutation { addUser(input: {email: \"ada@contoso.test\", name: \"Ada\", role: ADMIN}) {
               user { id } temporaryPassword userErrors { code } } }",
            json!({}),
            Some(&boss),
        )
        .await;
    let payload = &added.data()["addUser"];
    let ada_id = payload["user"]["id"].as_str().unwrap().to_owned();
    let temporary = payload["temporaryPassword"].as_str().unwrap();
    let ada = first_sign_in(&app, "ada@contoso.test", temporary, "adas-own-password").await;

    let mut socket = WsClient::signed_in(&app.address, &ada).await;
    let after = newest_event(&app).await;
    socket
        .subscribe("w", ENDPOINTS, json!({ "after": after }))
        .await;
    // As an ADMIN, Ada reads the endpoint's URL.
    let first = "https://crm.example.com/hooks/first?token=s3cret";
    create_endpoint(&app, &boss, first, &["CUSTOMER_CREATED"]).await;
    let event = socket.next_event("w").await;
    assert_eq!(event["target"]["url"], first, "{event}");

    // Lowered to HELPDESK_AGENT, on the same socket.
    let lowered = app
        .gql(
            "mutation($id: ID!) { updateUser(input: {userId: $id, role: HELPDESK_AGENT}) {
               user { role } userErrors { code } } }",
            json!({ "id": ada_id }),
            Some(&boss),
        )
        .await;
    assert_eq!(
        lowered.data()["updateUser"]["user"]["role"],
        "HELPDESK_AGENT"
    );
    let second = "https://crm.example.com/hooks/second?token=s3cret";
    create_endpoint(&app, &boss, second, &["CUSTOMER_CREATED"]).await;
    let payload = socket.next_data("w").await;
    assert!(
        !payload.to_string().contains("hooks/second"),
        "a HELPDESK_AGENT read an endpoint's URL: {payload}"
    );
    let event = &payload["data"]["events"];
    assert_eq!(event["type"], "WEBHOOK_ENDPOINT_CREATED", "{payload}");
    assert!(event["target"].is_null(), "{payload}");
}
both!(a_lowered_role_counts_from_the_next_event);

async fn an_empty_type_list_matches_no_event(backend: Backend) {
    let app = webhook_app(backend, |_| {}).await;
    let (_, token) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let mut socket = WsClient::signed_in(&app.address, &token).await;
    let after = newest_event(&app).await;
    socket
        .subscribe("none", EVENTS, json!({ "types": [], "after": after }))
        .await;
    let invited = request(&app, &token, "admin@fabrikam.test").await;
    // Subscribed later, with the event's type: it gets the event, and "none" got nothing
    // before it (nor before the answer to a query sent after it).
    let types = json!({ "types": ["PARTNERSHIP_INVITATION_REQUESTED"], "after": after });
    socket.subscribe("some", EVENTS, types).await;
    loop {
        let message = socket.next_json().await.expect("connection open");
        assert_ne!(message["id"], "none", "{message}");
        if message["id"] == "some" {
            let event = &message["payload"]["data"]["events"];
            assert_eq!(event["targetId"], invited.id.as_str(), "{message}");
            break;
        }
    }
    socket.subscribe("q", "{ __typename }", json!({})).await;
    loop {
        let message = socket.next_json().await.expect("connection open");
        assert_ne!(message["id"], "none", "{message}");
        if message["id"] == "q" && message["type"] == "complete" {
            break;
        }
    }
}
both!(an_empty_type_list_matches_no_event);
