//! `trustedDocuments` and the `TrustedDocument` type.

use super::service;
use crate::auth;
use crate::graphql::connection::{self, Key, Page, PageArgs};
use crate::graphql::{db, ids};
use async_graphql::{Context, Enum, ID, Object, Result};
use chrono::{DateTime, Utc};
use entity::trusted_document::{Column, Model};

pub struct TrustedDocument(pub Model);

/// Where a trusted document comes from.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum TrustedDocumentSource {
    /// The manifest file the server reads at start (`GRAPHQL__TRUSTED_DOCUMENTS_FILE`);
    /// changed by editing the file.
    File,
    /// Added by a platform administrator (`addTrustedDocuments`).
    Api,
}

/// A GraphQL document clients may name by its hash (`documentId` or Apollo's
/// `extensions.persistedQuery`) instead of sending its text.
#[Object]
impl TrustedDocument {
    /// `sha256:` and the 64 hex digits of the document's SHA-256: what requests send as
    /// `documentId` (Apollo's `sha256Hash` is the hex part).
    async fn id(&self) -> ID {
        ID(self.0.document_id.clone())
    }
    /// The document's text.
    async fn document(&self) -> &str {
        &self.0.document
    }
    /// The names of its operations (anonymous ones left out).
    async fn operation_names(&self) -> Vec<String> {
        service::operation_names(&self.0.document)
    }
    /// Where it comes from: the manifest file or `addTrustedDocuments`.
    async fn source(&self) -> TrustedDocumentSource {
        if self.0.source == service::SOURCE_FILE {
            TrustedDocumentSource::File
        } else {
            TrustedDocumentSource::Api
        }
    }
    /// When it was added (for the file: when the server that wrote it started).
    async fn added_at(&self) -> DateTime<Utc> {
        self.0.added_at
    }
    /// The platform administrator who added it; null for the file.
    async fn added_by_user_id(&self) -> Option<ID> {
        self.0
            .added_by_user_id
            .map(|id| ids::encode(ids::NodeType::User, id))
    }
}

#[derive(Default)]
pub struct TrustedDocumentQuery;

#[Object]
impl TrustedDocumentQuery {
    /// Platform administrators: every trusted document, oldest first. Others get
    /// `FORBIDDEN` (reason `PLATFORM_ADMIN_ONLY`).
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn trusted_documents(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Items before this cursor (a `startCursor` or edge `cursor`).")]
        before: Option<String>,
        #[graphql(desc = "The first n items, 0 to 100. Give `first` or `last` (not both).")]
        first: Option<i32>,
        #[graphql(desc = "The last n items, 0 to 100. Give `first` or `last` (not both).")]
        last: Option<i32>,
    ) -> Result<Page<TrustedDocument>> {
        auth::platform_admin(ctx)?;
        let args = PageArgs::new(after, before, first, last)?;
        Ok(connection::paginate(
            db(ctx),
            service::list(),
            &[Key::Asc(Column::Id)],
            args,
            TrustedDocument,
        )
        .await?)
    }
}
