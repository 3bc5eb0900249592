//! The read page on a trusted document (issue 26, `read_trusted`): the harness writes a manifest of the
//! documents it sends (`{ "<sha256 hex>": "<document>" }`, the form graphql-codegen's
//! client preset writes) and starts the API with `GRAPHQL__TRUSTED_DOCUMENTS_FILE` naming
//! it. The `read_trusted` scenario then sends the GraphQL over HTTP spec's `documentId`
//! (`sha256:<hex>`) instead of the text.
//!
//! A server that does not know trusted documents yet answers a `documentId` request with
//! an error; [`detect`] tries one such request, and the scenario then sends the text
//! instead (the same document, which the server's prepared plan answers): `mode` in the
//! results says which was measured.

use crate::scenarios::CUSTOMERS_PAGE;
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The documents of the manifest: the read page and the floor.
pub const DOCUMENTS: [&str; 2] = [CUSTOMERS_PAGE, TYPENAME];
pub const TYPENAME: &str = "{ __typename }";

/// How the trusted scenarios send their document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// `{"documentId": "sha256:<hex>"}`.
    DocumentId,
    /// `{"query": "<text>"}`: the server knows no trusted documents yet.
    QueryText,
}

/// Lowercase hex SHA-256 of a document's text (the manifest's key).
pub fn hash(document: &str) -> String {
    Sha256::digest(document.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The request body of `document` in `mode`. The one place that decides how a trusted
/// document is sent.
pub fn request_body(document: &str, mode: Mode, variables: Value) -> String {
    match mode {
        Mode::DocumentId => json!({
            "documentId": format!("sha256:{}", hash(document)),
            "variables": variables,
        }),
        Mode::QueryText => json!({ "query": document, "variables": variables }),
    }
    .to_string()
}

/// Writes the manifest into `dir`; returns its path (for `GRAPHQL__TRUSTED_DOCUMENTS_FILE`).
pub fn write_manifest(dir: &Path) -> anyhow::Result<PathBuf> {
    let manifest: serde_json::Map<String, Value> = DOCUMENTS
        .iter()
        .map(|d| (hash(d), Value::from(*d)))
        .collect();
    let path = dir.join("trusted-documents.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest)?)?;
    Ok(path)
}

/// Whether the server at `base` answers the floor's document by its id.
pub async fn detect(client: &reqwest::Client, base: &str) -> Mode {
    let answer = client
        .post(format!("{base}/graphql"))
        .header("content-type", "application/json")
        .body(request_body(TYPENAME, Mode::DocumentId, json!({})))
        .send()
        .await;
    let accepted = match answer {
        Ok(response) if response.status().is_success() => response
            .json::<Value>()
            .await
            .is_ok_and(|v| v["data"]["__typename"].is_string() && v.get("errors").is_none()),
        _ => false,
    };
    if accepted {
        Mode::DocumentId
    } else {
        Mode::QueryText
    }
}
