//! The manifest file (`GRAPHQL__TRUSTED_DOCUMENTS_FILE`): a JSON object from document id to
//! document text, `{"sha256:<hex>": "<document>"}` — what graphql-codegen's client preset
//! writes to `persisted-documents.json` with `persistedDocuments: {hashAlgorithm}` giving
//! `sha256:`-prefixed ids (a bare 64-digit hex key is read as `sha256:` too).
//!
//! Read once at start. Anything wrong stops the server with a message naming the key: a
//! server that silently dropped a document would fail its clients later, one request at a
//! time.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("reading the trusted documents file {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the trusted documents file {path} is not a JSON object of document ids to document \
         texts ({detail})"
    )]
    Format { path: PathBuf, detail: String },
    #[error(
        "the trusted documents file {path}: the key {key:?} is not sha256: followed by 64 \
         hexadecimal digits"
    )]
    BadKey { path: PathBuf, key: String },
    #[error(
        "the trusted documents file {path}: the key {key} is not the SHA-256 of its document \
         (that is {actual})"
    )]
    HashMismatch {
        path: PathBuf,
        key: String,
        actual: String,
    },
    #[error("the trusted documents file {path}: the document {key} cannot be trusted: {detail}")]
    Unfit {
        path: PathBuf,
        key: String,
        detail: String,
    },
    #[error("the trusted documents file {path} holds {count} documents; at most {max} are kept")]
    TooMany {
        path: PathBuf,
        count: usize,
        max: usize,
    },
    #[error("storing the trusted documents of the file")]
    Database(#[from] sea_orm::DbErr),
}

/// The documents of the file, as `(id, text)` in the file's order, each id checked against
/// its text (not yet parsed: `store` prepares them).
pub fn read(path: &Path) -> Result<Vec<(String, String)>, ManifestError> {
    let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read {
        path: path.to_owned(),
        source,
    })?;
    let format = |detail: String| ManifestError::Format {
        path: path.to_owned(),
        detail,
    };
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format(e.to_string()))?;
    let serde_json::Value::Object(entries) = value else {
        return Err(format("not an object".into()));
    };
    if entries.len() > super::MAX_TOTAL {
        return Err(ManifestError::TooMany {
            path: path.to_owned(),
            count: entries.len(),
            max: super::MAX_TOTAL,
        });
    }
    let mut documents = Vec::with_capacity(entries.len());
    for (key, document) in entries {
        let serde_json::Value::String(document) = document else {
            return Err(format(format!("the value of {key:?} is not a string")));
        };
        let Some(id) = super::normalize(&key) else {
            return Err(ManifestError::BadKey {
                path: path.to_owned(),
                key,
            });
        };
        let actual = super::document_id(&document);
        if actual != id {
            return Err(ManifestError::HashMismatch {
                path: path.to_owned(),
                key,
                actual,
            });
        }
        documents.push((id, document));
    }
    Ok(documents)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file in the temporary directory, removed when dropped.
    struct File(PathBuf);

    impl File {
        fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for File {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn file(text: &str) -> File {
        let path = std::env::temp_dir().join(format!("trusted-{}.json", uuid::Uuid::new_v4()));
        std::fs::write(&path, text).unwrap();
        File(path)
    }

    #[test]
    fn a_manifest_is_read_with_its_ids_checked() {
        let doc = "{ __typename }";
        let id = super::super::document_id(doc);
        let f = file(&serde_json::json!({ id.clone(): doc }).to_string());
        assert_eq!(read(f.path()).unwrap(), vec![(id.clone(), doc.to_owned())]);
        // codegen's bare hex key (hashAlgorithm "sha256") is the same id.
        let f = file(&serde_json::json!({ &id[7..]: doc }).to_string());
        assert_eq!(read(f.path()).unwrap()[0].0, id);
    }

    #[test]
    fn a_wrong_key_is_refused_by_name() {
        let other = super::super::document_id("{ other }");
        let f = file(&serde_json::json!({ other.clone(): "{ __typename }" }).to_string());
        let err = read(f.path()).unwrap_err();
        assert!(matches!(err, ManifestError::HashMismatch { .. }));
        assert!(err.to_string().contains(&other), "{err}");
        let f = file(r#"{"abc": "{ __typename }"}"#);
        assert!(matches!(read(f.path()), Err(ManifestError::BadKey { .. })));
        let f = file(r#"["{ __typename }"]"#);
        assert!(matches!(read(f.path()), Err(ManifestError::Format { .. })));
    }
}
