//! Documents whose answer or validation is not bounded by their size: introspection lists
//! nested in each other (229 bytes that grew the server to 14.5 GB), fragments that no
//! operation uses (validation walks them all), and answers bigger than the configured
//! byte bound. Each is refused by a bound, and the server keeps answering meanwhile.

use e2e::{Backend, TestApp, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use std::time::Duration;

/// The review's probe: `interfaces { possibleTypes { … } }` nested `pairs` times.
pub(super) fn nested_introspection(pairs: usize) -> String {
    let open = "interfaces { possibleTypes { ".repeat(pairs);
    let close = "} } ".repeat(pairs);
    format!("{{ __schema {{ types {{ {open}name {close}}} }} }}")
}

async fn post(app: &TestApp, query: &str) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": query }))
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .expect("answered");
    (response.status().as_u16(), response.json().await.unwrap())
}

/// Two of `doc` at once while `/healthz` is asked: their answers and liveness's status.
async fn twice_with_health(app: &TestApp, doc: &str) -> ([(u16, Value); 2], u16) {
    let (a, b, health) = tokio::join!(
        post(app, doc),
        post(app, doc),
        app.client
            .get(format!("{}/healthz", app.address))
            .timeout(Duration::from_secs(10))
            .send()
    );
    ([a, b], health.expect("liveness answers").status().as_u16())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn introspection_lists_count_what_they_multiply() {
    let app = spawn_app(Backend::Sqlite).await;
    let probe = nested_introspection(7);
    assert!(probe.len() < 300, "{}", probe.len());
    let (answers, health) = twice_with_health(&app, &probe).await;
    for (status, body) in answers {
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("introspection")
        );
    }
    assert_eq!(health, 200);
    // One level of the same is an ordinary question.
    let (status, body) = post(&app, &nested_introspection(1)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"]["__schema"]["types"].as_array().unwrap().len() > 50);
    // GraphiQL's own introspection (graphql-js's query with every option GraphiQL uses).
    let query = e2e::node::run(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")),
        "introspection-query.mjs",
        &["graphql@16.15.0"],
        &[],
    )
    .await;
    let (status, body) = post(&app, &query).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    assert!(body["data"]["__schema"]["types"].as_array().unwrap().len() > 50);
}

/// A fragment no operation uses, made of `n` inline fragments that each spread a fragment
/// of `m` fields: validation compares n × m fields.
fn unused_fragments(n: usize, m: usize) -> String {
    let fields: String = (0..m).map(|i| format!("f{i}: __typename ")).collect();
    let spreads = "... on QueryRoot { ...Wide } ".repeat(n);
    format!(
        "{{ __typename }}\nfragment Unused on QueryRoot {{ {spreads}}}\n\
         fragment Wide on QueryRoot {{ {fields}}}"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fragments_no_operation_uses_are_counted() {
    let app = spawn_app(Backend::Sqlite).await;
    let doc = unused_fragments(3_000, 3_000);
    let (answers, health) = twice_with_health(&app, &doc).await;
    for (status, body) in answers {
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX");
    }
    assert_eq!(health, 200);
    // A small unused fragment is validation's to report, as before.
    let (_, body) = post(&app, &unused_fragments(2, 2)).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

#[tokio::test]
async fn no_answer_is_larger_than_the_byte_bound() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.graphql.max_response_bytes = 4_096).await;
    let (status, body) = post(&app, "{ a: __typename }").await;
    assert_eq!((status, &body["data"]["a"]), (200, &json!("QueryRoot")));
    let (status, body) = post(&app, &nested_introspection(1)).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"], Value::Null);
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "RESPONSE_TOO_LARGE"
    );
    assert_eq!(
        body["errors"][0]["message"],
        "The answer is larger than 4096 bytes; select fewer fields or a smaller page."
    );
}
