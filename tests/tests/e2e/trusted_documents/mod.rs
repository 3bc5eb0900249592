//! Trusted documents (issue 26): documents named by their SHA-256 (`documentId`, Apollo's
//! `extensions.persistedQuery`), loaded from a manifest file or added by platform
//! administrators, prepared once; trusted-only mode; the same rules as any document.

use e2e::{Backend, Gql, TestApp, spawn_app_with};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

mod admin;
mod codegen;
mod file;
mod only;
mod policy;
mod replicas;
mod requests;
mod ws;

pub const OFFERS: &str =
    "query Offers { offers(first: 2) { totalCount edges { node { name sku } } } }";
pub const OFFERS_N: &str =
    "query OffersN($n: Int) { offers(first: $n) { totalCount edges { node { name } } } }";
pub const TYPENAME: &str = "{ __typename }";
pub const CUSTOMERS: &str = "query CustomersPage { customers(first: 50) { totalCount \
    pageInfo { hasNextPage endCursor } edges { node { id companyName \
    subscriptions { id quantity status offer { id name } } } } } }";

pub const LOGIN: &str = "mutation Login($email: String!, $password: String!) { \
    login(input: {email: $email, password: $password}) { token userErrors { code } } }";

pub const ADD: &str = "mutation($input: AddTrustedDocumentsInput!) {
  addTrustedDocuments(input: $input) {
    documents { id document operationNames source addedAt addedByUserId }
    userErrors { code field message } } }";

pub const REMOVE: &str = "mutation($id: ID!) { removeTrustedDocument(input: {id: $id}) {
  removedDocumentId userErrors { code field message } } }";

pub const LIST: &str =
    "{ trustedDocuments(first: 50) { totalCount edges { node { id source operationNames } } } }";

/// `sha256:<hex>` of a document.
pub fn id_of(document: &str) -> String {
    format!(
        "sha256:{}",
        hex::encode(Sha256::digest(document.as_bytes()))
    )
}

/// `addTrustedDocuments` as `token`.
pub async fn add(app: &TestApp, token: &str, documents: &[&str]) -> Gql {
    let documents: Vec<Value> = documents
        .iter()
        .map(|d| json!({ "id": id_of(d), "document": d }))
        .collect();
    app.gql(
        ADD,
        json!({ "input": { "documents": documents } }),
        Some(token),
    )
    .await
}

/// Adds the documents as the platform administrator, asserting it worked.
pub async fn trust(app: &TestApp, documents: &[&str]) {
    let admin = app.platform_admin_token().await;
    let res = add(app, &admin, documents).await;
    assert_eq!(
        res.data()["addTrustedDocuments"]["userErrors"],
        json!([]),
        "{}",
        res.body
    );
}

/// `POST /graphql` naming a document by `documentId`.
pub async fn by_id(app: &TestApp, id: &str, variables: Value, token: Option<&str>) -> Gql {
    app.post_json(json!({ "documentId": id, "variables": variables }), token)
        .await
}

/// Apollo's automatic persisted query: the hash, with or without the text.
pub async fn apollo(app: &TestApp, document: &str, text: Option<&str>, token: Option<&str>) -> Gql {
    apollo_with(app, document, text, json!({}), token).await
}

pub async fn apollo_with(
    app: &TestApp,
    document: &str,
    text: Option<&str>,
    variables: Value,
    token: Option<&str>,
) -> Gql {
    let hash = &id_of(document)[7..];
    let mut body = json!({ "variables": variables,
        "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } });
    if let Some(text) = text {
        body["query"] = json!(text);
    }
    app.post_json(body, token).await
}

/// `GET /graphql?…` with these query-string parameters.
pub async fn get(app: &TestApp, params: &[(&str, &str)], token: Option<&str>) -> Gql {
    let mut req = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(params);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    Gql {
        status,
        body: resp.json().await.unwrap(),
    }
}

/// The answer without `extensions` (the budget's remaining points change per request).
pub fn answer(gql: &Gql) -> Value {
    let mut body = gql.body.clone();
    if let Some(map) = body.as_object_mut() {
        map.remove("extensions");
    }
    body
}

/// A manifest file `{"sha256:<hex>": "<document>"}` in `dir`.
pub fn manifest(dir: &std::path::Path, documents: &[&str]) -> std::path::PathBuf {
    let map: serde_json::Map<String, Value> =
        documents.iter().map(|d| (id_of(d), json!(d))).collect();
    let path = dir.join(format!("trusted-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&path, Value::Object(map).to_string()).unwrap();
    path
}

/// An app reading a manifest of `documents`, configured further by `configure`.
pub async fn with_manifest(
    backend: Backend,
    documents: &[&str],
    configure: impl FnOnce(&mut api::Settings),
) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = manifest(dir.path(), documents);
    let app = spawn_app_with(backend, |s| {
        s.graphql.trusted_documents_file = Some(path);
        configure(s);
    })
    .await;
    (app, dir)
}

/// Signs the platform administrator in with the trusted LOGIN document (trusted-only
/// servers refuse the text).
pub async fn platform_admin_by_id(app: &TestApp) -> String {
    api::admin::ensure_platform_admin(&app.db, "ops@platform.test", "Ops", "platform-password")
        .await
        .unwrap();
    let res = by_id(
        app,
        &id_of(LOGIN),
        json!({ "email": "ops@platform.test", "password": "platform-password" }),
        None,
    )
    .await;
    res.data()["login"]["token"].as_str().unwrap().to_owned()
}

/// A provider ADMIN's token.
pub async fn provider(app: &TestApp) -> String {
    app.active_partner(
        "INDIRECT_PROVIDER",
        "Contoso Distribution",
        "admin@contoso.test",
    )
    .await
    .1
}
