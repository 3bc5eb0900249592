//! `addTrustedDocuments` and `removeTrustedDocument` (platform administrators).

use super::graphql::TrustedDocument;
use super::service::{self, Added, NewDocument};
use super::store::TrustedDocuments;
use crate::auth;
use crate::graphql::db;
use crate::graphql::payload::split;
use crate::graphql::user_error::UserError;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

/// One document to trust.
#[derive(InputObject)]
pub struct TrustedDocumentInput {
    /// `sha256:` and the 64 lowercase hex digits of the document's SHA-256 (the keys of
    /// graphql-codegen's `persisted-documents.json`).
    id: ID,
    /// The document's text, exactly as hashed.
    document: String,
}

/// Input of `addTrustedDocuments`.
#[derive(InputObject)]
pub struct AddTrustedDocumentsInput {
    /// 1 to 500 documents, added together or not at all.
    documents: Vec<TrustedDocumentInput>,
}

/// Result of `addTrustedDocuments`.
#[derive(SimpleObject)]
pub struct AddTrustedDocumentsPayload {
    /// Every document given, in order (those already trusted as they were); null on
    /// failure.
    documents: Option<Vec<TrustedDocument>>,
    /// `INVALID` (an id that is not `sha256:<hex>` or not the document's hash, a document
    /// that does not parse, pass the document limits or validate: `field` names it),
    /// `OUT_OF_RANGE` (too many documents, too large a document, or more than 5,000
    /// trusted in all).
    user_errors: Vec<UserError>,
}

/// Input of `removeTrustedDocument`.
#[derive(InputObject)]
pub struct RemoveTrustedDocumentInput {
    /// The document's id (`sha256:<hex>`).
    id: ID,
}

/// Result of `removeTrustedDocument`.
#[derive(SimpleObject)]
pub struct RemoveTrustedDocumentPayload {
    /// The id of the removed document; null on failure.
    removed_document_id: Option<ID>,
    /// `INVALID_STATE`: the document comes from the manifest file.
    user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct TrustedDocumentMutation;

#[Object]
impl TrustedDocumentMutation {
    /// Platform administrators: trust documents, so clients may send their id instead of
    /// their text (and, with `GRAPHQL__TRUSTED_DOCUMENTS_ONLY`, may send nothing else).
    /// Each is parsed, checked and validated now; every replica serves it at once.
    ///
    /// userErrors: `INVALID`, `OUT_OF_RANGE`. Top-level: `FORBIDDEN` (reason
    /// `PLATFORM_ADMIN_ONLY`).
    async fn add_trusted_documents(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The documents to trust.")] input: AddTrustedDocumentsInput,
    ) -> Result<AddTrustedDocumentsPayload> {
        let who = crate::audit::Who::of(ctx, auth::platform_admin(ctx)?);
        let documents = input
            .documents
            .into_iter()
            .map(|d| NewDocument {
                id: d.id.0,
                document: d.document,
            })
            .collect();
        let store = ctx.data_unchecked::<TrustedDocuments>();
        let added = service::add(db(ctx), store, &who, documents).await?;
        Ok(match added {
            Added::Documents(rows) => AddTrustedDocumentsPayload {
                documents: Some(rows.into_iter().map(TrustedDocument).collect()),
                user_errors: Vec::new(),
            },
            Added::Refused(user_errors) => AddTrustedDocumentsPayload {
                documents: None,
                user_errors,
            },
        })
    }

    /// Platform administrators: stop trusting a document. Requests naming it answer
    /// `PERSISTED_QUERY_NOT_FOUND` from now on, on every replica (within a second).
    ///
    /// userErrors: `INVALID_STATE` (from the manifest file). Top-level: `FORBIDDEN`
    /// (reason `PLATFORM_ADMIN_ONLY`), `NOT_FOUND`.
    async fn remove_trusted_document(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The document to remove.")] input: RemoveTrustedDocumentInput,
    ) -> Result<RemoveTrustedDocumentPayload> {
        let who = crate::audit::Who::of(ctx, auth::platform_admin(ctx)?);
        let store = ctx.data_unchecked::<TrustedDocuments>();
        let result = service::remove(db(ctx), store, &who, &input.id).await;
        let (removed, user_errors) = split(result)?;
        Ok(RemoveTrustedDocumentPayload {
            removed_document_id: removed.map(|row| ID(row.document_id)),
            user_errors,
        })
    }
}
