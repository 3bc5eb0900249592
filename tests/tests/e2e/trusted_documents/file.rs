//! The manifest file: read at start, served at once, listed as FILE, not removable through
//! the API; a file with a wrong key or an unfit document stops the server by name.

use super::*;
use e2e::settings_for;

async fn the_manifest_is_loaded(backend: Backend) {
    let (app, _dir) = with_manifest(backend, &[OFFERS, TYPENAME], |_| {}).await;
    let admin = app.platform_admin_token().await;
    let served = by_id(&app, &id_of(OFFERS), json!({}), Some(&admin)).await;
    assert!(served.data()["offers"]["totalCount"].as_i64().unwrap() > 0);
    let list = app.gql(LIST, json!({}), Some(&admin)).await;
    let edges = list.data()["trustedDocuments"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edges.len(), 2);
    assert!(
        edges.iter().all(|e| e["node"]["source"] == "FILE"),
        "{edges:?}"
    );
    let removed = app
        .gql(REMOVE, json!({ "id": id_of(OFFERS) }), Some(&admin))
        .await;
    let payload = &removed.data()["removeTrustedDocument"];
    assert_eq!(payload["userErrors"][0]["code"], "INVALID_STATE");
    assert_eq!(payload["removedDocumentId"], Value::Null);
    let still = by_id(&app, &id_of(OFFERS), json!({}), Some(&admin)).await;
    assert!(still.data()["offers"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manifest_is_loaded_sqlite() {
    the_manifest_is_loaded(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manifest_is_loaded_postgres() {
    the_manifest_is_loaded(Backend::Postgres).await;
}

/// Why the server did not start with this manifest text.
async fn refused(text: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("persisted-documents.json");
    std::fs::write(&path, text).unwrap();
    let mut settings = settings_for(Backend::Sqlite, &tmp).await;
    settings.graphql.trusted_documents_file = Some(path);
    match api::Application::build(settings).await {
        Ok(_) => panic!("the server started with {text}"),
        Err(err) => {
            let mut message = err.to_string();
            let mut source = std::error::Error::source(&err);
            while let Some(inner) = source {
                message.push_str(&format!(": {inner}"));
                source = inner.source();
            }
            message
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_manifest_stops_the_server() {
    let other = id_of("{ other }");
    let why = refused(&json!({ other.clone(): TYPENAME }).to_string()).await;
    assert!(
        why.contains(&other) && why.contains("not the SHA-256"),
        "{why}"
    );
    let why = refused(&json!({ id_of("{ nope }"): "{ nope }" }).to_string()).await;
    assert!(
        why.contains(&id_of("{ nope }")) && why.contains("nope"),
        "{why}"
    );
    let why = refused(&json!({ id_of("{ a"): "{ a" }).to_string()).await;
    assert!(why.contains("cannot be trusted"), "{why}");
    let why = refused(&json!({ "0123": TYPENAME }).to_string()).await;
    assert!(why.contains("\"0123\""), "{why}");
    let why = refused("[1, 2]").await;
    assert!(why.contains("not a JSON object"), "{why}");
}
