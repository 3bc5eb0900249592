//! Documents whose cost is not their size: fragment fan-out, deep literals, thousands of
//! fragments, NUL characters and oversized search terms. Each is refused with a code before
//! the library works on it, and the server keeps answering.

use e2e::{Backend, TestApp, e2e, spawn_app};
use serde_json::json;
use std::time::Duration;

/// `G_n` spreads `G_{n-1}` twice: `levels` levels stand for 2^levels selections.
fn fan_out(levels: usize) -> String {
    let mut doc = format!("query {{ ...G{levels} }}\nfragment G0 on QueryRoot {{ __typename }}\n");
    for n in 1..=levels {
        doc.push_str(&format!(
            "fragment G{n} on QueryRoot {{ ...G{p} ...G{p} }}\n",
            p = n - 1
        ));
    }
    doc
}

async fn post_with_deadline(app: &TestApp, query: &str) -> (u16, serde_json::Value) {
    let resp = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": query }))
        // Before the guard a 30-level document took minutes of CPU.
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("answered in time");
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fragment_fan_out_is_refused_before_validation() {
    let app = spawn_app(Backend::Sqlite).await;
    // Two at once, as in the probe, while liveness keeps answering.
    let doc = fan_out(30);
    let (a, b, health) = tokio::join!(
        post_with_deadline(&app, &doc),
        post_with_deadline(&app, &doc),
        app.client
            .get(format!("{}/healthz", app.address))
            .timeout(Duration::from_secs(10))
            .send()
    );
    for (status, body) in [a, b] {
        assert_eq!(status, 400);
        assert_eq!(body["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX");
    }
    assert_eq!(health.unwrap().status(), 200);
    // A small fan-out is an ordinary document.
    let (status, body) = post_with_deadline(&app, &fan_out(4)).await;
    assert_eq!(
        (status, &body["data"]["__typename"]),
        (200, &json!("QueryRoot"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_literals_and_fragment_chains_do_not_take_the_process_down() {
    let app = spawn_app(Backend::Sqlite).await;
    // A 3 KB list literal 2,000 levels deep overflowed the parser's stack (process abort).
    let deep_list = format!(
        "{{ offers(first: 1, filter: {{search: {}\"x\"{}}}) {{ totalCount }} }}",
        "[".repeat(2000),
        "]".repeat(2000)
    );
    let deep_object = format!(
        "{{ node(id: {}1{}) {{ id }} }}",
        "{a:".repeat(1500),
        "}".repeat(1500)
    );
    // 6,000 unused fragments in a chain overflowed validation's stack.
    let chain: String = (0..6000)
        .map(|i| format!("fragment F{i} on QueryRoot {{ ...F{} }}\n", i + 1))
        .collect();
    let chain = format!("{{ __typename }}\n{chain}fragment F6000 on QueryRoot {{ __typename }}");
    for doc in [deep_list, deep_object, chain] {
        let (status, body) = post_with_deadline(&app, &doc).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX");
    }
    let (status, _) = post_with_deadline(&app, "{ __typename }").await;
    assert_eq!(status, 200, "still serving");
}

async fn nul_and_long_search_terms_are_coded(app: TestApp) {
    let (_, provider) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let admin = app.platform_admin_token().await;
    let long = "x".repeat(50_000);
    let searches = [
        (
            "{ customers(first: 5, filter: {search: $s}) { totalCount } }",
            &provider,
        ),
        (
            "{ offers(first: 5, filter: {search: $s}) { totalCount } }",
            &provider,
        ),
        (
            "{ indirectResellers(first: 5, filter: {search: $s}) { totalCount } }",
            &provider,
        ),
        (
            "{ partners(first: 5, filter: {search: $s}) { totalCount } }",
            &admin,
        ),
    ];
    for (query, token) in searches {
        let query = format!("query($s: String) {}", query);
        for term in ["\u{0}", "tab\there", long.as_str()] {
            let res = app.gql(&query, json!({ "s": term }), Some(token)).await;
            assert_eq!(
                res.error_code(),
                "BAD_USER_INPUT",
                "{query} {}",
                &term[..term.len().min(8)]
            );
            assert_eq!(res.body["errors"][0]["extensions"]["reason"], "INVALID");
        }
        let ok = app
            .gql(&query, json!({ "s": "Contoso" }), Some(token))
            .await;
        assert!(ok.body["errors"].is_null(), "{}", ok.body);
    }
    // NUL anywhere else is refused the same way, not an internal error from PostgreSQL.
    let res = app
        .gql(
            "mutation($e: String!) { login(input: {email: $e, password: \"x\"}) { token } }",
            json!({ "e": "admin\u{0}@contoso.test" }),
            None,
        )
        .await;
    assert_eq!(res.error_code(), "BAD_USER_INPUT");
    let res = app
        .gql(
            "{ auditLog(first: 1, filter: {action: \"a\\u0000\"}) { totalCount } }",
            json!({}),
            Some(&provider),
        )
        .await;
    assert_eq!(res.error_code(), "BAD_USER_INPUT");
}
e2e!(nul_and_long_search_terms_are_coded);
