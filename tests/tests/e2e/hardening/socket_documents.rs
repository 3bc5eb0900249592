//! The document rules hold over `/graphql/ws` as over `POST /graphql`, now that the socket
//! serves queries: a large document is checked off the request threads and answered, the
//! introspection probe is refused, and no answer is larger than the byte bound.

use super::introspection::nested_introspection;
use e2e::ws::WsClient;
use e2e::{Backend, spawn_app_with};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_socket_keeps_the_document_and_answer_bounds() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.graphql.max_response_bytes = 4_096;
    })
    .await;
    let (_, token) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let mut socket = WsClient::signed_in(&app.address, &token).await;
    // Over 16 KB: checked on the blocking pool, then answered as usual.
    let large = format!("# {}\n{{ __typename }}", "x".repeat(20 * 1024));
    socket.subscribe("large", &large, json!({})).await;
    let answer = socket.message_for("large").await;
    assert_eq!(answer["type"], "next", "{answer}");
    assert_eq!(answer["payload"]["data"]["__typename"], "QueryRoot");
    assert_eq!(socket.message_for("large").await["type"], "complete");
    // The 229-byte probe: refused before it runs.
    socket
        .subscribe("probe", &nested_introspection(7), json!({}))
        .await;
    let answer = socket.message_for("probe").await;
    assert_eq!(answer["type"], "error", "{answer}");
    assert_eq!(
        answer["payload"][0]["extensions"]["code"],
        "QUERY_TOO_COMPLEX"
    );
    // An executed answer over the bound: one error instead.
    socket
        .subscribe("big", &nested_introspection(1), json!({}))
        .await;
    let answer = socket.message_for("big").await;
    assert_eq!(answer["type"], "next", "{answer}");
    assert_eq!(
        answer["payload"]["errors"][0]["extensions"]["code"],
        "RESPONSE_TOO_LARGE"
    );
    assert!(answer.to_string().len() < 4_096);
}
