//! Where webhooks may not go, without the development flag
//! (`WEBHOOKS__ALLOW_INSECURE_TARGETS`): anything but https, loopback, private, link-local
//! (cloud metadata) and other non-public addresses, names that resolve only to such
//! addresses, and over-long URLs. Refused on registration and on update alike.

use super::create_endpoint;
use e2e::{Backend, spawn_app_with};
use serde_json::json;

/// (URL, the user error code it gets).
fn refused() -> Vec<(String, &'static str)> {
    let mut cases: Vec<(String, &str)> = [
        ("ftp://hooks.example.com/partner-center", "INSECURE_URL"),
        ("http://hooks.example.com/partner-center", "INSECURE_URL"),
        ("https://127.0.0.1/", "TARGET_NOT_ALLOWED"),
        ("https://10.0.0.1/", "TARGET_NOT_ALLOWED"),
        (
            "https://169.254.169.254/latest/meta-data",
            "TARGET_NOT_ALLOWED",
        ),
        ("https://[::1]/", "TARGET_NOT_ALLOWED"),
        ("https://localhost/", "TARGET_NOT_ALLOWED"),
        // The same places written differently.
        ("https://LOCALHOST:8443/hook", "TARGET_NOT_ALLOWED"),
        ("https://2130706433/", "TARGET_NOT_ALLOWED"),
        ("https://0x7f.0.0.1/", "TARGET_NOT_ALLOWED"),
        ("https://[::ffff:127.0.0.1]/", "TARGET_NOT_ALLOWED"),
        ("https://192.168.1.10:8443/hook", "TARGET_NOT_ALLOWED"),
        ("https://[fd00::1]/", "TARGET_NOT_ALLOWED"),
        ("https://100.64.0.1/", "TARGET_NOT_ALLOWED"),
        ("https://0.0.0.0/", "TARGET_NOT_ALLOWED"),
    ]
    .into_iter()
    .map(|(u, c)| (u.to_owned(), c))
    .collect();
    let long = format!("https://hooks.example.com/{}", "a".repeat(2000));
    assert!(long.len() > 2000);
    cases.push((long, "OUT_OF_RANGE"));
    cases
}

async fn unsafe_targets_are_refused_without_the_development_flag(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.webhooks.allow_insecure_targets = false;
    })
    .await;
    let (_, admin) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    for (url, code) in refused() {
        let res = app
            .gql(
                "mutation($url: String!) { createWebhookEndpoint(input: {url: $url}) {
                   endpoint { id } secret userErrors { code field } } }",
                json!({ "url": url }),
                Some(&admin),
            )
            .await;
        let payload = &res.data()["createWebhookEndpoint"];
        assert_eq!(
            payload["userErrors"],
            json!([{ "code": code, "field": ["input", "url"] }]),
            "{}: {payload}",
            &url[..url.len().min(60)]
        );
        assert_eq!(payload["secret"], json!(null));
    }

    // A public https address is accepted (a literal address: no DNS needed). It takes a
    // type that never happens here, so nothing is ever sent to it.
    let (endpoint_id, _) = create_endpoint(
        &app,
        &admin,
        "https://93.184.215.14/partner-center",
        &["PARTNERSHIP_ENDED"],
    )
    .await;
    // Moving it somewhere refused is refused the same way, and leaves it where it was.
    for (url, code) in refused() {
        let res = app
            .gql(
                "mutation($id: ID!, $url: String!) {
                   updateWebhookEndpoint(input: {endpointId: $id, url: $url}) {
                     endpoint { url } userErrors { code field } } }",
                json!({ "id": endpoint_id, "url": url }),
                Some(&admin),
            )
            .await;
        let payload = &res.data()["updateWebhookEndpoint"];
        assert_eq!(
            payload["userErrors"][0]["code"],
            code,
            "{}: {payload}",
            &url[..url.len().min(60)]
        );
    }
    let listed = app
        .gql(
            "{ webhookEndpoints(first: 10) { edges { node { id url } } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        listed.data()["webhookEndpoints"]["edges"],
        json!([{ "node": { "id": endpoint_id, "url": "https://93.184.215.14/partner-center" } }])
    );
}
both!(unsafe_targets_are_refused_without_the_development_flag);
