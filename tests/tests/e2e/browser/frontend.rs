//! A frontend on a second origin, written with a maintained GraphQL client from the npm
//! registry (urql, with graphql-ws for subscriptions), installed by the test and served as
//! ES modules through an import map from a local static server (`tests/frontend/`). From an
//! origin on `CORS__ALLOWED_ORIGINS` it signs in, lists offers and receives an invitation's
//! `EMAIL_SENT` live; the same page from another origin cannot call the API.

use crate::partnerships::{provider_and_reseller, request};
use e2e::browser::Browser;
use e2e::static_site::StaticSite;
use e2e::{Backend, TestApp, spawn_app_with};
use reqwest::Method;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Exact versions that work together: `@urql/core` needs `wonka` ^6.3.2 and
/// `@0no-co/graphql.web` ^1.0.13.
const PACKAGES: &[&str] = &[
    "@urql/core@6.0.3",
    "graphql-ws@5.16.2",
    "wonka@6.3.6",
    "@0no-co/graphql.web@1.3.4",
];

/// The page and the installed packages, served on a new local port (a new origin).
async fn frontend() -> StaticSite {
    let npm = tokio::task::spawn_blocking(|| {
        e2e::npm::install(Path::new(env!("CARGO_TARGET_TMPDIR")), PACKAGES)
    })
    .await
    .unwrap();
    let page = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("frontend");
    StaticSite::serve(vec![
        ("/", page),
        ("/node_modules/", npm.join("node_modules")),
    ])
    .await
}

/// The page's URL: which API to call and who signs in.
fn page_url(site: &StaticSite, app: &TestApp) -> String {
    format!(
        "{}/?api={}&email=admin%40contoso.test&password=password-123",
        site.origin, app.address
    )
}

async fn page_error(browser: &Browser) -> String {
    let error = browser
        .execute(
            "return document.getElementById('error').textContent",
            json!([]),
        )
        .await;
    error.as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frontend_on_an_allowed_origin_signs_in_lists_offers_and_sees_events_live() {
    let site = frontend().await;
    let origin = site.origin.clone();
    let app = spawn_app_with(Backend::Sqlite, |s| s.cors.allowed_origins = origin).await;
    let (provider, _) = provider_and_reseller(&app).await;

    let browser = Browser::start().await;
    browser.goto(&page_url(&site, &app)).await;
    browser.wait_text("#signed-in", "yes").await;
    let total = browser
        .wait_for(
            "the offers",
            Duration::from_secs(15),
            "return document.querySelectorAll('#offers li').length",
            json!([]),
        )
        .await;
    assert_eq!(total, 5, "offers(first: 5)");
    let offers = browser.text("#offers").await;
    assert!(offers.contains(": "), "sku: name lines: {offers}");
    browser.wait_text("#live", "connected").await;
    // The subscription is sent right after the connection is acknowledged.
    tokio::time::sleep(Duration::from_millis(300)).await;

    request(&app, &provider, "admin@fabrikam.test").await;
    let events = browser.wait_text("#events", "EMAIL_SENT").await;
    assert!(
        events.contains("PARTNERSHIP_INVITATION"),
        "the request's own event first: {events}"
    );
    assert_eq!(page_error(&browser).await, "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_frontend_on_an_origin_not_listed_cannot_call_the_api() {
    let allowed = frontend().await;
    let other = frontend().await;
    let origin = allowed.origin.clone();
    let app = spawn_app_with(Backend::Sqlite, |s| s.cors.allowed_origins = origin).await;
    provider_and_reseller(&app).await;

    let browser = Browser::start().await;
    browser.goto(&page_url(&other, &app)).await;
    let error = browser
        .wait_for(
            "the page's error",
            Duration::from_secs(15),
            "return document.getElementById('error').textContent",
            json!([]),
        )
        .await;
    // The browser refuses the preflight: urql reports a network error, never a response.
    assert!(
        error.as_str().unwrap().contains("Failed to fetch"),
        "{error}"
    );
    assert_eq!(browser.text("#signed-in").await, "no");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_preflight_answers_only_a_listed_origin() {
    let allowed = "http://127.0.0.1:5173";
    let app = spawn_app_with(Backend::Sqlite, |s| s.cors.allowed_origins = allowed.into()).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(Method::OPTIONS, format!("{}/graphql", app.address))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .send()
    };
    let ok = preflight(allowed).await.unwrap();
    assert!(ok.status().is_success(), "{}", ok.status());
    let headers = ok.headers();
    assert_eq!(headers["access-control-allow-origin"], allowed);
    assert_eq!(headers["access-control-max-age"], "600");
    let methods = headers["access-control-allow-methods"].to_str().unwrap();
    assert!(methods.contains("POST"), "{methods}");
    let allowed_headers = headers["access-control-allow-headers"].to_str().unwrap();
    assert!(
        allowed_headers.contains("authorization"),
        "{allowed_headers}"
    );

    for other in ["http://127.0.0.1:5174", "http://localhost:5173", "null"] {
        let refused = preflight(other).await.unwrap();
        assert!(
            refused
                .headers()
                .get("access-control-allow-origin")
                .is_none(),
            "{other}: {:?}",
            refused.headers()
        );
    }
}
