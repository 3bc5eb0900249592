//! `/graphql/ws` keeps the graphql-transport-ws protocol's rules (issue 20, item 18), as the
//! protocol's own client sees them: the `graphql-ws` npm package (pinned, installed by the
//! test, driven by `tests/node/ws-protocol.mjs`) runs a query and a mutation over the
//! socket, gets `error` messages for documents refused before execution, sees 4409 on a
//! duplicate id and 4403 on a refused sign-in. Frames the client cannot send (not JSON, an
//! unknown type) go through a raw WebSocket: 4400 with a reason a close frame can carry,
//! also before `connection_init` (where 4403 is only for a refused sign-in).

use e2e::ws::{Ended, WsClient};
use e2e::{Backend, TestApp, spawn_app};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// The client, and the WebSocket implementation it needs on Node 20.
const PACKAGES: &[&str] = &["graphql-ws@5.16.2", "ws@8.18.3"];

/// What the script saw, by scenario.
async fn client_run(app: &TestApp, token: &str, suspended: &str) -> Value {
    let modules = tokio::task::spawn_blocking(|| {
        e2e::npm::install(Path::new(env!("CARGO_TARGET_TMPDIR")), PACKAGES)
    })
    .await
    .unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node/ws-protocol.mjs");
    let url = format!("{}/graphql/ws", app.address.replacen("http", "ws", 1));
    let mut node = std::process::Command::new("node");
    node.arg(script)
        .arg(&modules)
        .arg(url)
        .arg(token)
        .arg(suspended);
    // The script's client talks to this process's server: run it off the test's runtime.
    let output = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        tokio::task::spawn_blocking(move || node.output()),
    )
    .await
    .expect("the script ends within 60 s")
    .unwrap()
    .expect("node runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// A token of a SUSPENDED provider's ADMIN.
async fn suspended_partner(app: &TestApp) -> String {
    let (id, token) = app
        .active_partner("INDIRECT_PROVIDER", "Northwind", "admin@northwind.test")
        .await;
    let platform = app.platform_admin_token().await;
    let suspended = app
        .gql(
            "mutation($id: ID!) { suspendPartner(input: {partnerId: $id}) { partner { enrollmentStatus } } }",
            json!({ "id": id }),
            Some(&platform),
        )
        .await;
    assert_eq!(
        suspended.data()["suspendPartner"]["partner"]["enrollmentStatus"],
        "SUSPENDED"
    );
    token
}

fn first_code(errors: &Value) -> &Value {
    &errors[0]["extensions"]["code"]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_graphql_ws_client_sees_the_protocols_rules() {
    let app = spawn_app(Backend::Sqlite).await;
    let (_, token) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let suspended = suspended_partner(&app).await;
    let seen = client_run(&app, &token, &suspended).await;

    // A query: one `next`, then `complete`.
    let query = &seen["query"];
    assert_eq!(query["ended"], "complete", "{query}");
    assert_eq!(
        query["results"].as_array().map(Vec::len),
        Some(1),
        "{query}"
    );
    assert_eq!(
        query["results"][0]["data"],
        json!({ "viewer": { "user": { "email": "admin@contoso.test" } } })
    );
    // What it cost from the caller's budget, as over HTTP.
    assert!(query["results"][0]["extensions"]["cost"]["requestedQueryCost"].is_number());
    // A mutation runs, and its change is there for POST /graphql too.
    let mutation = &seen["mutation"];
    assert_eq!(mutation["ended"], "complete", "{mutation}");
    let payload = &mutation["results"][0]["data"]["updateViewerPreferences"];
    assert_eq!(payload["userErrors"], json!([]), "{mutation}");
    let viewer = app
        .gql(
            "{ viewer { user { preferredLanguage } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(
        viewer.data()["viewer"]["user"]["preferredLanguage"],
        "zh-TW"
    );

    // Documents refused before execution come as an `error` message (the client's sink
    // gets the errors array), coded like over HTTP.
    for (name, code) in [
        ("invalid", "BAD_USER_INPUT"),
        ("unparsable", "BAD_USER_INPUT"),
        ("guarded", "QUERY_TOO_COMPLEX"),
    ] {
        let refused = &seen[name];
        assert_eq!(refused["ended"], "error", "{name}: {refused}");
        assert_eq!(refused["results"], json!([]), "{name}: {refused}");
        assert_eq!(first_code(&refused["errors"]), code, "{name}: {refused}");
    }
    // The suspended-partner rule of POST /graphql: refused before execution; reading works.
    let suspended = &seen["suspended"];
    let mutation = &suspended["mutation"];
    assert_eq!(mutation["ended"], "error", "{suspended}");
    assert_eq!(first_code(&mutation["errors"]), "FORBIDDEN", "{suspended}");
    assert_eq!(
        mutation["errors"][0]["extensions"]["reason"],
        "PARTNER_SUSPENDED"
    );
    assert_eq!(suspended["query"]["ended"], "complete", "{suspended}");

    // The same id twice: 4409, as both operations see it.
    for operation in seen["duplicate"].as_array().expect("two operations") {
        assert_eq!(operation["close"]["code"], 4409, "{operation}");
        assert_eq!(
            operation["close"]["reason"], "Subscriber for same-id already exists",
            "{operation}"
        );
    }
    // A refused sign-in: 4403, with a reason.
    let refused = &seen["refused"];
    assert_eq!(refused["close"]["code"], 4403, "{refused}");
    assert_ne!(refused["close"]["reason"], "", "{refused}");
}

/// How the server ended the connection after `frames`.
async fn ended_after(app: &TestApp, token: Option<&str>, frames: &[String]) -> (u16, String) {
    let mut socket = match token {
        Some(token) => WsClient::signed_in(&app.address, token).await,
        None => WsClient::connect(&app.address).await,
    };
    for frame in frames {
        socket.send_text(frame.clone()).await;
    }
    match socket.ended().await {
        Ended::Closed { code, reason } => (code, reason),
        Ended::Dropped => panic!("{frames:?}: dropped without a close frame (a client sees 1006)"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_frames_close_with_4400_and_a_reason_that_fits() {
    let app = spawn_app(Backend::Sqlite).await;
    let (_, token) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let long = "x".repeat(500);
    let frames = [
        "not json".to_owned(),
        json!({ "type": "nonsense" }).to_string(),
        json!({ "type": long }).to_string(),
        json!({ "type": "subscribe", "payload": { "query": "{ a }" } }).to_string(),
        json!({ "type": "subscribe", "id": "1", "payload": { "query": 5 } }).to_string(),
        json!({ "id": "1", "payload": { "query": long } }).to_string(),
    ];
    for frame in &frames {
        // After sign-in and before it: a syntax error is 4400, never 4403.
        for token in [Some(token.as_str()), None] {
            let (code, reason) = ended_after(&app, token, std::slice::from_ref(frame)).await;
            assert_eq!(
                code,
                4400,
                "{frame} (signed in: {}): {reason}",
                token.is_some()
            );
            assert!(!reason.is_empty() && reason.len() <= 123, "{reason:?}");
        }
    }
    // A subscribe before sign-in is 4401; a second connection_init is 4429.
    let subscribe = json!({ "type": "subscribe", "id": "1", "payload": { "query": "{ a }" } });
    let (code, _) = ended_after(&app, None, &[subscribe.to_string()]).await;
    assert_eq!(code, 4401);
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
    let (code, _) = ended_after(&app, Some(&token), &[init.to_string()]).await;
    assert_eq!(code, 4429);
}

/// The legacy `graphql-ws` subprotocol (subscriptions-transport-ws) keeps working: its own
/// message names, results as `data`, and a refused sign-in said in `connection_error`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_legacy_protocol_still_works() {
    let app = spawn_app(Backend::Sqlite).await;
    let (_, token) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let mut socket = WsClient::connect_with(&app.address, "graphql-ws").await;
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
    socket.send(init).await;
    assert_eq!(socket.next_json().await.unwrap()["type"], "connection_ack");
    let start = json!({ "type": "start", "id": "1", "payload": { "query": "{ viewer { user { email } } }" } });
    socket.send(start).await;
    let data = socket.next_json().await.unwrap();
    assert_eq!(data["type"], "data", "{data}");
    assert_eq!(
        data["payload"]["data"]["viewer"]["user"]["email"],
        "admin@contoso.test"
    );
    assert_eq!(socket.next_json().await.unwrap()["type"], "complete");
    // A refusal before execution: its errors as a result, then `complete`.
    let start = json!({ "type": "start", "id": "2", "payload": { "query": "{ nope }" } });
    socket.send(start).await;
    let data = socket.next_json().await.unwrap();
    assert_eq!(data["type"], "data", "{data}");
    assert_eq!(first_code(&data["payload"]["errors"]), "BAD_USER_INPUT");
    assert_eq!(socket.next_json().await.unwrap()["type"], "complete");

    let mut refused = WsClient::connect_with(&app.address, "graphql-ws").await;
    refused
        .send(json!({ "type": "connection_init", "payload": {} }))
        .await;
    let said = refused.next_json().await.unwrap();
    assert_eq!(said["type"], "connection_error", "{said}");
    assert!(matches!(
        refused.ended().await,
        Ended::Closed { code: 4403, .. }
    ));
}
