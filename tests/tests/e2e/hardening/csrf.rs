//! A request a browser can send cross-site without a preflight never runs a mutation, and
//! every page the server sends carries its security headers.

use e2e::{Backend, spawn_app};
use serde_json::json;

const ENROLL: &str = r#"mutation { enrollPartner(input: {kind: INDIRECT_RESELLER,
  companyName: "Forged", country: "US", adminName: "X", adminEmail: "forged@x.test",
  password: "password-123"}) { partner { id } userErrors { code } } }"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simple_requests_never_run_mutations() {
    let app = spawn_app(Backend::Sqlite).await;
    let url = format!("{}/graphql", app.address);
    let body = json!({ "query": ENROLL }).to_string();
    let form = format!("query={}", ENROLL.replace(' ', "+"));
    for (content_type, payload) in [
        (Some("text/plain"), body.clone()),
        (Some("text/plain;charset=UTF-8"), body.clone()),
        (Some("application/x-www-form-urlencoded"), form),
        (Some("text/xml"), body.clone()),
        (None, body.clone()),
    ] {
        let mut req = app.client.post(&url).body(payload);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 415, "{content_type:?}");
        let answer: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
    // A multipart form without the preflight header is refused; with it, it runs.
    let multipart = || {
        reqwest::multipart::Form::new()
            .text("operations", json!({ "query": ENROLL }).to_string())
            .text("map", "{}")
    };
    let resp = app
        .client
        .post(&url)
        .multipart(multipart())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
    // A mutation over GET is refused.
    let resp = app
        .client
        .get(&url)
        .query(&[("query", ENROLL)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    let admin = app.platform_admin_token().await;
    let forged = app
        .gql(
            "{ partners(first: 5, filter: {search: \"Forged\"}) { totalCount } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(forged.data()["partners"]["totalCount"], 0, "nothing ran");

    let resp = app
        .client
        .post(&url)
        .header("apollo-require-preflight", "true")
        .multipart(multipart())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let answer: serde_json::Value = resp.json().await.unwrap();
    assert!(
        answer["data"]["enrollPartner"]["partner"]["id"].is_string(),
        "{answer}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_has_a_policy_and_nosniff() {
    let app = spawn_app(Backend::Sqlite).await;
    for path in [
        "/invitations/accept?token=x",
        "/customer-relationships/accept?token=x",
        "/graphiql",
    ] {
        let resp = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        let headers = resp.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        assert!(
            !csp.contains("unsafe-inline") || path == "/graphiql",
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        let html = resp.text().await.unwrap();
        if path != "/graphiql" {
            assert!(!html.contains("<script>"), "{path}: no inline script");
            assert!(!html.contains("<style>"), "{path}: no inline style");
        }
    }
    // JSON answers carry nosniff too.
    let resp = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
}
