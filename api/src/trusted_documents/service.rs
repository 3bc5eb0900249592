//! Adding, removing and listing trusted documents (platform administrators; the resolvers
//! check who calls). Each change is audited, which is also how the other replicas learn of
//! it (`store`).
//!
//! `add` is all or nothing: every document is checked (id format, its hash, size, that it
//! parses, passes the guard and validates) and any failure adds none — a manifest is
//! uploaded as a whole. Adding an id that is already trusted is not an error (uploading the
//! same manifest twice is harmless).

use super::store::TrustedDocuments;
use super::{MAX_DOCUMENT_BYTES, MAX_PER_CALL, MAX_TOTAL};
use crate::audit::Who;
use crate::error::{ApiError, ApiResult};
use crate::graphql::user_error::{UserError, UserErrorCode};
use entity::event_type::EventType;
use entity::trusted_document::{self, Column, Entity, Model};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Select, Set,
};
use std::sync::Arc;
use worker::msg;

/// The audit target type of a trusted document (not a `Node`: its id is its hash).
pub const TARGET_TYPE: &str = "TrustedDocument";
pub const SOURCE_FILE: &str = "FILE";
pub const SOURCE_API: &str = "API";

/// One document to add, as the client sent it.
pub struct NewDocument {
    pub id: String,
    pub document: String,
}

/// The result of `add`: every document, in the order given, or why none was added.
pub enum Added {
    Documents(Vec<Model>),
    Refused(Vec<UserError>),
}

pub async fn add(
    db: &DatabaseConnection,
    store: &TrustedDocuments,
    who: &Who,
    documents: Vec<NewDocument>,
) -> ApiResult<Added> {
    if documents.is_empty() || documents.len() > MAX_PER_CALL {
        return Ok(Added::Refused(vec![UserError::new(
            UserErrorCode::OutOfRange,
            &["input", "documents"],
            msg!("error-trusted-document-count", max = MAX_PER_CALL),
        )]));
    }
    let mut errors = Vec::new();
    let mut prepared = Vec::with_capacity(documents.len());
    for (index, new) in documents.iter().enumerate() {
        let index = index.to_string();
        let field = |name: &'static str| ["input", "documents", index.as_str(), name];
        match check(store, new).await {
            Ok(p) => prepared.push(Arc::new(p)),
            Err((code, name, message)) => errors.push(UserError::new(code, &field(name), message)),
        }
    }
    if !errors.is_empty() {
        return Ok(Added::Refused(errors));
    }
    let txn = migration::database::begin_write(db).await?;
    let kept = Entity::find().count(&txn).await? as usize;
    let mut rows = Vec::with_capacity(documents.len());
    let mut fresh = Vec::new();
    for (new, prepared) in documents.iter().zip(prepared) {
        let (row, inserted) = insert(&txn, who, &prepared.id, &new.document).await?;
        if inserted {
            fresh.push((row.id, prepared));
        }
        rows.push(row);
    }
    if kept + fresh.len() > MAX_TOTAL {
        return Ok(Added::Refused(vec![UserError::new(
            UserErrorCode::OutOfRange,
            &["input", "documents"],
            msg!("error-trusted-document-total", max = MAX_TOTAL),
        )]));
    }
    for (row_id, prepared) in &fresh {
        crate::audit::record_raw(
            &txn,
            who,
            EventType::TrustedDocumentAdded,
            TARGET_TYPE,
            *row_id,
            msg!("audit-trusted-document-added", id = prepared.id.clone()),
        )
        .await?;
    }
    txn.commit().await?;
    for (row_id, prepared) in fresh {
        store.added(row_id, prepared);
    }
    Ok(Added::Documents(rows))
}

/// The checks of one document: its id, size, hash, and that it can run here. On failure:
/// the code, the input field at fault and why.
async fn check(
    store: &TrustedDocuments,
    new: &NewDocument,
) -> Result<super::PreparedDocument, (UserErrorCode, &'static str, worker::i18n::Message)> {
    if !super::is_well_formed(&new.id) {
        return Err((
            UserErrorCode::Invalid,
            "id",
            msg!("error-trusted-document-id"),
        ));
    }
    if new.document.len() > MAX_DOCUMENT_BYTES {
        let message = msg!("error-trusted-document-too-large", max = MAX_DOCUMENT_BYTES);
        return Err((UserErrorCode::OutOfRange, "document", message));
    }
    let actual = super::document_id(&new.document);
    if actual != new.id {
        let message = msg!("error-trusted-document-hash", actual = actual);
        return Err((UserErrorCode::Invalid, "id", message));
    }
    store
        .prepare(&new.id, &new.document)
        .await
        .map_err(|unfit| (UserErrorCode::Invalid, "document", unfit.message()))
}

/// Inserts the row unless the id is there already: the row, and whether it is new.
async fn insert<C: ConnectionTrait>(
    db: &C,
    who: &Who,
    id: &str,
    document: &str,
) -> Result<(Model, bool), DbErr> {
    let row = trusted_document::ActiveModel {
        document_id: Set(id.to_owned()),
        document: Set(document.to_owned()),
        source: Set(SOURCE_API.to_owned()),
        added_by_user_id: Set(who.user_id),
        added_at: Set(chrono::Utc::now()),
        ..Default::default()
    };
    let inserted = Entity::insert(row)
        .on_conflict(
            OnConflict::column(Column::DocumentId)
                .do_nothing()
                .to_owned(),
        )
        .exec(db)
        .await;
    let inserted = match inserted {
        Ok(_) => true,
        Err(DbErr::RecordNotInserted) => false,
        Err(e) => return Err(e),
    };
    let row = find(db, id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(id.to_owned()))?;
    Ok((row, inserted))
}

/// The demo's trusted document (`serve --demo`): inserted unless there, without an audit
/// entry (the demo's data has none). Returns its id.
pub async fn seed_demo(db: &DatabaseConnection, document: &str) -> Result<String, DbErr> {
    let id = super::document_id(document);
    let who = Who {
        user_id: None,
        partner_id: None,
        request_id: "demo".into(),
        api_client_id: None,
    };
    insert(db, &who, &id, document).await?;
    Ok(id)
}

/// Removes the document `id` (normalized): `NOT_FOUND` when there is none, `INVALID_STATE`
/// for one of the manifest file (it would come back with the next start).
pub async fn remove(
    db: &DatabaseConnection,
    store: &TrustedDocuments,
    who: &Who,
    id: &str,
) -> ApiResult<Model> {
    let id = super::normalize(id).ok_or(ApiError::NotFound)?;
    let txn = migration::database::begin_write(db).await?;
    let row = find(&txn, &id).await?.ok_or(ApiError::NotFound)?;
    if row.source == SOURCE_FILE || store.is_from_file(&id) {
        return Err(ApiError::user(
            UserErrorCode::InvalidState,
            &["input", "id"],
            msg!("error-trusted-document-from-file"),
        ));
    }
    Entity::delete_by_id(row.id).exec(&txn).await?;
    crate::audit::record_raw(
        &txn,
        who,
        EventType::TrustedDocumentRemoved,
        TARGET_TYPE,
        row.id,
        msg!("audit-trusted-document-removed", id = id.clone()),
    )
    .await?;
    txn.commit().await?;
    store.removed(row.id);
    Ok(row)
}

async fn find<C: ConnectionTrait>(db: &C, id: &str) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::DocumentId.eq(id))
        .one(db)
        .await
}

/// Every trusted document, oldest first (the connection pages by row id).
pub fn list() -> Select<Entity> {
    Entity::find().order_by_asc(Column::Id)
}

/// The names of a stored document's operations (read from its text).
pub fn operation_names(document: &str) -> Vec<String> {
    async_graphql::parser::parse_query(document)
        .map(|doc| {
            doc.operations
                .iter()
                .filter_map(|(name, _)| name.map(|n| n.to_string()))
                .collect()
        })
        .unwrap_or_default()
}
