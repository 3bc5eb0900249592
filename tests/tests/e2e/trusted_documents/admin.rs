//! Platform administrators add, list and remove trusted documents; nobody else can.

use super::*;
use e2e::e2e;

async fn platform_admins_add_list_and_remove(app: TestApp) {
    let admin = app.platform_admin_token().await;
    let res = add(&app, &admin, &[OFFERS, TYPENAME]).await;
    let payload = &res.data()["addTrustedDocuments"];
    assert_eq!(payload["userErrors"], json!([]));
    let docs = payload["documents"].as_array().unwrap();
    assert_eq!(docs[0]["id"], id_of(OFFERS));
    assert_eq!(docs[0]["document"], OFFERS);
    assert_eq!(docs[0]["operationNames"], json!(["Offers"]));
    assert_eq!(docs[0]["source"], "API");
    assert!(docs[0]["addedByUserId"].is_string());
    assert_eq!(docs[1]["operationNames"], json!([]));

    // The same manifest again: nothing new, nothing refused.
    let again = add(&app, &admin, &[OFFERS]).await;
    assert_eq!(again.data()["addTrustedDocuments"]["userErrors"], json!([]));
    let list = app.gql(LIST, json!({}), Some(&admin)).await;
    assert_eq!(list.data()["trustedDocuments"]["totalCount"], 2);

    let served = by_id(&app, &id_of(OFFERS), json!({}), Some(&admin)).await;
    assert_eq!(
        served.data()["offers"]["edges"].as_array().unwrap().len(),
        2
    );

    let removed = app
        .gql(REMOVE, json!({ "id": id_of(OFFERS) }), Some(&admin))
        .await;
    assert_eq!(
        removed.data()["removeTrustedDocument"]["removedDocumentId"],
        id_of(OFFERS)
    );
    let gone = by_id(&app, &id_of(OFFERS), json!({}), Some(&admin)).await;
    assert_eq!(gone.error_code(), "PERSISTED_QUERY_NOT_FOUND");
    let twice = app
        .gql(REMOVE, json!({ "id": id_of(OFFERS) }), Some(&admin))
        .await;
    assert_eq!(twice.error_code(), "NOT_FOUND");
    let list = app.gql(LIST, json!({}), Some(&admin)).await;
    assert_eq!(list.data()["trustedDocuments"]["totalCount"], 1);

    // Both changes are in the audit log.
    let log = app
        .gql(
            "{ auditLog(first: 10) { edges { node { action targetType summary } } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let actions: Vec<&str> = log.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"trusted_document.added"), "{actions:?}");
    assert!(actions.contains(&"trusted_document.removed"), "{actions:?}");
}
e2e!(platform_admins_add_list_and_remove);

async fn only_platform_admins_manage_them(app: TestApp) {
    let partner_admin = provider(&app).await;
    for (query, variables) in [
        (
            ADD,
            json!({ "input": { "documents": [{ "id": id_of(TYPENAME), "document": TYPENAME }] } }),
        ),
        (REMOVE, json!({ "id": id_of(TYPENAME) })),
        (LIST, json!({})),
    ] {
        let res = app
            .gql(query, variables.clone(), Some(&partner_admin))
            .await;
        assert_eq!(res.error_code(), "FORBIDDEN", "{}", res.body);
        let anonymous = app.gql(query, variables.clone(), None).await;
        assert_eq!(
            anonymous.error_code(),
            "UNAUTHENTICATED",
            "{}",
            anonymous.body
        );
    }
    // An API client, whatever its scopes, is refused by the policy table (people only).
    let client = crate::api_clients::create(
        &app,
        &partner_admin,
        &["CUSTOMERS_READ", "CUSTOMERS_WRITE", "PARTNERSHIPS_READ"],
    )
    .await;
    let token = crate::api_clients::access_token(&app, &client, None).await;
    let res = app.gql(LIST, json!({}), Some(&token)).await;
    assert_eq!(res.error_code(), "FORBIDDEN", "{}", res.body);
    let res = add(&app, &token, &[TYPENAME]).await;
    assert_eq!(res.error_code(), "FORBIDDEN", "{}", res.body);
    // Nothing was added.
    let gone = by_id(&app, &id_of(TYPENAME), json!({}), None).await;
    assert_eq!(gone.error_code(), "PERSISTED_QUERY_NOT_FOUND");
}
e2e!(only_platform_admins_manage_them);

async fn unfit_documents_are_user_errors_and_nothing_is_added(app: TestApp) {
    let admin = app.platform_admin_token().await;
    let big = format!("{{ __typename {} }}", "# padding\n".repeat(7_000));
    let documents = json!([
        { "id": id_of(OFFERS), "document": OFFERS },
        { "id": id_of(TYPENAME), "document": "{ __typename  }" },
        { "id": "sha1:abc", "document": TYPENAME },
        { "id": id_of("{ unclosed"), "document": "{ unclosed" },
        { "id": id_of("{ noSuchField }"), "document": "{ noSuchField }" },
        { "id": id_of(&big), "document": big },
        { "id": id_of("query Q($x: Int) { __typename }"), "document": "query Q($x: Int) { __typename }" },
    ]);
    let res = app
        .gql(
            ADD,
            json!({ "input": { "documents": documents } }),
            Some(&admin),
        )
        .await;
    let payload = &res.data()["addTrustedDocuments"];
    assert_eq!(payload["documents"], Value::Null);
    let errors: Vec<(String, Value)> = payload["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["code"].as_str().unwrap().to_owned(), e["field"].clone()))
        .collect();
    let expected = [
        ("INVALID", json!(["input", "documents", "1", "id"])),
        ("INVALID", json!(["input", "documents", "2", "id"])),
        ("INVALID", json!(["input", "documents", "3", "document"])),
        ("INVALID", json!(["input", "documents", "4", "document"])),
        (
            "OUT_OF_RANGE",
            json!(["input", "documents", "5", "document"]),
        ),
        ("INVALID", json!(["input", "documents", "6", "document"])),
    ];
    let expected: Vec<(String, Value)> = expected
        .into_iter()
        .map(|(c, f)| (c.to_owned(), f))
        .collect();
    assert_eq!(errors, expected, "{}", res.body);
    let message = payload["userErrors"][3]["message"].as_str().unwrap();
    assert!(message.contains("noSuchField"), "{message}");
    // All or nothing: the good one was not added either.
    let list = app.gql(LIST, json!({}), Some(&admin)).await;
    assert_eq!(list.data()["trustedDocuments"]["totalCount"], 0);
    let empty = app
        .gql(ADD, json!({ "input": { "documents": [] } }), Some(&admin))
        .await;
    assert_eq!(
        empty.data()["addTrustedDocuments"]["userErrors"][0]["code"],
        "OUT_OF_RANGE"
    );
}
e2e!(unfit_documents_are_user_errors_and_nothing_is_added);

/// `serve --demo` shows a trusted document (seeding twice keeps one).
async fn the_demo_has_a_trusted_document(app: TestApp) {
    api::demo::seed(&app.db).await.unwrap();
    api::demo::seed(&app.db).await.unwrap();
    let token = app.platform_admin_token().await;
    let id = id_of(api::demo::DEMO_TRUSTED_DOCUMENT);
    let served = by_id(&app, &id, json!({}), Some(&token)).await;
    assert!(served.data()["offers"]["totalCount"].as_i64().unwrap() > 0);
    let list = app.gql(LIST, json!({}), Some(&token)).await;
    assert_eq!(list.data()["trustedDocuments"]["totalCount"], 1);
}
e2e!(the_demo_has_a_trusted_document);
