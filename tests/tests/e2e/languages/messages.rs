//! GraphQL messages in the request's `Accept-Language`, codes unchanged: a `userErrors`
//! entry, a top-level error, a refusal before GraphQL runs, and formatted amounts. A
//! language the product does not speak reads English.

use super::{gql_in, has_chinese};
use crate::partnerships::REQUEST;
use e2e::{TestApp, e2e};
use serde_json::json;

async fn a_user_error_reads_in_each_language_with_the_same_code(app: TestApp) {
    let (_, provider) = app
        .active_partner(
            "INDIRECT_PROVIDER",
            "Contoso Distribution",
            "admin@contoso.test",
        )
        .await;
    let input = json!({ "input": { "resellerEmail": "not-an-address" } });
    let mut seen = Vec::new();
    for accept in [
        "en-US,en;q=0.9",
        "zh-TW,zh;q=0.9,en;q=0.8",
        "de-DE,fr;q=0.8",
        "zh-Hant",
    ] {
        let res = gql_in(&app, accept, REQUEST, input.clone(), Some(&provider)).await;
        let error = res.data()["requestPartnership"]["userErrors"][0].clone();
        assert_eq!(error["code"], "INVALID", "{accept}: {}", res.body);
        assert_eq!(error["field"], json!(["input", "resellerEmail"]));
        seen.push(error["message"].as_str().unwrap().to_owned());
    }
    assert_eq!(seen[0], "Enter an email address like name@example.com.");
    assert_eq!(seen[1], "請輸入電子郵件地址，例如 name@example.com。");
    assert_eq!(seen[2], seen[0], "an unsupported language reads English");
    assert_eq!(seen[3], seen[1], "zh-Hant reads zh-TW");
}
e2e!(a_user_error_reads_in_each_language_with_the_same_code);

async fn top_level_errors_and_amounts_follow_accept_language(app: TestApp) {
    // A top-level error: same code, the message in the reader's language.
    for (accept, chinese) in [("en", false), ("zh-TW", true)] {
        let res = gql_in(&app, accept, "{ viewer { user { id } } }", json!({}), None).await;
        assert_eq!(res.error_code(), "UNAUTHENTICATED", "{}", res.body);
        assert_eq!(has_chinese(res.error_message()), chinese, "{}", res.body);
    }
    // Refused before GraphQL runs: a body a browser could send cross-site unannounced.
    for (accept, chinese) in [("en", false), ("zh-TW", true)] {
        let resp = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("content-type", "text/plain")
            .header("accept-language", accept)
            .body("{\"query\":\"{ __typename }\"}")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 415);
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert_eq!(has_chinese(message), chinese, "{body}");
    }

    // Amounts: CLDR's way in each language, the numbers unchanged.
    let (_, provider) = app
        .active_partner(
            "INDIRECT_PROVIDER",
            "Contoso Distribution",
            "admin@contoso.test",
        )
        .await;
    let query = "{ offers(first: 1, filter: {search: \"M365-BUSINESS-BASIC\"}) { edges { node { monthlyUnitPrice { amountMinor currency formatted } } } } }";
    let price =
        |res: &e2e::Gql| res.data()["offers"]["edges"][0]["node"]["monthlyUnitPrice"].clone();
    let en = price(&gql_in(&app, "en", query, json!({}), Some(&provider)).await);
    let zh = price(&gql_in(&app, "zh-TW", query, json!({}), Some(&provider)).await);
    assert_eq!(en["amountMinor"], zh["amountMinor"]);
    assert_eq!(en["currency"], "USD");
    assert_eq!(en["formatted"], "$6.00", "{en}");
    assert_eq!(zh["formatted"], "US$6.00", "{zh}");
}
e2e!(top_level_errors_and_amounts_follow_accept_language);
