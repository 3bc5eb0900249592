//! The frontend's view (README, "Trusted documents"): graphql-codegen's client preset,
//! installed from the npm registry by the test, reads the operations of the test frontend
//! (`tests/frontend/app.js`) against `schema.graphql` and writes `persisted-documents.json`;
//! the server loads that file and answers each operation by its `documentId`, the same id
//! the generated client code carries (`__meta__.hash`).

use super::*;
use e2e::ws::WsClient;
use std::path::{Path, PathBuf};
use std::process::Command;

const PACKAGES: &[&str] = &[
    "@graphql-codegen/cli@7.4.3",
    "@graphql-codegen/client-preset@6.2.0",
    "graphql@16.11.0",
];

/// The README's configuration: ids are `sha256:<hex>`, as the GraphQL over HTTP spec names
/// documents (the preset's default would be bare SHA-1).
const CONFIG: &str = r#"const { createHash } = require("node:crypto");
module.exports = {
  schema: "schema.graphql",
  documents: ["src/**/*.js"],
  generates: {
    "gql/": {
      preset: "client",
      config: { documentMode: "string" },
      presetConfig: {
        persistedDocuments: {
          hashAlgorithm: (document) =>
            "sha256:" + createHash("sha256").update(document).digest("hex"),
        },
      },
    },
  },
};
"#;

/// Runs codegen over the frontend in a new directory; returns it.
fn generate(npm: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("schema.graphql"), api::graphql::sdl()).unwrap();
    std::fs::write(dir.path().join("codegen.cjs"), CONFIG).unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    let frontend = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("frontend/app.js");
    std::fs::copy(frontend, dir.path().join("src/app.js")).unwrap();
    std::os::unix::fs::symlink(npm.join("node_modules"), dir.path().join("node_modules")).unwrap();
    let output = Command::new("node")
        .arg(npm.join("node_modules/@graphql-codegen/cli/cjs/bin.js"))
        .args(["--config", "codegen.cjs"])
        .current_dir(dir.path())
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "graphql-codegen failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codegen_writes_the_manifest_the_server_loads() {
    let npm = tokio::task::spawn_blocking(|| {
        e2e::npm::install(Path::new(env!("CARGO_TARGET_TMPDIR")), PACKAGES)
    })
    .await
    .unwrap();
    let out = tokio::task::spawn_blocking(move || generate(&npm))
        .await
        .unwrap();
    let manifest_path = out.path().join("gql/persisted-documents.json");
    let manifest: serde_json::Map<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    assert_eq!(manifest.len(), 3, "{manifest:?}");
    let generated = std::fs::read_to_string(out.path().join("gql/graphql.ts")).unwrap();
    let id_of_operation = |name: &str| -> String {
        let (id, _) = manifest
            .iter()
            .find(|(_, doc)| doc.as_str().unwrap().contains(name))
            .unwrap_or_else(|| panic!("{name} in {manifest:?}"));
        // The generated client carries the same id.
        assert!(generated.contains(&format!("\"hash\":\"{id}\"")), "{id}");
        id.clone()
    };
    let (login, offers, events) = (
        id_of_operation("mutation Login"),
        id_of_operation("query Offers"),
        id_of_operation("subscription Events"),
    );

    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.graphql.trusted_documents_file = Some(manifest_path.clone());
    })
    .await;
    app.active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let signed_in = by_id(
        &app,
        &login,
        json!({ "email": "admin@contoso.test", "password": "password-123" }),
        None,
    )
    .await;
    let token = signed_in.data()["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = by_id(&app, &offers, json!({}), Some(&token)).await;
    assert!(listed.data()["offers"]["totalCount"].as_i64().unwrap() > 0);
    let mut ws = WsClient::signed_in(&app.address, &token).await;
    ws.send(json!({ "id": "e", "type": "subscribe", "payload": { "documentId": events } }))
        .await;
    by_id(
        &app,
        &login,
        json!({ "email": "admin@contoso.test", "password": "password-123" }),
        None,
    )
    .await;
    assert_eq!(ws.next_event("e").await["type"], "SESSION_STARTED");
}
