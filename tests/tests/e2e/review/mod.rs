//! Regressions of the code review of issue 11 ("Correctness under concurrency and over
//! time"): each module holds one item, written against what a user or an operator checks,
//! and each would have failed before the fix (the comments say what used to happen).

use crate::customers::{CREATE, customer_input, offer_id};
use e2e::{Gql, TestApp};
use serde_json::{Value, json};

/// Like `e2e!`, for a body `fn(Backend)` that starts its own app (own settings, own SMTP
/// sink or Redis): runs it once on SQLite and once on PostgreSQL.
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(e2e::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(e2e::Backend::Postgres).await;
            }
        }
    };
}

mod admin_password;
mod every_mutation;
mod foreign_keys;
mod forwarded_for;
mod queue_bounds;
mod removal;
mod smaller;
mod smaller_jobs;
mod suspension;
mod suspension_reseller;
mod withdrawn_email;

/// The worker's shared job context, for driving its jobs directly (`relay_once`).
pub fn runtime(
    app: &TestApp,
    mailer: worker::mail::Mailer,
    queue: worker::queue::EmailQueue,
    settings: worker::JobSettings,
) -> worker::runtime::Runtime {
    worker::runtime::Runtime::new(
        app.db.clone(),
        mailer,
        queue,
        settings,
        Default::default(),
        worker::signal::EventSignal::local(),
    )
}

/// One retention pass (`worker::retention::clean`) with `settings`.
pub async fn clean(
    app: &TestApp,
    queue: &worker::queue::EmailQueue,
    settings: &worker::retention::RetentionSettings,
) -> worker::retention::Cleaned {
    worker::retention::clean(&app.db, queue, settings, &Default::default())
        .await
        .unwrap()
}

/// The integer id behind a global id (`base64url("Type:id")`).
pub fn db_id(global: &str) -> i32 {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(global)
        .expect("a global id");
    let text = String::from_utf8(raw).unwrap();
    text.rsplit_once(':').unwrap().1.parse().unwrap()
}

/// The audit entries `token` may see with `action` (action, target, actor, summary).
pub async fn audit_entries(app: &TestApp, token: &str, action: &str) -> Vec<Value> {
    let res = app
        .gql(
            "query($a: String) { auditLog(first: 100, filter: {action: $a}) { edges { node {
               action targetType targetId actorUserId summary } } } }",
            json!({ "a": action }),
            Some(token),
        )
        .await;
    res.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// The `userErrors` codes of a mutation payload.
pub fn user_error_codes(res: &Gql, field: &str) -> Vec<String> {
    res.data()[field]["userErrors"]
        .as_array()
        .unwrap_or_else(|| panic!("no userErrors in {}", res.body))
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect()
}

/// The top-level error's `extensions.reason`.
pub fn error_reason(res: &Gql) -> &str {
    res.body["errors"][0]["extensions"]["reason"]
        .as_str()
        .unwrap_or_default()
}

/// Signs in with a temporary password and replaces it; returns a token with full access.
pub async fn first_sign_in(app: &TestApp, email: &str, temporary: &str, new: &str) -> String {
    let temp = app.login(email, temporary).await;
    let changed = app
        .gql(
            "mutation($c: String!, $n: String!) { changePassword(input: {currentPassword: $c, newPassword: $n}) { userErrors { code } } }",
            json!({ "c": temporary, "n": new }),
            Some(&temp),
        )
        .await;
    assert_eq!(changed.data()["changePassword"]["userErrors"], json!([]));
    app.login(email, new).await
}

/// `redis-cli` against a test's own Redis: the answer as text.
pub fn redis_cli(port: u16, args: &[&str]) -> String {
    let out = std::process::Command::new("redis-cli")
        .arg("-p")
        .arg(port.to_string())
        .args(args)
        .output()
        .expect("redis-cli is installed with redis-server");
    assert!(out.status.success(), "redis-cli {args:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A direct customer (no reseller) of `provider` with Business Basic x3; its id.
pub async fn direct_customer(app: &TestApp, provider: &str, domain: &str) -> String {
    let basic = offer_id(app, provider, "M365-BUSINESS-BASIC").await;
    let lines = json!([{ "offerId": basic, "quantity": 3 }]);
    let res = app
        .gql(
            CREATE,
            json!({ "input": customer_input(domain, None, lines, domain) }),
            Some(provider),
        )
        .await;
    let payload = &res.data()["createCustomer"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    payload["customer"]["id"].as_str().unwrap().to_owned()
}

/// `requestCustomerResellerRelationship` (emailed to the customer's admin): (request id,
/// the link's token).
pub async fn relationship_request(
    app: &TestApp,
    provider: &str,
    customer_id: &str,
    reseller_id: &str,
) -> (String, String) {
    let res = app
        .gql(
            "mutation($c: ID!, $r: ID!) { requestCustomerResellerRelationship(input: {customerId: $c, indirectResellerId: $r}) {
               link request { id } userErrors { code } } }",
            json!({ "c": customer_id, "r": reseller_id }),
            Some(provider),
        )
        .await;
    let payload = &res.data()["requestCustomerResellerRelationship"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    let link = payload["link"].as_str().unwrap();
    (
        payload["request"]["id"].as_str().unwrap().to_owned(),
        link.split("token=").nth(1).unwrap().to_owned(),
    )
}
