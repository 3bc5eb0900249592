//! Emails and drafts in the reader's language: a zh-TW reseller's invitation as the `.eml`
//! the embedded worker writes and as an SMTP server receives it (decoded RFC 2047 subject,
//! both parts Traditional Chinese in UTF-8, the link intact); an English provider's draft for
//! an unknown address in the `language` asked for; a customer's admin reads its customer's
//! language; an unsupported language reads English.

use super::{has_chinese, partner_reading};
use crate::customers::{CREATE, customer_input, offer_id, world};
use crate::partnerships::{REQUEST, request, token_of};
use e2e::services::eventually;
use e2e::smtp::SmtpSink;
use e2e::{Backend, TestApp, e2e, spawn_app_with};
use mailparse::{MailHeaderMap, ParsedMail};
use serde_json::json;
use std::time::Duration;

/// The terms of the program's zh-TW help page, and Simplified forms that must not appear.
const TRADITIONAL: [&str; 2] = ["建立合作關係", "間接經銷商"];
const SIMPLIFIED: [&str; 3] = ["关系", "经销商", "伙伴"];

/// The decoded subject, text part and HTML part of a raw message.
struct Read {
    raw_subject: String,
    subject: String,
    text: String,
    html: String,
}

fn read(raw: &[u8]) -> Read {
    let mail = mailparse::parse_mail(raw).expect("a MIME message");
    fn part(mail: &ParsedMail<'_>, mime: &str) -> Option<(String, String)> {
        if mail.subparts.is_empty() {
            return (mail.ctype.mimetype == mime)
                .then(|| (mail.ctype.charset.to_lowercase(), mail.get_body().unwrap()));
        }
        mail.subparts.iter().find_map(|p| part(p, mime))
    }
    let (text_charset, text) = part(&mail, "text/plain").expect("a text part");
    let (html_charset, html) = part(&mail, "text/html").expect("an HTML part");
    assert_eq!(
        (text_charset.as_str(), html_charset.as_str()),
        ("utf-8", "utf-8")
    );
    let head = String::from_utf8_lossy(raw);
    let raw_subject = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("subject:"))
        .unwrap()
        .to_owned();
    Read {
        raw_subject,
        subject: mail.headers.get_first_value("Subject").unwrap(),
        text,
        html,
    }
}

fn assert_traditional_chinese_invitation(mail: &Read, link: &str) {
    assert!(
        mail.raw_subject.to_ascii_lowercase().contains("=?utf-8?"),
        "the subject is RFC 2047-encoded: {}",
        mail.raw_subject
    );
    assert!(mail.raw_subject.is_ascii(), "{}", mail.raw_subject);
    assert!(
        mail.subject.contains("Contoso Distribution") && mail.subject.contains("建立合作關係"),
        "{}",
        mail.subject
    );
    for (name, body) in [("text", &mail.text), ("HTML", &mail.html)] {
        for term in TRADITIONAL {
            assert!(body.contains(term), "{term} in the {name} part:\n{body}");
        }
        for simplified in SIMPLIFIED {
            assert!(
                !body.contains(simplified),
                "{simplified} in the {name} part"
            );
        }
        assert!(!body.contains("would like to partner"), "no English left");
    }
    assert!(mail.text.contains(link), "the link whole in the text part");
    assert!(
        mail.html.contains(&link.replace('&', "&amp;")),
        "the link whole in the HTML part"
    );
}

/// The embedded worker writes the email to `DATA_DIR/outbox`; the reseller set zh-TW.
async fn a_zh_tw_reseller_receives_a_zh_tw_invitation_eml(app: TestApp) {
    let provider = partner_reading(
        &app,
        "INDIRECT_PROVIDER",
        "Contoso Distribution",
        "admin@contoso.test",
        "en",
    )
    .await;
    partner_reading(
        &app,
        "INDIRECT_RESELLER",
        "Fabrikam Solutions",
        "admin@fabrikam.test",
        "zh-Hant-TW",
    )
    .await;
    let invited = request(&app, &provider, "admin@fabrikam.test").await;
    // The provider's copy (the draft) is in the reseller's language too.
    assert!(has_chinese(
        invited.payload["draft"]["subject"].as_str().unwrap()
    ));
    let outbox = app.data_dir.join("outbox");
    let raw = eventually("the .eml written", Duration::from_secs(20), || async {
        let entry = std::fs::read_dir(&outbox).ok()?.flatten().next()?;
        std::fs::read(entry.path()).ok()
    })
    .await;
    assert_traditional_chinese_invitation(&read(&raw), &invited.link);
}
e2e!(a_zh_tw_reseller_receives_a_zh_tw_invitation_eml);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zh_tw_reseller_receives_a_zh_tw_invitation_over_smtp() {
    let sink = SmtpSink::start();
    let smtp_url = sink.url();
    let app = spawn_app_with(Backend::Postgres, |s| s.smtp_url = Some(smtp_url.into())).await;
    let (_, provider) = app
        .active_partner(
            "INDIRECT_PROVIDER",
            "Contoso Distribution",
            "admin@contoso.test",
        )
        .await;
    let (_, reseller) = app
        .active_partner(
            "INDIRECT_RESELLER",
            "Fabrikam Solutions",
            "admin@fabrikam.test",
        )
        .await;
    // The reseller switches to zh-TW itself.
    let set = app
        .gql(
            "mutation { updateViewerPreferences(input: {preferredLanguage: \"zh-TW\"}) {
               user { preferredLanguage } userErrors { code } } }",
            json!({}),
            Some(&reseller),
        )
        .await;
    assert_eq!(
        set.data()["updateViewerPreferences"]["user"]["preferredLanguage"],
        "zh-TW"
    );
    let invited = request(&app, &provider, "admin@fabrikam.test").await;
    let mail = eventually("the email received", Duration::from_secs(20), || async {
        sink.received().into_iter().next()
    })
    .await;
    assert_eq!(mail.to, vec!["admin@fabrikam.test".to_owned()]);
    assert_traditional_chinese_invitation(&read(mail.data.as_bytes()), &invited.link);
}

/// An English provider drafts an invitation for an address no user has, in zh-TW: subject,
/// body and the `mailto:` URI (percent-encoded UTF-8) are Traditional Chinese; without
/// `language` the draft is in the provider's English; a language the product does not
/// speak reads English; a malformed tag is refused with a code and nothing is stored.
async fn an_english_providers_draft_in_the_language_asked_for(app: TestApp) {
    let (_, provider) = app
        .active_partner(
            "INDIRECT_PROVIDER",
            "Contoso Distribution",
            "admin@contoso.test",
        )
        .await;
    let draft = |language: Option<&str>| {
        let mut input = json!({ "resellerEmail": "new@tailspin.test", "draftOnly": true });
        if let Some(language) = language {
            input["language"] = json!(language);
        }
        app.gql(REQUEST, json!({ "input": input }), Some(&provider))
    };
    let zh = draft(Some("zh-TW")).await;
    let d = &zh.data()["requestPartnership"]["draft"];
    assert!(
        d["subject"].as_str().unwrap().contains("建立合作關係"),
        "{d}"
    );
    assert!(d["body"].as_str().unwrap().contains("間接經銷商"), "{d}");
    let link = zh.data()["requestPartnership"]["link"].as_str().unwrap();
    assert!(d["body"].as_str().unwrap().contains(link));
    let mailto = d["mailtoUri"].as_str().unwrap();
    assert!(mailto.is_ascii(), "{mailto}");
    // 建 is E5 BB BA in UTF-8.
    assert!(mailto.contains("%E5%BB%BA"), "{mailto}");
    let parsed = reqwest::Url::parse(mailto).unwrap();
    let subject = parsed
        .query_pairs()
        .find(|(k, _)| k == "subject")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    assert_eq!(subject, d["subject"].as_str().unwrap());

    for language in [None, Some("fr"), Some("de-DE")] {
        let res = draft(language).await;
        let d = &res.data()["requestPartnership"]["draft"];
        assert!(!has_chinese(&d.to_string()), "{language:?}: {d}");
        assert!(
            d["body"]
                .as_str()
                .unwrap()
                .contains("would like to partner")
        );
    }

    let before = invitations(&app, &provider).await;
    let bad = draft(Some("not a language!")).await;
    let errors = &bad.data()["requestPartnership"]["userErrors"];
    assert_eq!(errors[0]["code"], "INVALID", "{}", bad.body);
    assert_eq!(errors[0]["field"], json!(["input", "language"]));
    assert_eq!(invitations(&app, &provider).await, before);
}
e2e!(an_english_providers_draft_in_the_language_asked_for);

async fn invitations(app: &TestApp, provider: &str) -> i64 {
    app.gql(
        "{ partnershipInvitations(first: 1) { totalCount } }",
        json!({}),
        Some(provider),
    )
    .await
    .data()["partnershipInvitations"]["totalCount"]
        .as_i64()
        .unwrap()
}

/// A customer created in zh-TW: its admin account reads zh-TW, so the reseller relationship
/// request emailed to it is in zh-TW though the provider reads English.
async fn a_zh_tw_customers_admin_gets_its_request_in_zh_tw(app: TestApp) {
    let w = world(&app).await;
    let basic = offer_id(&app, &w.provider, "M365-BUSINESS-BASIC").await;
    let mut input = customer_input(
        "bakery.example",
        None,
        json!([{ "offerId": basic, "quantity": 3 }]),
        "zh-customer",
    );
    input["language"] = json!("zh-tw");
    let res = app
        .gql(CREATE, json!({ "input": input }), Some(&w.provider))
        .await;
    let payload = &res.data()["createCustomer"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    let customer_id = payload["customer"]["id"].as_str().unwrap();
    let password = payload["setupInfo"]["temporaryPassword"].as_str().unwrap();
    let admin = app.login("admin@bakery.example", password).await;
    let viewer = app
        .gql(
            "{ viewer { user { preferredLanguage } customer { language } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        viewer.data()["viewer"]["user"]["preferredLanguage"],
        "zh-TW"
    );
    assert_eq!(viewer.data()["viewer"]["customer"]["language"], "zh-TW");

    let res = app
        .gql(
            "mutation($c: ID!, $r: ID!) { requestCustomerResellerRelationship(input: {customerId: $c, indirectResellerId: $r}) { link userErrors { code } } }",
            json!({ "c": customer_id, "r": w.reseller_id }),
            Some(&w.provider),
        )
        .await;
    let link = res.data()["requestCustomerResellerRelationship"]["link"]
        .as_str()
        .unwrap()
        .to_owned();
    let outbox = app.data_dir.join("outbox");
    let raw = eventually("the .eml written", Duration::from_secs(20), || async {
        std::fs::read_dir(&outbox)
            .ok()?
            .flatten()
            .map(|e| std::fs::read(e.path()).unwrap())
            .find(|raw| String::from_utf8_lossy(raw).contains("admin@bakery.example"))
    })
    .await;
    let mail = read(&raw);
    assert!(
        mail.subject.contains("Fabrikam Solutions") && has_chinese(&mail.subject),
        "{}",
        mail.subject
    );
    assert!(
        mail.text.contains("經銷商") && mail.text.contains(&link),
        "{}",
        mail.text
    );
    assert!(has_chinese(&mail.html));
    assert_eq!(token_of(&link).len(), token_of(&link).trim().len());

    // A language tag longer than the customer's column holds is refused, not truncated.
    let mut long = customer_input(
        "long.example",
        None,
        json!([{ "offerId": basic, "quantity": 1 }]),
        "long",
    );
    long["language"] = json!("zh-Hant-TW-x-private1");
    let res = app
        .gql(CREATE, json!({ "input": long }), Some(&w.provider))
        .await;
    assert_eq!(
        res.data()["createCustomer"]["userErrors"][0]["code"],
        "INVALID",
        "{}",
        res.body
    );
}
e2e!(a_zh_tw_customers_admin_gets_its_request_in_zh_tw);
