//! The end of an import's life through the API: `cancelCustomerImport` stops a queued or
//! running import (the customers created until then stay; the worker finds the import
//! CANCELLED when it next renews its lease and writes nothing more), and
//! `deleteCustomerImport` removes a finished import with its rows and any temporary
//! passwords not downloaded. Both are for the provider's ADMIN and SALES_AGENT users; a
//! foreign id answers as a missing one.

use super::store::{self, Counts};
use crate::audit::{self, Change, Who};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::NodeType;
use crate::graphql::user_error::UserErrorCode;
use chrono::{DateTime, Utc};
use entity::customer_import::{self, ImportStatus};
use entity::enums::UserRole;
use entity::event_type::EventType;
use entity::{customer_import_credential, customer_import_row};
use migration::database::begin_write;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use worker::msg;

const OPEN: [ImportStatus; 2] = [ImportStatus::Queued, ImportStatus::Running];

/// The provider whose imports the caller may end.
fn managing_provider(actor: &Actor) -> ApiResult<i32> {
    let provider = super::service::provider_of(actor)?;
    if !matches!(actor.user.role, UserRole::Admin | UserRole::SalesAgent) {
        return Err(ApiError::Forbidden("SALES_ONLY"));
    }
    Ok(provider)
}

/// `cancelCustomerImport`: QUEUED or RUNNING becomes CANCELLED.
pub async fn cancel(
    db: &DatabaseConnection,
    actor: &Actor,
    who: &Who,
    id: i32,
    now: DateTime<Utc>,
) -> ApiResult<customer_import::Model> {
    let provider = managing_provider(actor)?;
    let txn = begin_write(db).await?;
    // The status in the condition: on PostgreSQL this waits for a batch in progress to
    // commit and then sees what it wrote; the worker's next renewal finds CANCELLED.
    let stopped = customer_import::Entity::update_many()
        .col_expr(
            customer_import::Column::Status,
            Expr::value(ImportStatus::Cancelled),
        )
        .filter(customer_import::Column::Id.eq(id))
        .filter(customer_import::Column::ProviderId.eq(provider))
        .filter(customer_import::Column::Status.is_in(OPEN))
        .exec(&txn)
        .await?;
    let import = super::service::own(&txn, provider, id).await?;
    if stopped.rows_affected != 1 {
        return Err(ApiError::user(
            UserErrorCode::InvalidState,
            &["input", "id"],
            msg!("error-import-already-finished"),
        ));
    }
    let counts = Counts {
        processed: import.processed,
        succeeded: import.succeeded,
        failed: import.failed,
    };
    store::cancel(&txn, who, &import, counts, now).await?;
    txn.commit().await?;
    tracing::info!(import = id, "customer import cancelled");
    super::service::own(db, provider, id).await
}

/// `deleteCustomerImport`: a finished import, its rows and its passwords are gone.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, who: &Who, id: i32) -> ApiResult<()> {
    let provider = managing_provider(actor)?;
    let txn = begin_write(db).await?;
    let import = super::service::own(&txn, provider, id).await?;
    if OPEN.contains(&import.status) {
        return Err(ApiError::user(
            UserErrorCode::InvalidState,
            &["input", "id"],
            msg!("error-import-still-running"),
        ));
    }
    customer_import_credential::Entity::delete_many()
        .filter(customer_import_credential::Column::ImportId.eq(id))
        .exec(&txn)
        .await?;
    customer_import_row::Entity::delete_many()
        .filter(customer_import_row::Column::ImportId.eq(id))
        .exec(&txn)
        .await?;
    // The status again: nothing reopens a finished import, but the condition costs nothing.
    let gone = customer_import::Entity::delete_many()
        .filter(customer_import::Column::Id.eq(id))
        .filter(customer_import::Column::Status.is_not_in(OPEN))
        .exec(&txn)
        .await?;
    if gone.rows_affected != 1 {
        return Err(ApiError::NotFound);
    }
    audit::record(
        &txn,
        who,
        Change {
            action: EventType::CustomerImportDeleted,
            target: NodeType::CustomerImport,
            target_id: id,
            summary: msg!(
                "audit-customer-import-deleted",
                rows = import.total_rows,
                succeeded = import.succeeded
            ),
            subject_partner_id: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
