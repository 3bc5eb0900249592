//! Languages (DESIGN "Languages"): every word a person reads in its language, en and zh-TW.
//! Emails follow the recipient's `preferredLanguage` (else the request's `language`, else the
//! sender's), GraphQL messages and formatted amounts the request's `Accept-Language` with the
//! same codes, pages `Accept-Language` or `?lang=`; tags are validated; an unsupported
//! language reads English.

mod audit;
mod emails;
mod messages;
mod pages;
mod preferences;

use e2e::{Gql, TestApp};
use serde_json::{Value, json};

/// A GraphQL request sent with an `Accept-Language` header.
pub async fn gql_in(
    app: &TestApp,
    accept_language: &str,
    query: &str,
    variables: Value,
    token: Option<&str>,
) -> Gql {
    let mut req = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("accept-language", accept_language)
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let resp = req.send().await.expect("request sent");
    let status = resp.status().as_u16();
    Gql {
        status,
        body: resp.json().await.expect("JSON body"),
    }
}

/// Enrolls and approves a partner whose first ADMIN reads `language`; returns its token.
pub async fn partner_reading(
    app: &TestApp,
    kind: &str,
    company: &str,
    email: &str,
    language: &str,
) -> String {
    let res = app
        .gql(
            "mutation($input: EnrollPartnerInput!) { enrollPartner(input: $input) {
               partner { id } admin { preferredLanguage } userErrors { code field } } }",
            json!({ "input": {
                "kind": kind, "companyName": company, "country": "TW", "adminName": "Admin",
                "adminEmail": email, "password": "password-123", "preferredLanguage": language
            }}),
            None,
        )
        .await;
    let payload = &res.data()["enrollPartner"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    let id = payload["partner"]["id"].as_str().unwrap();
    let admin = app.platform_admin_token().await;
    app.gql(
        "mutation($id: ID!) { approveEnrollment(input: {partnerId: $id}) { userErrors { code } } }",
        json!({ "id": id }),
        Some(&admin),
    )
    .await;
    app.login(email, "password-123").await
}

/// True when `text` holds CJK ideographs (the zh-TW messages do, the English ones do not).
pub fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}
