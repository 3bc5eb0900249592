//! Starting an import (the API's part): who may, the idempotency key, the bounds, and one
//! transaction that stores the import and its rows (QUEUED). Also the reads: a provider's
//! imports, one of them (a foreign id is missing), its rows.

use super::ImportSettings;
use super::columns::RowData;
use super::parse::{self, Bounds};
use crate::auth::Actor;
use crate::customers::eligibility::ordering_provider;
use crate::error::{ApiError, ApiResult, is_unique_violation};
use crate::graphql::user_error::UserErrorCode;
use chrono::Utc;
use entity::customer_import::{self, CredentialsState, ErrorPolicy, ImportStatus};
use entity::customer_import_row::{self, RowStatus};
use migration::database::begin_write;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Select, Set,
};
use worker::msg;

/// What was sent: a file's bytes (read up to one byte over the bound) or JSON rows.
pub enum Source {
    File(Vec<u8>),
    Rows(Vec<RowData>),
}

pub struct NewImport {
    pub source: Option<Source>,
    /// Both given: refused (exactly one of `file` and `rows`).
    pub both: bool,
    pub error_policy: ErrorPolicy,
    pub dry_run: bool,
    pub idempotency_key: String,
}

/// `importCustomers`: the stored import (or the first one with the same key).
pub async fn start(
    db: &DatabaseConnection,
    actor: &Actor,
    settings: &ImportSettings,
    input: NewImport,
) -> ApiResult<customer_import::Model> {
    let provider = ordering_provider(actor)?;
    let key = input.idempotency_key.trim().to_owned();
    if key.is_empty() || key.len() > 128 {
        return Err(ApiError::user(
            UserErrorCode::Invalid,
            &["input", "idempotencyKey"],
            msg!("error-idempotency-key"),
        ));
    }
    // A re-upload with the same key answers the first import, before the file is read.
    if let Some(first) = by_key(db, provider.id, &key).await? {
        return Ok(first);
    }
    let rows = match (input.source, input.both) {
        (Some(_), true) | (None, _) => {
            return Err(ApiError::user(
                UserErrorCode::Invalid,
                &["input"],
                msg!("error-import-file-or-rows"),
            ));
        }
        (Some(Source::File(bytes)), false) => {
            if bytes.len() > settings.max_file_bytes {
                return Err(ApiError::user(
                    UserErrorCode::OutOfRange,
                    &["input", "file"],
                    msg!("error-import-file-too-large", max = settings.max_file_bytes),
                ));
            }
            let bounds = Bounds {
                max_rows: settings.max_rows,
                max_field_chars: settings.max_field_chars,
            };
            parse::rows(&bytes, bounds)?
        }
        (Some(Source::Rows(rows)), false) => json_rows(rows, settings)?,
    };
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let inserted = customer_import::ActiveModel {
        provider_id: Set(provider.id),
        user_id: Set(actor.user.id),
        api_client_id: Set(actor.client().map(|c| c.id)),
        idempotency_key: Set(key.clone()),
        error_policy: Set(input.error_policy),
        dry_run: Set(input.dry_run),
        status: Set(ImportStatus::Queued),
        total_rows: Set(rows.len() as i32),
        processed: Set(0),
        succeeded: Set(0),
        failed: Set(0),
        credentials: Set(CredentialsState::None),
        lease_owner: Set(None),
        lease_expires_at: Set(None),
        created_at: Set(now),
        finished_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let import = match inserted {
        Ok(import) => import,
        Err(e) if is_unique_violation(&e) => {
            drop(txn);
            // A concurrent upload with the same key won.
            return by_key(db, provider.id, &key)
                .await?
                .ok_or(ApiError::NotFound);
        }
        Err(e) => return Err(e.into()),
    };
    // Several hundred rows per statement, well within SQLite's bound on parameters.
    let models: Vec<customer_import_row::ActiveModel> = rows
        .into_iter()
        .enumerate()
        .map(|(index, (line, data))| customer_import_row::ActiveModel {
            import_id: Set(import.id),
            row_index: Set(index as i32),
            line: Set(line),
            data: Set(serde_json::to_string(&data).unwrap_or_default()),
            status: Set(RowStatus::Pending),
            customer_id: Set(None),
            errors: Set(None),
            ..Default::default()
        })
        .collect();
    for chunk in models.chunks(500) {
        customer_import_row::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    settings.wake.notify_one();
    tracing::info!(
        import = import.id,
        provider = provider.id,
        rows = import.total_rows,
        "customer import queued"
    );
    Ok(import)
}

/// JSON rows: the same bounds as a file's, each at its own field.
fn json_rows(rows: Vec<RowData>, settings: &ImportSettings) -> ApiResult<Vec<(i32, RowData)>> {
    if rows.is_empty() || rows.len() > settings.max_rows {
        return Err(ApiError::user(
            UserErrorCode::OutOfRange,
            &["input", "rows"],
            msg!("error-import-too-many-rows", max = settings.max_rows),
        ));
    }
    for (index, row) in rows.iter().enumerate() {
        for (column, value) in super::columns::COLUMNS.iter().zip(&row.0) {
            if value.chars().count() > settings.max_field_chars {
                let index = index.to_string();
                return Err(ApiError::user(
                    UserErrorCode::OutOfRange,
                    &["input", "rows", &index, column],
                    msg!(
                        "error-import-value-too-long",
                        max = settings.max_field_chars
                    ),
                ));
            }
        }
    }
    // A JSON row's "line" is its 1-based position, as if it followed a header line.
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| (i as i32 + 2, row))
        .collect())
}

async fn by_key<C: ConnectionTrait>(
    db: &C,
    provider_id: i32,
    key: &str,
) -> ApiResult<Option<customer_import::Model>> {
    Ok(customer_import::Entity::find()
        .filter(customer_import::Column::ProviderId.eq(provider_id))
        .filter(customer_import::Column::IdempotencyKey.eq(key))
        .one(db)
        .await?)
}

/// The caller's provider organization (any role reads its imports).
pub fn provider_of(actor: &Actor) -> ApiResult<i32> {
    match &actor.partner {
        Some(p) if p.kind == entity::enums::PartnerKind::IndirectProvider => Ok(p.id),
        _ => Err(ApiError::Forbidden("PROVIDER_ONLY")),
    }
}

/// A provider's imports, newest first.
pub fn list(provider_id: i32) -> Select<customer_import::Entity> {
    customer_import::Entity::find().filter(customer_import::Column::ProviderId.eq(provider_id))
}

/// One import of the provider: another provider's answers as a missing one.
pub async fn own<C: ConnectionTrait>(
    db: &C,
    provider_id: i32,
    id: i32,
) -> ApiResult<customer_import::Model> {
    customer_import::Entity::find_by_id(id)
        .filter(customer_import::Column::ProviderId.eq(provider_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// An import's rows (paged in file order), optionally only the failed ones.
pub fn rows(import_id: i32, failed_only: bool) -> Select<customer_import_row::Entity> {
    let mut select = customer_import_row::Entity::find()
        .filter(customer_import_row::Column::ImportId.eq(import_id));
    if failed_only {
        select = select.filter(customer_import_row::Column::Status.eq(RowStatus::Failed));
    }
    select
}
