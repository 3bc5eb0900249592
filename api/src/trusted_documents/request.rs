//! Which document a request runs, the same over HTTP and WebSocket:
//!
//! | the request sends                          | answer                                     |
//! |--------------------------------------------|--------------------------------------------|
//! | `documentId` or `persistedQuery`, known    | the prepared document                      |
//! | … unknown                                  | `PERSISTED_QUERY_NOT_FOUND` (Apollo's link then sends the text with the hash) |
//! | a hash and the text, hashes equal          | the prepared document if known, else the text (trusted-only: `PERSISTED_QUERY_NOT_FOUND`) |
//! | a hash and the text, hashes differ         | `PERSISTED_QUERY_HASH_MISMATCH`            |
//! | a malformed id, `persistedQuery.version` ≠ 1, `documentId` and `sha256Hash` naming two documents | `BAD_USER_INPUT` |
//! | the text only                              | the text; trusted-only: `PERSISTED_QUERY_REQUIRED` unless it is introspection only and introspection is on |
//!
//! "Introspection only" ([`is_introspection_only`]): every operation is a query whose root
//! selections (through fragments) are `__schema`, `__type` or `__typename`, at least one of
//! them `__schema` or `__type` — GraphiQL's schema query. It is parsed and checked by the
//! guard like any text; with introspection off it is refused before it is parsed.

use super::PreparedDocument;
use super::store::TrustedDocuments;
use crate::graphql::guard::Shape;
use async_graphql::Request;
use std::sync::Arc;
use worker::i18n::Message;
use worker::msg;

/// What runs.
pub enum Resolved {
    /// The request's `query` text, through the guard.
    Text,
    /// A trusted document.
    Trusted(Arc<PreparedDocument>),
}

/// A request refused before anything ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    NotFound,
    Required,
    HashMismatch,
    BadId,
    Version,
    /// The table could not be read.
    Unavailable,
}

impl Refused {
    /// `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::Required => "PERSISTED_QUERY_REQUIRED",
            Self::HashMismatch => "PERSISTED_QUERY_HASH_MISMATCH",
            Self::BadId | Self::Version => "BAD_USER_INPUT",
            Self::Unavailable => "INTERNAL",
        }
    }

    pub fn message(&self) -> Message {
        match self {
            Self::NotFound => msg!("error-persisted-query-not-found"),
            Self::Required => msg!("error-persisted-query-required"),
            Self::HashMismatch => msg!("error-persisted-query-hash-mismatch"),
            Self::BadId => msg!("error-persisted-query-bad-id"),
            Self::Version => msg!("error-persisted-query-version"),
            Self::Unavailable => msg!("error-internal"),
        }
    }
}

/// The id a request names, from the transport's `documentId` and the request's
/// `extensions.persistedQuery` (removed from the extensions: it is not for resolvers).
pub fn named(document_id: Option<&str>, request: &mut Request) -> Result<Option<String>, Refused> {
    let from_apollo = match request.extensions.remove("persistedQuery") {
        None => None,
        Some(value) => {
            let value = value.into_json().map_err(|_| Refused::BadId)?;
            if value.get("version").and_then(|v| v.as_i64()) != Some(1) {
                return Err(Refused::Version);
            }
            let hash = value.get("sha256Hash").and_then(|v| v.as_str());
            Some(hash.and_then(super::normalize).ok_or(Refused::BadId)?)
        }
    };
    let from_spec = match document_id {
        None => None,
        Some(id) => Some(super::normalize(id).ok_or(Refused::BadId)?),
    };
    match (from_spec, from_apollo) {
        (Some(a), Some(b)) if a != b => Err(Refused::BadId),
        (a, b) => Ok(a.or(b)),
    }
}

/// Decides what `request` runs (see the module's table). A trusted document is found, not
/// parsed; its tree is given to the request by [`attach`] when the general executor is to
/// run it. A text is left to the guard.
pub async fn resolve(
    store: &TrustedDocuments,
    only: bool,
    introspection: bool,
    document_id: Option<&str>,
    request: &mut Request,
) -> Result<Resolved, Refused> {
    let has_text = !request.query.trim().is_empty();
    let Some(id) = named(document_id, request)? else {
        if only && has_text && !introspection {
            return Err(Refused::Required);
        }
        return Ok(Resolved::Text);
    };
    if has_text && super::document_id(&request.query) != id {
        return Err(Refused::HashMismatch);
    }
    let found = store.find(&id).await.map_err(|e| {
        tracing::error!(error = %e, "reading a trusted document");
        Refused::Unavailable
    })?;
    match found {
        // The tree is given to the request only when the general executor runs it
        // ([`attach`]): a prepared plan answers without it.
        Some(prepared) => Ok(Resolved::Trusted(prepared)),
        None if has_text && !only => Ok(Resolved::Text),
        None => Err(Refused::NotFound),
    }
}

/// Gives a trusted document's parsed tree to its request, for the general executor (which
/// takes the document by value); a text parses its own.
pub fn attach(request: &mut Request, resolved: &Resolved) {
    if let Resolved::Trusted(prepared) = resolved {
        request.set_parsed_query(prepared.doc.clone());
    }
}

/// After the guard, in trusted-only mode: a text may run only if it is GraphiQL's
/// introspection (see the module's docs).
pub fn text_allowed(only: bool, shape: &Shape) -> Result<(), Refused> {
    if !only || is_introspection_only(shape) {
        return Ok(());
    }
    Err(Refused::Required)
}

/// Every operation a query, every root selection `__schema`, `__type` or `__typename`, at
/// least one not `__typename`.
pub fn is_introspection_only(shape: &Shape) -> bool {
    let meta = |f: &String| matches!(f.as_str(), "__schema" | "__type" | "__typename");
    !shape.has_non_query
        && shape.root_fields.iter().all(meta)
        && shape.root_fields.iter().any(|f| f != "__typename")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::guard::{self, Limits};

    fn shape(text: &str) -> Shape {
        let mut request = Request::new(text);
        let limits = Limits {
            max_selections: 10_000,
            max_introspection_values: 1_000_000,
            max_cost: 1_000_000,
        };
        guard::prepare(&mut request, limits).unwrap()
    }

    #[test]
    fn introspection_only_is_the_schema_query() {
        assert!(is_introspection_only(&shape(
            "query IntrospectionQuery { __schema { types { name } } }"
        )));
        assert!(is_introspection_only(&shape(
            "{ __typename ...F } fragment F on Query { __type(name: \"Offer\") { name } }"
        )));
        assert!(!is_introspection_only(&shape("{ __typename }")));
        assert!(!is_introspection_only(&shape(
            "{ __schema { description } viewer { id } }"
        )));
        assert!(!is_introspection_only(&shape(
            "query A { __schema { description } } mutation B { logout { userErrors { code } } }"
        )));
    }

    #[test]
    fn the_request_names_one_document() {
        let id = super::super::document_id("{ __typename }");
        let hex = id[7..].to_owned();
        let mut apollo = Request::new("");
        apollo.extensions.insert(
            "persistedQuery".into(),
            async_graphql::Value::from_json(serde_json::json!({ "version": 1, "sha256Hash": hex }))
                .unwrap(),
        );
        assert_eq!(named(None, &mut apollo), Ok(Some(id.clone())));
        assert!(apollo.extensions.is_empty());
        assert_eq!(
            named(Some(&id), &mut Request::new("")),
            Ok(Some(id.clone()))
        );
        assert_eq!(
            named(Some("sha256:00"), &mut Request::new("")),
            Err(Refused::BadId)
        );
        let mut old = Request::new("");
        old.extensions.insert(
            "persistedQuery".into(),
            async_graphql::Value::from_json(serde_json::json!({ "version": 2, "sha256Hash": hex }))
                .unwrap(),
        );
        assert_eq!(named(None, &mut old), Err(Refused::Version));
    }
}
