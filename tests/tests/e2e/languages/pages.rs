//! The landing pages in the reader's language: by `Accept-Language`, `?lang=` overriding it,
//! with links to the page in the other language that keep the token; and in headless
//! Chromium, a zh-TW reseller accepting an invitation and a zh-TW customer admin accepting
//! a reseller, entirely in zh-TW (the README's screenshots come from here).

use super::has_chinese;
use crate::browser::screenshot_path;
use crate::customers::{CREATE, customer_input, offer_id, world};
use crate::partnerships::request;
use e2e::browser::Browser;
use e2e::{Backend, TestApp, spawn_app};
use serde_json::json;

async fn page(app: &TestApp, path: &str, accept: Option<&str>) -> (String, String) {
    let mut req = app.client.get(format!("{}{path}", app.address));
    if let Some(accept) = accept {
        req = req.header("accept-language", accept);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), 200, "{path}");
    let vary = resp.headers()["vary"].to_str().unwrap().to_owned();
    (resp.text().await.unwrap(), vary)
}

fn lang_of(html: &str) -> &str {
    let start = html.find("<html lang=\"").unwrap() + "<html lang=\"".len();
    &html[start..start + html[start..].find('"').unwrap()]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn landing_pages_follow_accept_language_and_lang() {
    let app = spawn_app(Backend::Sqlite).await;
    for (path, title_zh, title_en) in [
        (
            "/invitations/accept",
            "建立合作關係要求",
            "Partnership invitation",
        ),
        (
            "/customer-relationships/accept",
            "經銷商關係要求",
            "Reseller relationship request",
        ),
    ] {
        let with = |q: &str| format!("{path}?token=abc{q}");
        let (zh, vary) = page(&app, &with(""), Some("zh-TW,zh;q=0.9,en;q=0.5")).await;
        assert!(
            vary.to_ascii_lowercase().contains("accept-language"),
            "{vary}"
        );
        assert_eq!(lang_of(&zh), "zh-TW");
        assert!(zh.contains(title_zh) && !zh.contains(title_en), "{path}");
        // The link to the English page keeps the token.
        assert!(
            zh.contains(&format!("href=\"{path}?lang=en&amp;token=abc\"")),
            "{zh}"
        );

        let (en, _) = page(&app, &with(""), None).await;
        assert_eq!(lang_of(&en), "en");
        assert!(en.contains(title_en) && !has_chinese(&en.replace("中文（台灣）", "")));

        for (query, accept, expected) in [
            ("&lang=en", Some("zh-TW"), "en"),
            ("&lang=zh-TW", None, "zh-TW"),
            ("&lang=zh-Hant-TW", Some("en"), "zh-TW"),
            ("&lang=fr", Some("zh-TW"), "en"),
            ("&lang=%3Cscript%3E", Some("zh-TW"), "zh-TW"),
        ] {
            let (html, _) = page(&app, &with(query), accept).await;
            assert_eq!(lang_of(&html), expected, "{path}{query} with {accept:?}");
            assert!(!html.contains("<script>"), "{query}");
        }
    }
}

/// Signs in on a landing page and waits for `css` to hold `text`.
async fn sign_in(browser: &Browser, email: &str, password: &str, button: &str) {
    browser.type_into("#email", email).await;
    browser.type_into("#password", password).await;
    browser.click(button).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zh_tw_reseller_accepts_in_zh_tw_in_a_browser() {
    let app = spawn_app(Backend::Sqlite).await;
    let (_, provider) = app
        .active_partner(
            "INDIRECT_PROVIDER",
            "Contoso Distribution",
            "admin@contoso.test",
        )
        .await;
    super::partner_reading(
        &app,
        "INDIRECT_RESELLER",
        "Fabrikam Solutions",
        "admin@fabrikam.test",
        "zh-TW",
    )
    .await;
    let invited = request(&app, &provider, "admin@fabrikam.test").await;

    // A browser set to Traditional Chinese (Taiwan).
    let browser = Browser::start_reading("zh-TW,zh,en-US,en").await;
    browser.set_viewport(900, 760).await;
    browser.goto(&invited.link).await;
    assert_eq!(browser.title().await, "建立合作關係要求 · 合作夥伴中心");
    assert_eq!(browser.text("#provider-name").await, "Contoso Distribution");
    assert_eq!(browser.text("#status").await, "待處理");
    browser
        .screenshot(&screenshot_path("landing-zh-TW.png"))
        .await;

    // A wrong password: the GraphQL message comes back in zh-TW.
    sign_in(
        &browser,
        "admin@fabrikam.test",
        "wrong-password",
        "#sign-in",
    )
    .await;
    browser.visible("#problem").await;
    let problem = browser.text("#problem").await;
    assert!(has_chinese(&problem), "{problem}");

    browser.goto(&invited.link).await;
    sign_in(&browser, "admin@fabrikam.test", "password-123", "#sign-in").await;
    browser
        .wait_text("#signed-in-as", "admin@fabrikam.test")
        .await;
    browser.click("#accept").await;
    browser
        .wait_text(
            "#result-message",
            "您現在與 Contoso Distribution 建立了合作關係。",
        )
        .await;
    browser
        .wait_text("#partner-list", "Contoso Distribution")
        .await;
    assert_eq!(browser.text("#status").await, "已接受");

    // The same page in English through its language link.
    browser.goto(&format!("{}&lang=en", invited.link)).await;
    assert_eq!(
        browser.title().await,
        "Partnership invitation · Partner Center"
    );
    browser.wait_text("#problem", "already been accepted").await;
    browser.screenshot(&screenshot_path("landing-en.png")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zh_tw_customer_admin_accepts_a_reseller_in_zh_tw_in_a_browser() {
    let app = spawn_app(Backend::Sqlite).await;
    let w = world(&app).await;
    let basic = offer_id(&app, &w.provider, "M365-BUSINESS-BASIC").await;
    let mut input = customer_input(
        "bakery.example",
        None,
        json!([{ "offerId": basic, "quantity": 3 }]),
        "zh",
    );
    input["language"] = json!("zh-TW");
    let created = app
        .gql(CREATE, json!({ "input": input }), Some(&w.provider))
        .await;
    let payload = &created.data()["createCustomer"];
    let customer_id = payload["customer"]["id"].as_str().unwrap();
    let temporary = payload["setupInfo"]["temporaryPassword"].as_str().unwrap();
    let temp = app.login("admin@bakery.example", temporary).await;
    app.gql("mutation($c: String!) { changePassword(input: {currentPassword: $c, newPassword: \"customer-password-1\"}) { userErrors { code } } }", json!({ "c": temporary }), Some(&temp)).await;
    let res = app
        .gql("mutation($c: ID!, $r: ID!) { requestCustomerResellerRelationship(input: {customerId: $c, indirectResellerId: $r}) { link } }",
            json!({ "c": customer_id, "r": w.reseller_id }), Some(&w.provider))
        .await;
    let link = res.data()["requestCustomerResellerRelationship"]["link"]
        .as_str()
        .unwrap()
        .to_owned();

    let browser = Browser::start_reading("zh-TW,zh").await;
    browser.goto(&link).await;
    assert_eq!(browser.title().await, "經銷商關係要求 · 合作夥伴中心");
    sign_in(
        &browser,
        "admin@bakery.example",
        "customer-password-1",
        "#accept",
    )
    .await;
    browser
        .wait_text("#result", "Fabrikam Solutions 現在管理您的訂閱。")
        .await;
    browser
        .screenshot(&screenshot_path("relationship-zh-TW.png"))
        .await;
}
