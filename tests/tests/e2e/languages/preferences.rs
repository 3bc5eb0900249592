//! A user's `preferredLanguage`: set at enrollment (or taken from `Accept-Language`), by an
//! ADMIN adding a user (or the ADMIN's own), and by the user with
//! `updateViewerPreferences`, also with a temporary password and in a suspended
//! organization. Tags are canonicalized; a malformed one is refused with a code and nothing
//! changes; an unsupported language is kept and reads English.

use super::{gql_in, has_chinese};
use crate::partnerships::request;
use e2e::{TestApp, e2e};
use serde_json::json;

const ENROLL: &str = "mutation($input: EnrollPartnerInput!) { enrollPartner(input: $input) {
  admin { preferredLanguage } userErrors { code field message } } }";
const ADD: &str = "mutation($input: AddUserInput!) { addUser(input: $input) {
  user { preferredLanguage } temporaryPassword userErrors { code field } } }";
const UPDATE: &str =
    "mutation($tag: String) { updateViewerPreferences(input: {preferredLanguage: $tag}) {
  user { preferredLanguage } userErrors { code field message } } }";
const VIEWER: &str = "{ viewer { user { preferredLanguage } } }";

fn enrollment(email: &str, language: Option<&str>) -> serde_json::Value {
    let mut input = json!({
        "kind": "INDIRECT_RESELLER", "companyName": "Fabrikam", "country": "TW",
        "adminName": "Admin", "adminEmail": email, "password": "password-123"
    });
    if let Some(language) = language {
        input["preferredLanguage"] = json!(language);
    }
    json!({ "input": input })
}

async fn enrollment_sets_the_first_admins_language(app: TestApp) {
    let cases = [
        ("a@one.test", Some("zh-hant-tw"), "en", "zh-Hant-TW"),
        ("b@two.test", None, "zh-TW,zh;q=0.9", "zh-TW"),
        ("c@three.test", None, "en-GB", "en"),
        ("d@four.test", Some("fr-CA"), "zh-TW", "fr-CA"),
    ];
    for (email, language, accept, stored) in cases {
        let res = gql_in(&app, accept, ENROLL, enrollment(email, language), None).await;
        let payload = &res.data()["enrollPartner"];
        assert_eq!(payload["userErrors"], json!([]), "{email}: {payload}");
        assert_eq!(payload["admin"]["preferredLanguage"], stored, "{email}");
    }
    // A malformed tag: INVALID on the field, in the reader's language, and no account.
    let res = gql_in(
        &app,
        "zh-TW",
        ENROLL,
        enrollment("e@five.test", Some("中文")),
        None,
    )
    .await;
    let error = &res.data()["enrollPartner"]["userErrors"][0];
    assert_eq!(error["code"], "INVALID", "{}", res.body);
    assert_eq!(error["field"], json!(["input", "preferredLanguage"]));
    assert!(has_chinese(error["message"].as_str().unwrap()));
    assert_eq!(
        app.try_login("e@five.test", "password-123").await.data()["login"]["token"],
        json!(null)
    );
}
e2e!(enrollment_sets_the_first_admins_language);

async fn users_choose_their_language(app: TestApp) {
    let (partner_id, admin) = app
        .active_partner(
            "INDIRECT_PROVIDER",
            "Contoso Distribution",
            "boss@contoso.test",
        )
        .await;
    let viewer = app.gql(VIEWER, json!({}), Some(&admin)).await;
    assert_eq!(viewer.data()["viewer"]["user"]["preferredLanguage"], "en");

    // The ADMIN's own language for a new user unless told otherwise.
    let set = app
        .gql(UPDATE, json!({ "tag": "zh-TW" }), Some(&admin))
        .await;
    assert_eq!(
        set.data()["updateViewerPreferences"]["user"]["preferredLanguage"],
        "zh-TW"
    );
    let sam = app
        .gql(ADD, json!({ "input": { "email": "sam@contoso.test", "name": "Sam", "role": "SALES_AGENT" } }), Some(&admin))
        .await;
    assert_eq!(sam.data()["addUser"]["user"]["preferredLanguage"], "zh-TW");
    let ann = app
        .gql(ADD, json!({ "input": { "email": "ann@contoso.test", "name": "Ann", "role": "SALES_AGENT", "preferredLanguage": "en-US" } }), Some(&admin))
        .await;
    assert_eq!(ann.data()["addUser"]["user"]["preferredLanguage"], "en-US");
    let bad = app
        .gql(ADD, json!({ "input": { "email": "bob@contoso.test", "name": "Bob", "role": "SALES_AGENT", "preferredLanguage": "??" } }), Some(&admin))
        .await;
    assert_eq!(
        bad.data()["addUser"]["userErrors"][0]["field"],
        json!(["input", "preferredLanguage"])
    );
    assert_eq!(
        app.try_login("bob@contoso.test", "x").await.data()["login"]["token"],
        json!(null)
    );

    // With its temporary password still in place, Ann may choose its language.
    let password = ann.data()["addUser"]["temporaryPassword"]
        .as_str()
        .unwrap()
        .to_owned();
    let ann_token = app.login("ann@contoso.test", &password).await;
    let set = app
        .gql(UPDATE, json!({ "tag": "zh-Hant" }), Some(&ann_token))
        .await;
    assert_eq!(
        set.data()["updateViewerPreferences"]["user"]["preferredLanguage"],
        "zh-Hant"
    );

    // A malformed tag changes nothing; leaving it out changes nothing.
    for tag in [json!("x"), json!("en US"), json!("a".repeat(50))] {
        let res = app
            .gql(UPDATE, json!({ "tag": tag }), Some(&ann_token))
            .await;
        let error = &res.data()["updateViewerPreferences"]["userErrors"][0];
        assert_eq!(error["code"], "INVALID", "{tag}: {}", res.body);
        assert_eq!(error["field"], json!(["input", "preferredLanguage"]));
    }
    let same = app
        .gql(UPDATE, json!({ "tag": null }), Some(&ann_token))
        .await;
    assert_eq!(
        same.data()["updateViewerPreferences"]["user"]["preferredLanguage"],
        "zh-Hant"
    );

    // In a suspended organization too.
    let ops = app.platform_admin_token().await;
    let suspended = app
        .gql("mutation($id: ID!) { suspendPartner(input: {partnerId: $id}) { userErrors { code } } }", json!({ "id": partner_id }), Some(&ops))
        .await;
    assert_eq!(suspended.data()["suspendPartner"]["userErrors"], json!([]));
    let set = app.gql(UPDATE, json!({ "tag": "en" }), Some(&admin)).await;
    assert_eq!(
        set.data()["updateViewerPreferences"]["user"]["preferredLanguage"],
        "en",
        "{}",
        set.body
    );
    // Signed out, it is refused.
    assert_eq!(
        app.gql(UPDATE, json!({ "tag": "en" }), None)
            .await
            .error_code(),
        "UNAUTHENTICATED"
    );
}
e2e!(users_choose_their_language);

/// A reseller that keeps a language the product does not speak gets English.
async fn an_unsupported_preference_reads_english(app: TestApp) {
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
    let set = app
        .gql(UPDATE, json!({ "tag": "fr-FR" }), Some(&reseller))
        .await;
    assert_eq!(
        set.data()["updateViewerPreferences"]["user"]["preferredLanguage"],
        "fr-FR"
    );
    let invited = request(&app, &provider, "admin@fabrikam.test").await;
    let draft = &invited.payload["draft"];
    assert!(!has_chinese(&draft.to_string()));
    assert!(
        draft["body"]
            .as_str()
            .unwrap()
            .contains("would like to partner"),
        "{draft}"
    );
}
e2e!(an_unsupported_preference_reads_english);
