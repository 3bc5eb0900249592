//! The landing page in a real browser: open the link from the received email, sign in,
//! accept, and see the partnership.

use super::*;
use e2e::browser::Browser;
use e2e::services::eventually;
use e2e::smtp::SmtpSink;
use e2e::{Backend, spawn_app_with};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reseller_accepts_from_the_email_link_in_a_browser() {
    let sink = SmtpSink::start();
    let smtp_url = sink.url();
    let app = spawn_app_with(Backend::Sqlite, |s| s.smtp_url = Some(smtp_url.into())).await;
    let (provider, _) = provider_and_reseller(&app).await;
    request(&app, &provider, "admin@fabrikam.test").await;
    let mail = eventually("the invitation email", Duration::from_secs(20), || async {
        sink.received().into_iter().next()
    })
    .await;
    let text = mail.decoded();
    let start = text.find("http://").expect("a link in the email");
    let link: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert!(link.contains("/invitations/accept?token="), "{link}");

    let browser = Browser::start().await;
    browser.goto(&link).await;
    assert_eq!(browser.text("#provider-name").await, "Contoso Distribution");
    assert_eq!(browser.text("#status").await, "PENDING");
    browser.type_into("#email", "admin@fabrikam.test").await;
    browser.type_into("#password", "password-123").await;
    browser.click("#sign-in").await;
    browser
        .wait_text("#signed-in-as", "admin@fabrikam.test")
        .await;
    browser.click("#accept").await;
    let shot = std::env::temp_dir().join("landing-accepted.png");
    browser
        .wait_text(
            "#result-message",
            "You are now partners with Contoso Distribution",
        )
        .await;
    browser
        .wait_text("#partner-list", "Contoso Distribution")
        .await;
    browser.screenshot(&shot).await;

    // The provider sees the reseller on its "Indirect resellers" page.
    let list = app
        .gql("{ indirectResellers(first: 5) { totalCount edges { node { reseller { companyName } } } } }", json!({}), Some(&provider))
        .await;
    assert_eq!(
        list.data()["indirectResellers"]["edges"][0]["node"]["reseller"]["companyName"],
        "Fabrikam Solutions"
    );

    // Opening the same link again shows it is used, with no sign-in form.
    browser.goto(&link).await;
    assert_eq!(browser.text("#status").await, "ACCEPTED");
    browser.wait_text("#problem", "already been accepted").await;
}

/// A browser test ends every process it started, also when it panics (a headless Chromium
/// was once left running long after `./scripts/test`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_leaves_no_process_behind_even_when_the_test_panics() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let failed = tokio::spawn(async move {
        let browser = Browser::start().await;
        browser.goto("about:blank").await;
        let profile = browser.profile_dir().display().to_string();
        assert!(
            !e2e::browser::processes_mentioning(&profile).is_empty(),
            "Chromium runs with its profile"
        );
        let _ = tx.send(profile);
        panic!("a failing browser test");
    })
    .await;
    assert!(failed.unwrap_err().is_panic());
    let profile = rx.await.unwrap();
    eventually(
        "every Chromium process gone",
        Duration::from_secs(10),
        || async {
            e2e::browser::processes_mentioning(&profile)
                .is_empty()
                .then_some(())
        },
    )
    .await;
}
