//! Item 9: behind one trusted proxy (`trust_forwarded_for`, `forwarded_for_hops = 1`), the
//! client address is the entry the proxy appended to `X-Forwarded-For`, not the left-most
//! one, which the client writes itself. The server used to take the left-most entry, so a
//! client that wrote a new random address into each request escaped the per-address
//! sign-in throttle (`LOGIN_THROTTLE__PER_ADDRESS`) entirely.

use e2e::{Backend, TestApp, spawn_app_with};
use serde_json::{Value, json};

const PER_ADDRESS: u64 = 4;
/// What the proxy saw and appended.
const CLIENT: &str = "203.0.113.9";

/// A sign-in through the proxy: `forged` is what the client wrote, `seen` what the proxy
/// appended. Answers the response body.
async fn login_via_proxy(
    app: &TestApp,
    email: &str,
    password: &str,
    forged: &str,
    seen: &str,
) -> Value {
    let body = json!({
        "query": "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token userErrors { code } } }",
        "variables": { "e": email, "p": password },
    });
    app.client
        .post(format!("{}/graphql", app.address))
        .header("x-forwarded-for", format!("{forged}, {seen}"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A different address for every request, as a client escaping a per-address limit would.
fn random_address() -> String {
    let b = uuid::Uuid::new_v4().into_bytes();
    format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])
}

async fn forged_forwarded_for_entries_do_not_escape_the_address_throttle(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.trust_forwarded_for = true;
        s.forwarded_for_hops = 1;
        s.login_throttle.per_address = PER_ADDRESS;
    })
    .await;
    app.enroll("INDIRECT_PROVIDER", "Proseware", "pia@proseware.test")
        .await;
    // Failures for different accounts (so the per-account limit never applies), each with
    // a fresh forged address in front.
    for i in 0..PER_ADDRESS {
        let res = login_via_proxy(
            &app,
            &format!("ghost{i}@nowhere.test"),
            "wrong-password",
            &random_address(),
            CLIENT,
        )
        .await;
        assert_eq!(
            res["data"]["login"]["userErrors"][0]["code"], "INVALID_CREDENTIALS",
            "attempt {i}: {res}"
        );
    }
    // The address is used up: even the right password, behind yet another forged entry.
    let blocked = login_via_proxy(
        &app,
        "pia@proseware.test",
        "password-123",
        &random_address(),
        CLIENT,
    )
    .await;
    assert_eq!(
        blocked["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "counted against {CLIENT}: {blocked}"
    );
    // Another client behind the same proxy is not affected, whatever it forges.
    let other = login_via_proxy(
        &app,
        "pia@proseware.test",
        "password-123",
        CLIENT,
        "203.0.113.10",
    )
    .await;
    assert!(other["data"]["login"]["token"].is_string(), "{other}");
}
both!(forged_forwarded_for_entries_do_not_escape_the_address_throttle);
