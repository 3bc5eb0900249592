//! Limits of `/graphql/ws`: sign-in by `connection_init` (refused sockets close with 4403,
//! the graphql-transport-ws code for "Forbidden"), connections per user, operations per
//! connection, message size, the init timeout (4408); queries run on the socket too, and
//! `POST /graphql` refuses subscriptions.

use super::EVENTS;
use crate::partnerships::request;
use e2e::ws::{Ended, WsClient};
use e2e::{Backend, TestApp, spawn_app_with};
use serde_json::json;

async fn limited_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |s| {
        s.events.max_connections_per_user = 2;
        s.events.max_subscriptions_per_connection = 2;
        s.events.max_message_bytes = 8 * 1024;
        s.events.init_timeout_seconds = 1;
    })
    .await
}

/// Variables keeping to requests: the sign-in and approval of the set-up may still be on
/// their way when a subscription starts (see `WALKTHROUGH`).
fn requests_only() -> serde_json::Value {
    json!({ "types": ["PARTNERSHIP_INVITATION_REQUESTED"] })
}

async fn provider(app: &TestApp) -> String {
    app.active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await
        .1
}

async fn connection_init_without_a_valid_token_is_refused(backend: Backend) {
    let app = limited_app(backend).await;
    let token = provider(&app).await;
    let signed_out = app.login("admin@contoso.test", "password-123").await;
    app.gql(
        "mutation { logout { success } }",
        json!({}),
        Some(&signed_out),
    )
    .await;
    let payloads = [
        json!({}),
        json!({ "Authorization": "Bearer not-a-token" }),
        json!({ "Authorization": format!("Basic {token}") }),
        json!({ "Authorization": format!("Bearer {signed_out}") }),
    ];
    // graphql-transport-ws: a refused `connection_init` closes with 4403 (Forbidden), a
    // `subscribe` before the acknowledgement with 4401 (Unauthorized).
    let mut deviations = Vec::new();
    for payload in payloads {
        let mut socket = WsClient::connect(&app.address).await;
        let answer = socket.init(payload.clone()).await;
        let Err(ended) = answer else {
            panic!("connection_init with {payload} was acknowledged");
        };
        if !matches!(ended, Ended::Closed { code: 4403, .. }) {
            deviations.push(format!("connection_init {payload}: {ended:?}, not 4403"));
        }
    }
    // A subscription sent without signing in gets no data: the socket ends.
    let mut early = WsClient::connect(&app.address).await;
    early.subscribe("1", EVENTS, json!({})).await;
    let first = early.next_json().await;
    assert!(first.is_none(), "answered before sign-in: {first:?}");
    let mut early = WsClient::connect(&app.address).await;
    early.subscribe("1", EVENTS, json!({})).await;
    let ended = early.ended().await;
    if !matches!(ended, Ended::Closed { code: 4401, .. }) {
        deviations.push(format!(
            "subscribe before connection_ack: {ended:?}, not 4401"
        ));
    }
    assert!(deviations.is_empty(), "{deviations:#?}");
}
both!(connection_init_without_a_valid_token_is_refused);

async fn connections_per_user_are_limited(backend: Backend) {
    let app = limited_app(backend).await;
    let token = provider(&app).await;
    let (_, other) = app
        .active_partner("INDIRECT_RESELLER", "Fabrikam", "admin@fabrikam.test")
        .await;
    let first = WsClient::signed_in(&app.address, &token).await;
    // Another session of the same user counts too: the limit is per user.
    let again = app.login("admin@contoso.test", "password-123").await;
    let _second = WsClient::signed_in(&app.address, &again).await;
    let refused = WsClient::try_sign_in(&app.address, &token).await;
    let Err(Ended::Closed { reason, .. }) = refused else {
        panic!("a third connection of one user was not refused with a close frame");
    };
    assert!(reason.to_lowercase().contains("too many"), "{reason}");
    // Another user is not affected.
    let _others = WsClient::signed_in(&app.address, &other).await;
    // A closed connection gives its place back.
    first.close().await;
    e2e::services::eventually("a free connection slot", super::WAIT, || async {
        WsClient::try_sign_in(&app.address, &token).await.ok()
    })
    .await;
}
both!(connections_per_user_are_limited);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_per_connection_are_limited() {
    let app = limited_app(Backend::Sqlite).await;
    let token = provider(&app).await;
    let mut socket = WsClient::signed_in(&app.address, &token).await;
    socket.subscribe("1", EVENTS, json!({})).await;
    socket.subscribe("2", EVENTS, requests_only()).await;
    socket.subscribe("3", EVENTS, json!({})).await;
    // Refused before it runs: an `error` message (which ends it: no `complete`).
    let refused = socket.message_for("3").await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"], "RATE_LIMITED",
        "{refused}"
    );

    // Ending one subscription frees its place. (From the newest event: a subscription
    // without `after` starts where the hub stands when the server reads it, which on a
    // busy machine may be after the request below.)
    socket.send(json!({ "id": "1", "type": "complete" })).await;
    let mut from_now = requests_only();
    from_now["after"] = super::newest_event(&app).await.into();
    socket.subscribe("4", EVENTS, from_now).await;
    let invited = request(&app, &token, "admin@fabrikam.test").await;
    // Both get the event, in either order.
    let mut got = Vec::new();
    while got.len() < 2 {
        let message = socket.next_json().await.expect("connection open");
        if message["type"] == "next" {
            let event = &message["payload"]["data"]["events"];
            assert_eq!(event["targetId"], invited.id.as_str(), "{message}");
            got.push(message["id"].as_str().unwrap().to_owned());
        }
    }
    got.sort();
    assert_eq!(got, ["2", "4"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_over_the_size_limit_closes_the_connection() {
    let app = limited_app(Backend::Sqlite).await;
    let token = provider(&app).await;
    let mut socket = WsClient::signed_in(&app.address, &token).await;
    // Just under the limit is served (a comment pads the document).
    let padded = |size: usize| format!("# {}\n{EVENTS}", "x".repeat(size));
    let after = super::newest_event(&app).await;
    let variables = json!({ "types": ["PARTNERSHIP_INVITATION_REQUESTED"], "after": after });
    socket.subscribe("1", &padded(7 * 1024), variables).await;
    let invited = request(&app, &token, "admin@fabrikam.test").await;
    assert_eq!(
        socket.next_event("1").await["targetId"],
        invited.id.as_str()
    );
    // Over it, the connection ends (the server drops it, without a close frame), and
    // the oversized message is not served.
    socket.subscribe("2", &padded(9 * 1024), json!({})).await;
    while let Some(message) = socket.next_json().await {
        assert_ne!(
            message["id"], "2",
            "an oversized message was served: {message}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_connection_init_in_time_closes_with_4408() {
    let app = limited_app(Backend::Sqlite).await;
    let mut socket = WsClient::connect(&app.address).await;
    let ended = socket.ended().await;
    assert!(
        matches!(ended, Ended::Closed { code: 4408, .. }),
        "{ended:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_run_on_the_socket_and_subscriptions_not_over_post() {
    let app = limited_app(Backend::Sqlite).await;
    let token = provider(&app).await;
    let mut socket = WsClient::signed_in(&app.address, &token).await;
    socket
        .subscribe("q", "{ viewer { user { email } } }", json!({}))
        .await;
    let answer = socket.message_for("q").await;
    assert_eq!(answer["type"], "next", "{answer}");
    assert_eq!(
        answer["payload"]["data"]["viewer"]["user"]["email"], "admin@contoso.test",
        "{answer}"
    );
    assert_eq!(socket.message_for("q").await["type"], "complete");
    // The socket is still usable for a subscription.
    let mut from_now = requests_only();
    from_now["after"] = super::newest_event(&app).await.into();
    socket.subscribe("s", EVENTS, from_now).await;
    let invited = request(&app, &token, "admin@fabrikam.test").await;
    assert_eq!(
        socket.next_event("s").await["targetId"],
        invited.id.as_str()
    );

    // And POST /graphql refuses a subscription with 400 and a code.
    let posted = app.gql(EVENTS, json!({}), Some(&token)).await;
    assert_eq!(posted.status, 400, "{:?}", posted.body);
    assert_eq!(posted.error_code(), "BAD_USER_INPUT");
    assert!(
        posted.error_message().contains("/graphql/ws"),
        "{:?}",
        posted.body
    );
}
