//! The job dashboard at `/admin/jobs`: platform administrators only (by bearer token, or in
//! a browser by the dashboard's own sign-in and its cookie), showing a failed email.

use crate::partnerships::{INVITATION, provider_and_reseller, request};
use e2e::services::{RedisServer, eventually};
use e2e::smtp::free_port;
use e2e::{Backend, TestApp, spawn_app_with};
use reqwest::header::{ACCEPT, COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use serde_json::json;
use std::time::Duration;

const PAGE: &str = "/admin/jobs";
const QUEUES: &str = "/admin/jobs/api/v1/queues";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

async fn status(app: &TestApp, path: &str, token: Option<&str>) -> u16 {
    let mut request = no_redirects().get(format!("{}{path}", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().status().as_u16()
}

/// Signs in on the dashboard's form; the response (not followed).
async fn sign_in(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    no_redirects()
        .post(format!("{}/admin/jobs/sign-in", app.address))
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_platform_administrators_see_the_dashboard_and_it_shows_a_failed_email() {
    // Mail cannot go out: every attempt fails, and the second is the last.
    let port = free_port();
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into());
        s.jobs.max_attempts = 2;
        s.jobs.backoff_base_ms = 10;
    })
    .await;
    let (provider, _) = provider_and_reseller(&app).await;
    let platform = app.platform_admin_token().await;

    // Anonymous: a browser is sent to the sign-in page, other clients get 401.
    let browser = no_redirects()
        .get(format!("{}{PAGE}", app.address))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(browser.status(), 303);
    assert_eq!(browser.headers()[LOCATION], "/admin/jobs/sign-in");
    assert_eq!(status(&app, PAGE, None).await, 401);
    assert_eq!(status(&app, QUEUES, None).await, 401);
    assert_eq!(status(&app, PAGE, Some("not-a-session")).await, 401);
    // A partner's administrator is signed in but not allowed.
    assert_eq!(status(&app, PAGE, Some(&provider)).await, 403);
    assert_eq!(status(&app, QUEUES, Some(&provider)).await, 403);
    // The platform administrator.
    assert_eq!(status(&app, QUEUES, Some(&platform)).await, 200);

    // The sign-in form: wrong password and a partner refused, no cookie.
    let wrong = sign_in(&app, "ops@platform.test", "nope").await;
    assert_eq!(wrong.status(), 401);
    assert!(wrong.headers().get(SET_COOKIE).is_none());
    let partner = sign_in(&app, "admin@contoso.test", "password-123").await;
    assert_eq!(partner.status(), 403);
    assert!(partner.headers().get(SET_COOKIE).is_none());
    let signed_in = sign_in(&app, "ops@platform.test", "platform-password").await;
    assert_eq!(signed_in.status(), 303);
    let cookie = signed_in.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_owned();

    // An invitation whose email fails for good.
    let invited = request(&app, &provider, "admin@fabrikam.test").await;
    eventually("the email FAILED", Duration::from_secs(60), || async {
        let res = app
            .gql(INVITATION, json!({ "id": invited.id }), Some(&provider))
            .await;
        (res.data()["node"]["delivery"]["status"] == "FAILED").then_some(())
    })
    .await;
    let page = no_redirects()
        .get(format!("{}{PAGE}", app.address))
        .header(COOKIE, &session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("admin@fabrikam.test"), "{html}");
    assert!(html.contains("PARTNERSHIP_INVITATION"), "{html}");
    assert!(
        html.contains("Connection refused") || html.contains("connection"),
        "{html}"
    );
    assert!(html.contains("<td>2</td>"), "two attempts: {html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_reads_the_redis_queue_too() {
    let redis = RedisServer::start();
    let redis_url = redis.url();
    let app = spawn_app_with(Backend::Postgres, |s| {
        s.redis_url = Some(redis_url.clone().into());
        s.embedded_worker = Some(false);
    })
    .await;
    let platform = app.platform_admin_token().await;
    let page = no_redirects()
        .get(format!("{}{PAGE}", app.address))
        .bearer_auth(&platform)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("PENDING_JOBS"),
        "the queue's statistics: {html}"
    );
    // apalis-board's JSON over Redis; where apalis-redis fails, no internals leak.
    let get = |path: &'static str| {
        no_redirects()
            .get(format!("{}/admin/jobs/api/v1/{path}", app.address))
            .bearer_auth(&platform)
            .send()
    };
    let overview = get("overview").await.unwrap();
    assert_eq!(overview.status(), 200);
    let tasks: serde_json::Value = get("queues/partner-center:send-email/tasks")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(tasks.is_array(), "{tasks}");
    let failing = get("workers").await.unwrap();
    if failing.status() != 200 {
        let body = failing.text().await.unwrap();
        assert!(
            !body.contains("Lua") && !body.contains("JsonError"),
            "{body}"
        );
    }
}
