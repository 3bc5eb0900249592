//! Where a delivery may go, against the ways round the address rule: IPv6 forms that carry
//! a private IPv4 address, a literal address stored under an older rule (re-checked at
//! delivery), a proxy named in the worker's environment (never used); and URLs whose
//! stored (normalized) form is longer than what was typed, for webhooks and for the
//! directory's target URLs alike.

use super::{Trap, both, stored_endpoints, try_create};
use crate::events::{WAIT, create_endpoint, deliveries, fast_webhooks, webhook_app};
use crate::partnerships::request;
use e2e::receiver::Receiver;
use e2e::services::{RedisServer, WorkerProcess, eventually};
use e2e::{Backend, spawn_app_with};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;

async fn ipv6_forms_of_private_ipv4_addresses_are_refused(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.webhooks.allow_insecure_targets = false).await;
    let (_, admin) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    for url in [
        "https://[::127.0.0.1]/",
        "https://[::169.254.169.254]/latest/meta-data",
        "https://[::ffff:0:127.0.0.1]/",
        "https://[64:ff9b:1::169.254.169.254]/",
        "https://[64:ff9b::10.0.0.1]/",
        "https://[2002:a9fe:a9fe::]/",
        "https://[2001:0:5db8:1::80ff:fffe]/",
    ] {
        let (endpoint, codes, top) = try_create(&app, &admin, json!({ "url": url })).await;
        assert_eq!(top, "", "{url}");
        assert_eq!(codes, ["TARGET_NOT_ALLOWED"], "{url}");
        assert_eq!(endpoint, json!(null), "{url}");
    }
    assert!(stored_endpoints(&app).await.is_empty());
}
both!(ipv6_forms_of_private_ipv4_addresses_are_refused);

async fn a_literal_address_is_checked_again_at_delivery(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        fast_webhooks(&mut s.webhooks);
        s.webhooks.allow_insecure_targets = false;
        s.webhooks.max_attempts = 1;
    })
    .await;
    let (_, admin) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    // Registered on a public address, then (as under an older, looser rule) pointing at a
    // port of this machine that counts who connects.
    let trap = Trap::start();
    // Subscribed to an event this test never makes: only the test delivery goes out, after
    // the address changed (nothing may ever be sent to the public address itself).
    let (endpoint_id, _) = create_endpoint(
        &app,
        &admin,
        "https://93.184.215.14/hook",
        &["CUSTOMER_CREATED"],
    )
    .await;
    entity::webhook_endpoint::Entity::update_many()
        .col_expr(
            entity::webhook_endpoint::Column::Url,
            Expr::value(format!("https://127.0.0.1:{}/hook", trap.port())),
        )
        .filter(entity::webhook_endpoint::Column::Url.eq("https://93.184.215.14/hook"))
        .exec(&app.db)
        .await
        .unwrap();
    let sent = app
        .gql(
            "mutation($id: ID!) { sendTestWebhook(input: {endpointId: $id}) { delivery { id } } }",
            json!({ "id": endpoint_id }),
            Some(&admin),
        )
        .await;
    assert!(sent.data()["sendTestWebhook"]["delivery"].is_object());
    let failed = eventually("the test delivery FAILED", WAIT, || async {
        let log = deliveries(&app, &admin, &endpoint_id).await;
        log.into_iter().find(|d| d["status"] == "FAILED")
    })
    .await;
    let error = failed["lastError"].as_str().unwrap();
    assert!(
        error.contains("127.0.0.1 is not a public address"),
        "{error}"
    );
    assert_eq!(
        trap.connections(),
        0,
        "nothing connected to the private address"
    );
}
both!(a_literal_address_is_checked_again_at_delivery);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_never_sends_webhooks_through_a_proxy() {
    let redis = RedisServer::start();
    let redis_url = redis.url();
    // Only the `worker` process delivers: its environment names a proxy.
    let app = spawn_app_with(Backend::Postgres, |s| {
        s.redis_url = Some(redis_url.clone().into());
        s.embedded_worker = Some(false);
        fast_webhooks(&mut s.webhooks);
    })
    .await;
    let (_, admin) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let receiver = Receiver::start().await;
    let proxy = Trap::start();
    let (endpoint_id, _) = create_endpoint(
        &app,
        &admin,
        &receiver.url(),
        &["PARTNERSHIP_INVITATION_REQUESTED"],
    )
    .await;
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port());
    let mut env = vec![
        ("DATABASE_URL", app.database_url.clone().unwrap()),
        ("REDIS_URL", redis_url.clone()),
        ("DATA_DIR", app.data_dir.display().to_string()),
        ("WEBHOOKS__ALLOW_INSECURE_TARGETS", "true".to_owned()),
        ("WEBHOOKS__POLL_INTERVAL_MS", "50".to_owned()),
        ("WEBHOOKS__TIMEOUT_SECONDS", "5".to_owned()),
        ("WEBHOOKS__MAX_ATTEMPTS", "1".to_owned()),
    ];
    for name in [
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "ALL_PROXY",
        "https_proxy",
        "http_proxy",
        "all_proxy",
    ] {
        env.push((name, proxy_url.clone()));
    }
    let _worker = WorkerProcess::spawn(&env);
    request(&app, &admin, "admin@fabrikam.test").await;

    let done = eventually("the delivery finished", WAIT, || async {
        let log = deliveries(&app, &admin, &endpoint_id).await;
        log.into_iter().find(|d| d["status"] != "PENDING")
    })
    .await;
    assert_eq!(done["status"], "DELIVERED", "{done}");
    assert_eq!(receiver.requests().len(), 1);
    assert_eq!(proxy.connections(), 0, "the proxy was never asked");
}

/// A URL of `n` CJK characters after `base`: `n + base` characters typed, `9n + base` once
/// %-escaped (what is stored and requested).
fn wide_url(base: &str, n: usize) -> String {
    format!("{base}{}", "網".repeat(n))
}

async fn a_webhook_url_is_measured_as_stored(backend: Backend) {
    let app = webhook_app(backend, |_| {}).await;
    let (_, admin) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let types = json!(["PARTNERSHIP_ENDED"]);
    // 1,922 characters typed, 5,722 stored: the review's case.
    let long = wide_url("http://127.0.0.1:9/h/", 1_900);
    assert_eq!(long.chars().count(), 1_921);
    for url in [long, wide_url("http://127.0.0.1:9/h/", 220)] {
        let (endpoint, codes, top) =
            try_create(&app, &admin, json!({ "url": url, "eventTypes": types })).await;
        assert_eq!(top, "", "no INTERNAL");
        assert_eq!(codes, ["OUT_OF_RANGE"]);
        assert_eq!(endpoint, json!(null));
    }
    assert!(stored_endpoints(&app).await.is_empty());
    // What fits once escaped is stored as validated.
    let fits = wide_url("http://127.0.0.1:9/h/", 200);
    let (endpoint, codes, _) =
        try_create(&app, &admin, json!({ "url": fits, "eventTypes": types })).await;
    assert_eq!(codes, Vec::<String>::new());
    let stored = endpoint["url"].as_str().unwrap();
    assert!(
        stored.len() <= 2000 && stored.len() > 1_800,
        "{}",
        stored.len()
    );
    assert_eq!(stored_endpoints(&app).await[0].url, stored);
}
both!(a_webhook_url_is_measured_as_stored);

const SUBMIT: &str = "mutation($input: SubmitProfileChangeRequestInput!) {
  submitProfileChangeRequest(input: $input) {
    request { id locations { targetUrl } } userErrors { code field } } }";
const RESOLVE: &str = "mutation($id: ID!, $d: ProfileRequestDecision!) {
  resolveProfileChangeRequest(input: {requestId: $id, decision: $d}) {
    request { status } userErrors { code } } }";

async fn a_directory_target_url_is_measured_as_stored(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let (_, provider) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let submit = |url: String| {
        let input = json!({ "input": { "companyName": "Contoso",
            "locations": [{ "country": "US", "targetUrl": url }] } });
        let (app, provider) = (&app, &provider);
        async move { app.gql_upload(SUBMIT, input, None, Some(provider)).await }
    };
    for url in [
        wide_url("https://contoso.example/", 1_900),
        wide_url("https://contoso.example/", 220),
        format!("https://contoso.example/{}", "a".repeat(2_000)),
    ] {
        let res = submit(url).await;
        let payload = &res.data()["submitProfileChangeRequest"];
        assert_eq!(
            payload["userErrors"],
            json!([{ "code": "OUT_OF_RANGE",
                     "field": ["input", "locations", "0", "targetUrl"] }]),
            "{payload}"
        );
    }
    // The longest that fits goes all the way into the directory.
    let res = submit(wide_url("https://contoso.example/", 200)).await;
    let request = &res.data()["submitProfileChangeRequest"]["request"];
    let stored = request["locations"][0]["targetUrl"].as_str().unwrap();
    assert!(
        stored.len() <= 2000 && stored.len() > 1_800,
        "{}",
        stored.len()
    );
    let id = request["id"].as_str().unwrap().to_owned();
    let admin = app.platform_admin_token().await;
    for decision in ["START_REVIEW", "COMPLETE"] {
        let done = app
            .gql(RESOLVE, json!({ "id": id, "d": decision }), Some(&admin))
            .await;
        assert_eq!(done.body["errors"], json!(null), "{:?}", done.body);
        assert_eq!(
            done.data()["resolveProfileChangeRequest"]["userErrors"],
            json!([])
        );
    }
    let row = entity::provider_location::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.target_url, stored);
}
both!(a_directory_target_url_is_measured_as_stored);
