//! GraphQL limits and error hygiene: page sizes, depth and complexity, batches, body size,
//! malformed requests, and internal errors that never leak their text.

use e2e::{Backend, TestApp, e2e, spawn_app};
use serde_json::{Value, json};

async fn page_sizes_are_required_and_capped(app: TestApp) {
    let (_, token) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "p@contoso.test")
        .await;
    for (args, hint) in [
        ("", "first"),
        ("(first: 101)", "100"),
        ("(last: 500)", "100"),
        ("(first: -1)", "0"),
        ("(first: 5, after: \"bogus\")", "cursor"),
    ] {
        let res = app
            .gql(
                &format!("{{ offers{args} {{ totalCount }} }}"),
                json!({}),
                Some(&token),
            )
            .await;
        assert_eq!(res.error_code(), "BAD_USER_INPUT", "{args}");
        assert!(
            res.error_message().contains(hint),
            "{args}: {}",
            res.error_message()
        );
    }
    let ok = app
        .gql(
            "{ offers(first: 100) { totalCount } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert!(ok.data()["offers"]["totalCount"].as_u64().is_some());
}
e2e!(page_sizes_are_required_and_capped);

async fn depth_and_complexity_limits(app: TestApp) {
    let (_, token) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "p@contoso.test")
        .await;
    // viewer -> partner -> users -> user -> partner -> users ... 20 levels deep.
    let mut query = String::from("id");
    for _ in 0..5 {
        query = format!("partner {{ users(first: 1) {{ edges {{ node {{ {query} }} }} }} }}");
    }
    let deep = app
        .gql(
            &format!("{{ viewer {{ user {{ {query} }} }} }}"),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(deep.error_code(), "QUERY_TOO_COMPLEX");
    assert!(deep.body["data"].is_null());

    // Wide but shallow: 100 offers x 100 upgrade-target fields via aliases is too costly.
    let fields: String = (0..60)
        .map(|i| format!("a{i}: upgradeTargets {{ sku name }} "))
        .collect();
    let wide = app
        .gql(
            &format!("{{ offers(first: 100) {{ edges {{ node {{ {fields} }} }} }} }}"),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(wide.error_code(), "QUERY_TOO_COMPLEX");
    // The same selection on a small page is fine: cost scales with `first`.
    let small = app
        .gql(
            &format!("{{ offers(first: 1) {{ edges {{ node {{ {fields} }} }} }} }}"),
            json!({}),
            Some(&token),
        )
        .await;
    assert!(small.data()["offers"]["edges"].is_array());
}
e2e!(depth_and_complexity_limits);

/// GraphiQL's own introspection query must pass the limits.
#[tokio::test]
async fn graphiql_introspection_fits_the_limits() {
    let app = spawn_app(Backend::Sqlite).await;
    let res = app.gql(INTROSPECTION, json!({}), None).await;
    let types = res.data()["__schema"]["types"].as_array().unwrap();
    assert!(types.iter().any(|t| t["name"] == "Offer"));
}

#[tokio::test]
async fn batches_are_capped() {
    let app = spawn_app(Backend::Sqlite).await;
    let ok: Vec<Value> = (0..10)
        .map(|_| json!({ "query": "{ __typename }" }))
        .collect();
    let res = app.post_json(Value::Array(ok), None).await;
    assert_eq!(res.body.as_array().unwrap().len(), 10);
    let too_many: Vec<Value> = (0..11)
        .map(|_| json!({ "query": "{ __typename }" }))
        .collect();
    let res = app.post_json(Value::Array(too_many), None).await;
    assert_eq!(res.status, 400);
    assert_eq!(res.error_code(), "BAD_USER_INPUT");
}

#[tokio::test]
async fn malformed_and_oversized_bodies_get_coded_errors() {
    let app = spawn_app(Backend::Sqlite).await;
    let url = format!("{}/graphql", app.address);
    let send = |body: Vec<u8>| {
        app.client
            .post(&url)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let garbage = send(b"{ this is not json".to_vec()).await.unwrap();
    assert_eq!(garbage.status(), 400);
    let body: Value = garbage.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");

    let huge = format!(
        "{{\"query\": \"{{ __typename }}\", \"variables\": {{\"x\": \"{}\"}}}}",
        "a".repeat(3 * 1024 * 1024)
    );
    let resp = send(huge.into_bytes()).await.unwrap();
    assert_eq!(resp.status(), 413);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");

    let syntax = app.gql("{ offers(first: 1) { ", json!({}), None).await;
    assert_eq!(syntax.error_code(), "BAD_USER_INPUT");
    let unknown_field = app.gql("{ noSuchField }", json!({}), None).await;
    assert_eq!(unknown_field.error_code(), "BAD_USER_INPUT");

    // Mutations are POST-only.
    let get = app
        .client
        .get(&url)
        .query(&[("query", "mutation { logout { success } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 405);
    // Queries over GET work.
    let get = app
        .client
        .get(&url)
        .query(&[("query", "{ __typename }")])
        .send()
        .await
        .unwrap();
    let body: Value = get.json().await.unwrap();
    assert_eq!(body["data"]["__typename"], "QueryRoot");
}

async fn internal_errors_are_masked(app: TestApp) {
    use sea_orm::ConnectionTrait;
    let (_, token) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "p@contoso.test")
        .await;
    // Break the database under the running server: the catalog table disappears.
    app.db
        .execute_unprepared("ALTER TABLE offers RENAME TO offers_gone")
        .await
        .unwrap();
    let res = app
        .gql(
            "{ offers(first: 5) { totalCount } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.error_code(), "INTERNAL");
    assert_eq!(res.error_message(), "Internal server error");
    assert!(res.body["errors"][0]["extensions"]["requestId"].is_string());
    // Only the message and extensions are ours to leak from (the path names the field).
    let err = &res.body["errors"][0];
    let text = format!("{} {}", err["message"], err["extensions"]).to_lowercase();
    for leak in ["offers", "sql", "table", "relation", "no such"] {
        assert!(!text.contains(leak), "leaked {leak}: {text}");
    }
    // The server keeps serving.
    let viewer = app
        .gql("{ viewer { user { email } } }", json!({}), Some(&token))
        .await;
    assert_eq!(viewer.data()["viewer"]["user"]["email"], "p@contoso.test");
}
e2e!(internal_errors_are_masked);

const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}
"#;
