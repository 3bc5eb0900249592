//! In headless Chromium with a WebDriver virtual authenticator: a user signs in on
//! `/account/security`, turns on authenticator codes (the screenshot the README shows),
//! registers a passkey, and signs in again with the passkey through the page's own
//! `navigator.credentials` calls; a platform administrator signs in to the job dashboard
//! with a code. Passkeys need a host name, so the server's PUBLIC_URL is
//! `http://localhost:<port>`.

use super::otp::code_at_step;
use crate::browser::screenshot_path;
use e2e::browser::Browser;
use e2e::{Backend, spawn_app_with};
use serde_json::json;
use std::time::Duration;

const EMAIL: &str = "boss@contoso.test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passkey_registered_and_used_through_the_page_and_dashboard_code_sign_in() {
    let port = e2e::smtp::free_port();
    let clock = api::mfa::Clock::default();
    let now = super::otp::step_of(chrono::Utc::now().timestamp()) * 30;
    clock.set(chrono::DateTime::from_timestamp(now, 0).unwrap());
    let shared = clock.clone();
    let app = spawn_app_with(Backend::Sqlite, move |s| {
        s.bind = format!("127.0.0.1:{port}");
        s.public_url = Some(format!("http://localhost:{port}"));
        s.clock = shared;
    })
    .await;
    let base = format!("http://localhost:{port}");
    app.active_partner("INDIRECT_PROVIDER", "Contoso", EMAIL)
        .await;

    let browser = Browser::start_with_localhost().await;
    let authenticator = browser.add_virtual_authenticator().await;
    browser.goto(&format!("{base}/account/security")).await;
    browser.type_into("#email", EMAIL).await;
    browser.type_into("#password", "password-123").await;
    browser.click("#sign-in").await;
    browser.visible("#account").await;

    // Authenticator app: the QR code and the secret, then the first code.
    browser.click("#totp-enroll").await;
    browser.visible("#totp-qr").await;
    let secret = browser.text("#totp-secret").await;
    let qr = browser
        .attribute("#totp-qr", "src")
        .await
        .unwrap_or_default();
    assert!(qr.starts_with("data:image/svg+xml;base64,"), "{qr}");
    browser
        .screenshot(&screenshot_path("account-security-enrolment.png"))
        .await;
    browser
        .type_into("#totp-code", &code_at_step(&secret, now / 30))
        .await;
    browser.click("#totp-turn-on").await;
    browser.visible("#recovery").await;
    let codes = browser
        .execute(
            "return document.querySelectorAll('#recovery-codes li').length",
            json!([]),
        )
        .await;
    assert_eq!(codes, 10);

    // A passkey, named.
    browser.type_into("#passkey-name", "Laptop").await;
    browser.click("#passkey-register").await;
    browser
        .wait_for(
            "the registered passkey",
            Duration::from_secs(15),
            "return Array.from(document.querySelectorAll('#passkeys input')).map(i => i.value).join(',')",
            json!([]),
        )
        .await;
    assert_eq!(
        browser
            .authenticator_credentials(&authenticator)
            .await
            .len(),
        1
    );
    let methods = browser.text("#methods").await;
    assert!(methods.contains("passkey"), "{methods}");

    // Signing in again: the password, then the passkey, all in the page.
    browser.goto(&format!("{base}/account/security")).await;
    browser.type_into("#email", EMAIL).await;
    browser.type_into("#password", "password-123").await;
    browser.click("#sign-in").await;
    browser.visible("#mfa-form").await;
    browser.click("#mfa-passkey").await;
    browser.visible("#account").await;
    assert_eq!(browser.text("#signed-in-as").await, EMAIL);
    let used = super::actions(&app).await;
    assert!(used.iter().any(|a| a == "user.passkey_added"), "{used:?}");
    use sea_orm::EntityTrait;
    let passkey = entity::mfa_passkey::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(passkey.name, "Laptop");
    assert!(passkey.last_used_at.is_some());

    // The job dashboard's sign-in asks a platform administrator with a second factor for a
    // code, in the page.
    let ops = app.platform_admin_token().await;
    let t = super::MfaApp::attach(app, clock, now);
    let (ops_secret, _) = t.turn_on(&ops).await;
    browser.goto(&format!("{base}/admin/jobs/sign-in")).await;
    browser
        .type_into("input[name=email]", "ops@platform.test")
        .await;
    browser
        .type_into("input[name=password]", "platform-password")
        .await;
    browser.click("button[type=submit]").await;
    browser.visible("input[name=code]").await;
    browser
        .type_into("input[name=code]", &code_at_step(&ops_secret, now / 30 + 1))
        .await;
    browser.click("button[type=submit]").await;
    browser
        .wait_for(
            "the dashboard",
            Duration::from_secs(15),
            "return location.pathname === '/admin/jobs'",
            json!([]),
        )
        .await;
    assert_eq!(browser.current_url().await, format!("{base}/admin/jobs"));
}
