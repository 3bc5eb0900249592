//! The dev mailbox (`/dev/mailbox`, embedded mode without `SMTP_URL`) in a browser: the
//! invitation is listed with its delivery and invitation status; opened, its HTML shows in
//! a sandbox where no script may run, and the links of both parts open the landing page
//! in a new tab. With an `SMTP_URL` the mailbox does not exist.

use super::screenshot_path;
use crate::partnerships::{delivery, provider_and_reseller, request};
use e2e::browser::Browser;
use e2e::services::eventually;
use e2e::smtp::SmtpSink;
use e2e::{Backend, spawn_app, spawn_app_with};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mailbox_shows_the_invitation_and_its_links_open_the_landing_page() {
    let app = spawn_app(Backend::Sqlite).await;
    let (provider, _) = provider_and_reseller(&app).await;
    let invited = request(&app, &provider, "admin@fabrikam.test").await;
    eventually("the invitation sent", Duration::from_secs(20), || async {
        (delivery(&app, &provider, &invited.id).await["status"] == "SENT").then_some(())
    })
    .await;
    let subject = invited.payload["draft"]["subject"].as_str().unwrap();

    let browser = Browser::start().await;
    browser.set_viewport(1200, 800).await;
    browser.goto(&format!("{}/dev/mailbox", app.address)).await;
    let row = browser.text("table.mailbox tbody tr").await;
    for shown in [
        "admin@fabrikam.test",
        subject,
        "SENT",
        "Partnership invitation: PENDING",
    ] {
        assert!(row.contains(shown), "{shown:?} in the mailbox row {row:?}");
    }

    browser.click("table.mailbox tbody tr a").await;
    assert_eq!(browser.text("#subject").await, subject);
    assert!(browser.text("#to").await.contains("admin@fabrikam.test"));
    // The HTML part is framed in a sandbox that lets links open, and no script run.
    let sandbox = browser
        .attribute("#html-part", "sandbox")
        .await
        .expect("the HTML part is sandboxed");
    assert!(sandbox.contains("allow-popups"), "{sandbox}");
    assert!(!sandbox.contains("allow-scripts"), "{sandbox}");
    assert!(!sandbox.contains("allow-same-origin"), "{sandbox}");
    let mailbox_tab = browser.window().await;

    browser.switch_to_frame("#html-part").await;
    browser
        .wait_text("a", "Accept the partnership request")
        .await;
    browser
        .wait_for(
            "the email's HTML in the frame",
            Duration::from_secs(15),
            "return document.body.innerText.includes('Contoso Distribution')",
            serde_json::json!([]),
        )
        .await;
    browser.switch_to_top().await;
    browser.screenshot(&screenshot_path("mailbox.png")).await;

    browser.switch_to_frame("#html-part").await;
    browser.click("a").await;
    browser.switch_to_top().await;
    opens_the_landing_page(&browser, &mailbox_tab, &invited.link).await;
    browser.close_window().await;
    browser.switch_to_window(&mailbox_tab).await;

    // The text part's link, too.
    assert_eq!(
        browser.attribute("#text-part a", "href").await.as_deref(),
        Some(invited.link.as_str())
    );
    browser.click("#text-part a").await;
    opens_the_landing_page(&browser, &mailbox_tab, &invited.link).await;
}

/// A tab beside the mailbox's, opened on the invitation's landing page: switch to it and
/// check it.
async fn opens_the_landing_page(browser: &Browser, mailbox_tab: &str, link: &str) {
    browser
        .switch_to_new_window(&[mailbox_tab.to_owned()])
        .await;
    assert_eq!(browser.text("#provider-name").await, "Contoso Distribution");
    assert_eq!(browser.text("#status").await, "PENDING");
    assert_eq!(browser.current_url().await, link);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn there_is_no_mailbox_when_mail_goes_to_an_smtp_server() {
    let sink = SmtpSink::start();
    let smtp_url = sink.url();
    let app = spawn_app_with(Backend::Sqlite, |s| s.smtp_url = Some(smtp_url.into())).await;
    for path in [
        "/dev/mailbox",
        "/dev/mailbox/x.eml",
        "/dev/mailbox/x.eml/html",
    ] {
        let resp = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 404, "{path}");
    }
    // Without one, it is there.
    let embedded = spawn_app(Backend::Sqlite).await;
    let resp = embedded
        .client
        .get(format!("{}/dev/mailbox", embedded.address))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}
