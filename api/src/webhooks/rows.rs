//! Finding an organization's endpoints and deliveries (another organization's answer
//! `NOT_FOUND`), and the locks that keep concurrent changes of them apart on PostgreSQL.

use crate::error::{ApiError, ApiResult};
use entity::{webhook_delivery, webhook_endpoint};
use sea_orm::sea_query::LockType;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect, Statement,
};

/// The organization's endpoint, or `NOT_FOUND`.
pub async fn own_endpoint<C: ConnectionTrait>(
    db: &C,
    partner_id: i32,
    endpoint_id: i32,
) -> ApiResult<webhook_endpoint::Model> {
    find_own(db, partner_id, endpoint_id, None).await
}

/// [`own_endpoint`], its row locked until the transaction ends (PostgreSQL; SQLite writers
/// run one at a time): `NoKeyUpdate` before changing it, `KeyShare` before writing rows
/// that refer to it. An endpoint deleted meanwhile answers `NOT_FOUND` once the deletion
/// commits, instead of a write that finds no row or breaks a foreign key.
pub(super) async fn find_own<C: ConnectionTrait>(
    db: &C,
    partner_id: i32,
    endpoint_id: i32,
    lock: Option<LockType>,
) -> ApiResult<webhook_endpoint::Model> {
    let mut select = webhook_endpoint::Entity::find_by_id(endpoint_id)
        .filter(webhook_endpoint::Column::PartnerId.eq(partner_id));
    if let Some(lock) = lock {
        select = select.lock(lock);
    }
    select.one(db).await?.ok_or(ApiError::NotFound)
}

/// Serializes the changes of one organization's set of endpoints (registering under the
/// cap, deleting): a PostgreSQL advisory lock until the transaction ends, taken first. It
/// makes the cap hold under concurrent registrations, and keeps two deletions from each
/// waiting for the other's fan-out (each locks the endpoints it delivers to, see
/// `entity::audit_entry::fan_out_insert`). A lock of its own rather than the partner row's,
/// so nothing else that writes the organization queues behind it. SQLite writers already
/// run one at a time (`begin_write`).
pub(super) async fn lock_endpoints<C: ConnectionTrait>(txn: &C, partner_id: i32) -> ApiResult<()> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1, $2)",
            [ENDPOINTS_LOCK.into(), partner_id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// The first key of [`lock_endpoints`]'s advisory locks (any number no other lock uses).
const ENDPOINTS_LOCK: i32 = 0x5745_4248; // "WEBH"

/// A delivery of one of the organization's endpoints, or `NOT_FOUND`.
pub async fn own_delivery<C: ConnectionTrait>(
    db: &C,
    partner_id: i32,
    delivery_id: i32,
) -> ApiResult<webhook_delivery::Model> {
    let found = webhook_delivery::Entity::find_by_id(delivery_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    own_endpoint(db, partner_id, found.endpoint_id).await?;
    Ok(found)
}
