//! `GRAPHQL__TRUSTED_DOCUMENTS_ONLY`: every text is refused with `PERSISTED_QUERY_REQUIRED`,
//! except GraphiQL's introspection while introspection is on.

use super::*;

const INTROSPECTION: &str =
    "query IntrospectionQuery { __schema { queryType { name } types { name } } }";

async fn trusted_only_refuses_texts(backend: Backend) {
    let (app, _dir) = with_manifest(backend, &[OFFERS, TYPENAME, LOGIN], |s| {
        s.graphql.trusted_documents_only = true;
    })
    .await;
    let token = platform_admin_by_id(&app).await;
    for text in [
        TYPENAME,
        "{ offers(first: 1) { totalCount } }",
        "{ __typename __schema { description } offers(first: 1) { totalCount } }",
        "{ unclosed",
    ] {
        let res = app.gql(text, json!({}), None).await;
        assert_eq!(
            res.error_code(),
            "PERSISTED_QUERY_REQUIRED",
            "{text}: {}",
            res.body
        );
    }
    // A mutation as text: refused before anything ran (sign-in works only through a
    // trusted document).
    let login = app.try_login("nobody@example.test", "whatever-123").await;
    assert_eq!(login.error_code(), "PERSISTED_QUERY_REQUIRED");
    // GraphiQL's introspection: allowed while introspection is on.
    let schema = app.gql(INTROSPECTION, json!({}), None).await;
    assert!(schema.data()["__schema"]["types"].is_array());
    // Trusted documents run, named alone or with their text (Apollo's retry).
    let served = by_id(&app, &id_of(OFFERS), json!({}), Some(&token)).await;
    assert!(served.data()["offers"].is_object());
    let served = apollo(&app, TYPENAME, Some(TYPENAME), None).await;
    assert!(served.data()["__typename"].is_string());
    // The text of an unknown hash is not run.
    let unknown = apollo(
        &app,
        "{ offers(first: 1) { totalCount } }",
        Some("{ offers(first: 1) { totalCount } }"),
        None,
    )
    .await;
    assert_eq!(unknown.error_code(), "PERSISTED_QUERY_NOT_FOUND");
    // Over GET too.
    let got = get(&app, &[("query", TYPENAME)], None).await;
    assert_eq!(got.error_code(), "PERSISTED_QUERY_REQUIRED");

    // Without introspection, no text at all.
    let (closed, _dir) = with_manifest(backend, &[TYPENAME], |s| {
        s.graphql.trusted_documents_only = true;
        s.graphql.introspection = false;
    })
    .await;
    let res = closed.gql(INTROSPECTION, json!({}), None).await;
    assert_eq!(res.error_code(), "PERSISTED_QUERY_REQUIRED", "{}", res.body);
    let served = by_id(&closed, &id_of(TYPENAME), json!({}), None).await;
    assert!(served.data()["__typename"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trusted_only_refuses_texts_sqlite() {
    trusted_only_refuses_texts(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trusted_only_refuses_texts_postgres() {
    trusted_only_refuses_texts(Backend::Postgres).await;
}
