//! Requests naming a trusted document: `documentId` (GraphQL over HTTP) and Apollo's
//! `persistedQuery`, over POST and GET, answer exactly what the text answers; unknown ids,
//! hash mismatches and malformed names are coded errors.

use super::*;
use e2e::e2e;

async fn a_trusted_document_answers_as_its_text(app: TestApp) {
    trust(&app, &[OFFERS, OFFERS_N, TYPENAME, CUSTOMERS]).await;
    let token = provider(&app).await;
    for (document, variables) in [
        (OFFERS, json!({})),
        (TYPENAME, json!({})),
        (CUSTOMERS, json!({})),
        (OFFERS_N, json!({ "n": 1 })),
        // A variable of the wrong type: the same error either way (full validation).
        (OFFERS_N, json!({ "n": "one" })),
    ] {
        let text = app.gql(document, variables.clone(), Some(&token)).await;
        let id = id_of(document);
        let posted = by_id(&app, &id, variables.clone(), Some(&token)).await;
        assert_eq!(answer(&posted), answer(&text), "{document} {variables}");
        assert_eq!(posted.status, text.status);
        // The budget's figures too (`extensions.cost.requestedQueryCost`).
        assert_eq!(
            posted.body["extensions"]["cost"]["requestedQueryCost"],
            text.body["extensions"]["cost"]["requestedQueryCost"]
        );
        let persisted = apollo_with(&app, document, None, variables.clone(), Some(&token)).await;
        assert_eq!(answer(&persisted), answer(&text), "{document}");
        let vars = variables.to_string();
        let got = get(
            &app,
            &[("documentId", &id), ("variables", &vars)],
            Some(&token),
        )
        .await;
        assert_eq!(answer(&got), answer(&text), "{document}");
        let extensions =
            json!({ "persistedQuery": { "version": 1, "sha256Hash": &id[7..] } }).to_string();
        let got = get(
            &app,
            &[("extensions", &extensions), ("variables", &vars)],
            Some(&token),
        )
        .await;
        assert_eq!(answer(&got), answer(&text), "{document}");
    }
    // In a batch, beside a text.
    let batch = app
        .post_json(
            json!([{ "documentId": id_of(TYPENAME) }, { "query": "{ __typename }" }]),
            None,
        )
        .await;
    assert_eq!(
        batch.body[0]["data"], batch.body[1]["data"],
        "{}",
        batch.body
    );
    assert!(
        batch.body[0]["data"]["__typename"].is_string(),
        "{}",
        batch.body
    );
    // A mutation document is refused over GET as a text would be.
    const LOGOUT: &str = "mutation Out { logout { userErrors { code } } }";
    trust(&app, &[LOGOUT]).await;
    let over_get = get(&app, &[("documentId", &id_of(LOGOUT))], Some(&token)).await;
    assert_eq!(over_get.status, 405);
}
e2e!(a_trusted_document_answers_as_its_text);

async fn unknown_ids_mismatches_and_malformed_names(app: TestApp) {
    let token = app.platform_admin_token().await;
    // Apollo's flow: the hash alone is unknown; the hash with the text runs the text.
    let first = apollo(&app, OFFERS, None, Some(&token)).await;
    assert_eq!(
        first.error_code(),
        "PERSISTED_QUERY_NOT_FOUND",
        "{}",
        first.body
    );
    assert_eq!(first.status, 200);
    let retried = apollo(&app, OFFERS, Some(OFFERS), Some(&token)).await;
    assert_eq!(
        retried.data()["offers"]["edges"].as_array().unwrap().len(),
        2
    );
    let unknown = by_id(&app, &id_of("{ __typename }"), json!({}), None).await;
    assert_eq!(unknown.error_code(), "PERSISTED_QUERY_NOT_FOUND");
    let got = get(&app, &[("documentId", &id_of("{ x }"))], None).await;
    assert_eq!(got.error_code(), "PERSISTED_QUERY_NOT_FOUND");
    // The text is not the document the hash names.
    let mismatch = apollo(&app, OFFERS, Some(TYPENAME), None).await;
    assert_eq!(mismatch.error_code(), "PERSISTED_QUERY_HASH_MISMATCH");
    let mismatch = app
        .post_json(
            json!({ "documentId": id_of(OFFERS), "query": TYPENAME }),
            None,
        )
        .await;
    assert_eq!(mismatch.error_code(), "PERSISTED_QUERY_HASH_MISMATCH");
    // Malformed names and versions.
    for body in [
        json!({ "documentId": "sha256:xyz" }),
        json!({ "documentId": "md5:0123" }),
        json!({ "extensions": { "persistedQuery": { "version": 2, "sha256Hash": &id_of(OFFERS)[7..] } } }),
        json!({ "extensions": { "persistedQuery": { "version": 1 } } }),
        json!({ "documentId": id_of(OFFERS),
                "extensions": { "persistedQuery": { "version": 1, "sha256Hash": &id_of(TYPENAME)[7..] } } }),
    ] {
        let res = app.post_json(body.clone(), None).await;
        assert_eq!(res.error_code(), "BAD_USER_INPUT", "{body}: {}", res.body);
    }
    // Nothing named, nothing sent.
    let empty = app.post_json(json!({}), None).await;
    assert_eq!(empty.error_code(), "BAD_USER_INPUT");
    // The spec's media type answers a request error with 400.
    let res = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "documentId": id_of("{ y }") }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
}
e2e!(unknown_ids_mismatches_and_malformed_names);
