//! The GraphQL over HTTP specification, checked by its own reference suite (the server
//! audits of the `graphql-http` npm package) and by the rules the outside review found
//! broken: content negotiation, requests that never executed, parse errors in words, a
//! missing `query`, and responses ordered like their selection sets, byte for byte.

use e2e::{Backend, TestApp, spawn_app};
use serde_json::{Value, json};

const AUDIT_PACKAGES: &[&str] = &["graphql-http@1.23.1", "graphql@16.15.0"];

/// MAY audits that fail, each with the reason (also in the README).
const MAY_FAILURES: &[(&str, &str)] = &[];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphql_http_server_audits_pass() {
    let app = spawn_app(Backend::Sqlite).await;
    let url = format!("{}/graphql", app.address);
    let out = e2e::node::run(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")),
        "graphql-http-audits.mjs",
        AUDIT_PACKAGES,
        &[&url],
    )
    .await;
    let results: Vec<Value> = serde_json::from_str(out.trim()).expect("audit results");
    assert!(
        results.len() >= 50,
        "the whole suite ran: {}",
        results.len()
    );
    let mut failed = Vec::new();
    for result in &results {
        let (name, status) = (result["name"].as_str().unwrap(), &result["status"]);
        println!("{status:>8} {name}");
        if status == "ok" {
            continue;
        }
        let listed = MAY_FAILURES.iter().any(|(id, _)| *id == result["id"]);
        if !(name.starts_with("MAY") && listed) {
            failed.push(format!("{name}: {}", result["reason"]));
        }
    }
    assert!(failed.is_empty(), "audits failed:\n{}", failed.join("\n"));
}

async fn post(app: &TestApp, accept: Option<&str>, body: Value) -> (u16, String, Value) {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&body);
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let media = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (status, media, response.json().await.unwrap())
}

#[tokio::test]
async fn the_accepted_media_type_is_answered() {
    let app = spawn_app(Backend::Sqlite).await;
    let ok = json!({ "query": "{ __typename }" });
    let too_deep = json!({ "query": format!("{}{}", "{a".repeat(100), "}".repeat(100)) });
    for (accept, expected) in [
        (Some("application/json"), "application/json"),
        (Some("*/*"), "application/json"),
        (None, "application/json"),
        (
            Some("application/graphql-response+json"),
            "application/graphql-response+json",
        ),
        (
            Some("application/graphql-response+json, application/json;q=0.9"),
            "application/graphql-response+json",
        ),
    ] {
        let (status, media, body) = post(&app, accept, ok.clone()).await;
        assert_eq!((status, media.as_str()), (200, expected), "{accept:?}");
        assert_eq!(body["data"]["__typename"], "QueryRoot");
        // Our own refusals carry the same type.
        let (status, media, body) = post(&app, accept, too_deep.clone()).await;
        assert_eq!((status, media.as_str()), (400, expected), "{accept:?}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX");
    }
}

#[tokio::test]
async fn requests_that_never_ran_say_why_without_data() {
    let app = spawn_app(Backend::Sqlite).await;
    let strict = Some("application/graphql-response+json");
    // A parse error: 400, no `data`, the reason in words and where it is.
    let (status, _, body) = post(&app, strict, json!({ "query": "{\n  offers(first: 1) {" })).await;
    assert_eq!(status, 400);
    assert!(body.get("data").is_none(), "{body}");
    let error = &body["errors"][0];
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("The document is not valid GraphQL: expected"),
        "{message}"
    );
    assert!(
        !message.contains("-->") && !message.contains('\n'),
        "{message}"
    );
    assert_eq!(error["locations"][0]["line"], 2);
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT");
    // A validation error likewise.
    let (status, _, body) = post(&app, strict, json!({ "query": "{ noSuchField }" })).await;
    assert_eq!(status, 400);
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    // With application/json the status is 200 (the spec's rule for legacy clients), still
    // without `data`.
    let (status, _, body) = post(&app, None, json!({ "query": "{ noSuchField }" })).await;
    assert_eq!(status, 200);
    assert!(body.get("data").is_none(), "{body}");
    // A typo in the body's keys is a missing query, said so.
    for accept in [strict, None] {
        let (_, _, body) = post(&app, accept, json!({ "qeury": "{ __typename }" })).await;
        assert_eq!(
            body["errors"][0]["message"],
            "The request has no `query` (the GraphQL document to run)."
        );
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
    // A field error during execution is not a request error: data is there.
    let (status, _, body) = post(
        &app,
        strict,
        json!({ "query": "{ viewer { user { id } } }" }),
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.get("data").is_some(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_ordered_like_their_selection_sets_byte_for_byte() {
    let app = spawn_app(Backend::Sqlite).await;
    let token = app.platform_admin_token().await;
    let query = "{ providerDirectory(first: 5) { totalCount pageInfo { hasNextPage endCursor } \
        edges { cursor node { companyName } } } offers(first: 3) { edges { node { sku id } } totalCount } \
        __typename }";
    let mut bodies = std::collections::BTreeSet::new();
    for _ in 0..200 {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .bearer_auth(&token)
            .json(&json!({ "query": query }))
            .send()
            .await
            .unwrap();
        bodies.insert(response.text().await.unwrap());
    }
    assert_eq!(bodies.len(), 1, "one byte string: {bodies:#?}");
    // Checked on the text: serde_json's maps do not keep the order.
    let body = bodies.into_iter().next().unwrap();
    let at = |key: &str| {
        body.find(&format!("\"{key}\""))
            .unwrap_or_else(|| panic!("{key} in {body}"))
    };
    assert!(at("providerDirectory") < at("offers") && at("offers") < at("__typename"));
    assert!(at("totalCount") < at("pageInfo") && at("pageInfo") < at("edges"));
    let offers = &body[at("offers")..];
    let rel = |key: &str| {
        offers
            .find(&format!("\"{key}\""))
            .unwrap_or_else(|| panic!("{key} in {offers}"))
    };
    assert!(rel("edges") < rel("totalCount"), "{offers}");
    assert!(rel("sku") < rel("id"), "{offers}");
}
