//! Trusted documents (issue 26): GraphQL documents a client names by their SHA-256 instead
//! of sending their text — the shape of Relay's persisted queries, Apollo's persisted query
//! lists and graphql-codegen's client preset (`persistedDocuments: true`).
//!
//! - The manifest file `GRAPHQL__TRUSTED_DOCUMENTS_FILE` (`{"sha256:<hex>": "<document>"}`)
//!   is read at start (`manifest`): a key that is not its document's hash, or a document
//!   that does not parse or validate, stops the server with a message naming it.
//! - Platform administrators add and remove documents (`addTrustedDocuments`,
//!   `removeTrustedDocument`, `trustedDocuments`; `service`). They are rows of one table,
//!   so every replica serves them (`store`: each replica's cache, emptied of a removed
//!   document when the removal's event reaches its hub).
//! - Each document is prepared once (`prepared`): parsed, checked by the guard (its figures
//!   kept), validated. A request naming it skips all three (`request`).
//! - `GRAPHQL__TRUSTED_DOCUMENTS_ONLY=true` refuses every `query` text
//!   (`PERSISTED_QUERY_REQUIRED`) but GraphiQL's introspection while introspection is on.

mod graphql;
pub mod manifest;
mod mutations;
pub mod prepared;
pub mod request;
pub mod service;
pub mod store;
#[cfg(test)]
mod timing;

pub use graphql::{TrustedDocument, TrustedDocumentQuery};
pub use mutations::TrustedDocumentMutation;
pub use prepared::PreparedDocument;
pub use store::TrustedDocuments;

use sha2::{Digest, Sha256};

/// Largest document text, in bytes (a client app's largest operation with its fragments is
/// a few KB).
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024;
/// Most documents one `addTrustedDocuments` adds.
pub const MAX_PER_CALL: usize = 500;
/// Most documents kept, file and API together.
pub const MAX_TOTAL: usize = 5_000;

/// The id of `document`: `sha256:` and the hex SHA-256 of its UTF-8 text, as
/// graphql-codegen's client preset writes it.
pub fn document_id(document: &str) -> String {
    format!(
        "sha256:{}",
        hex::encode(Sha256::digest(document.as_bytes()))
    )
}

/// Whether `id` is well formed: `sha256:` and 64 lowercase hex digits.
pub fn is_well_formed(id: &str) -> bool {
    id.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// A request's name for a document, in either convention, normalized to `sha256:<hex>`
/// (Apollo's `sha256Hash` is the bare hex). Upper-case hex is read as lower case.
pub fn normalize(id: &str) -> Option<String> {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    let id = format!("sha256:{}", hex.to_ascii_lowercase());
    is_well_formed(&id).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_the_documents_sha256() {
        // `printf '{ __typename }' | sha256sum`
        assert_eq!(
            document_id("{ __typename }"),
            "sha256:7f56e67dd21ab3f30d1ff8b7bed08893f0a0db86449836189b361dd1e56ddb4b"
        );
        assert!(is_well_formed(&document_id("x")));
        assert!(!is_well_formed("sha256:abc"));
        assert!(!is_well_formed(&document_id("x").to_uppercase()));
        let hex = &document_id("x")[7..];
        assert_eq!(normalize(hex).as_deref(), Some(document_id("x").as_str()));
        assert_eq!(normalize(&hex.to_uppercase()), normalize(hex));
        assert_eq!(normalize("md5:00"), None);
    }
}
