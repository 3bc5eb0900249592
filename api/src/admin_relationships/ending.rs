//! Ending and changing a relationship: any party terminates it at once; the provider
//! switches auto-extension. Also who may read one.

use super::lifecycle;
use super::service::validate;
use crate::audit::Who;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::graphql::user_error::UserErrorCode;
use chrono::Utc;
use entity::admin_relationship::{self as rel, Column, Entity};
use entity::customer;
use entity::enums::{AdminRelationshipStatus as Status, AdminRole, UserRole};
use entity::event_type::EventType;
use migration::database::begin_write;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};
use worker::msg;

/// A relationship visible to the caller: its provider's and its reseller's users and the
/// customer's own users, in every status. Others get `NOT_FOUND`.
pub async fn find_visible<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i32,
) -> ApiResult<rel::Model> {
    let found = Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mine = actor.partner_id();
    let visible = mine == Some(found.provider_id)
        || mine == Some(found.reseller_id)
        || actor.user.customer_id == Some(found.customer_id);
    if visible {
        Ok(found)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Who may end it: the provider (ADMIN or SALES_AGENT), the reseller's ADMIN, the
/// customer's admin.
fn may_terminate(actor: &Actor, found: &rel::Model) -> bool {
    let role = actor.user.role;
    match actor.partner_id() {
        Some(p) if p == found.provider_id => matches!(role, UserRole::Admin | UserRole::SalesAgent),
        Some(p) if p == found.reseller_id => role == UserRole::Admin,
        _ => actor.user.customer_id == Some(found.customer_id) && role == UserRole::CustomerAdmin,
    }
}

/// Any party ends a PENDING_APPROVAL or ACTIVE relationship at once. The customer row is
/// locked for update first (the tenant ownership may go with it), then the relationship:
/// a reseller's write that holds them share-locked finishes first; one that comes later
/// finds the relationship TERMINATED and gets nothing from it.
pub async fn terminate(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    id: i32,
) -> ApiResult<rel::Model> {
    let found = find_visible(db, actor, id).await?;
    if !may_terminate(actor, &found) {
        return Err(ApiError::Forbidden("CANNOT_ADMINISTER"));
    }
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let cust = customer::Entity::find_by_id(found.customer_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let ended = Entity::update_many()
        .col_expr(Column::Status, Expr::value(Status::Terminated))
        .col_expr(Column::TerminatedAt, Expr::value(Some(now)))
        .col_expr(Column::TokenHash, Expr::value(Option::<String>::None))
        .filter(Column::Id.eq(found.id))
        .filter(Column::Status.is_in([Status::PendingApproval, Status::Active]))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !ended {
        return Err(ApiError::user(
            UserErrorCode::InvalidState,
            &["input", "relationshipId"],
            msg!("error-admin-relationship-ended"),
        ));
    }
    let updated = Entity::find_by_id(found.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if let Some(email) = found.outbound_email_id {
        worker::delivery::cancel(&txn, email, "the relationship was terminated").await?;
    }
    lifecycle::record(
        &txn,
        who,
        &updated,
        EventType::AdminRelationshipTerminated,
        msg!(
            "audit-admin-relationship-terminated",
            customer = &cust.company_name
        ),
    )
    .await?;
    for revoked in lifecycle::after_end(&txn, &[cust.id], now).await? {
        super::offboarding::record_revoked(
            &txn,
            who,
            revoked,
            &cust.company_name,
            found.reseller_id,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// The provider switches auto-extension of a PENDING_APPROVAL or ACTIVE relationship.
pub async fn update(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    id: i32,
    auto_extend: bool,
) -> ApiResult<rel::Model> {
    let found = find_visible(db, actor, id).await?;
    if actor.partner_id() != Some(found.provider_id) {
        return Err(ApiError::Forbidden("PROVIDER_ONLY"));
    }
    if !matches!(actor.user.role, UserRole::Admin | UserRole::SalesAgent) {
        return Err(ApiError::Forbidden("SALES_ONLY"));
    }
    validate(
        &AdminRole::load(&found.roles),
        found.duration_days,
        auto_extend,
    )?;
    let txn = begin_write(db).await?;
    // An ACTIVE relationship past its end is over even before the worker says so: switching
    // auto-extension on must not bring it back.
    let open = sea_orm::Condition::any()
        .add(Column::Status.eq(Status::PendingApproval))
        .add(super::access::in_force(Utc::now()));
    let changed = Entity::update_many()
        .col_expr(Column::AutoExtend, Expr::value(auto_extend))
        .col_expr(Column::RemindedDays, Expr::value(Option::<i32>::None))
        .filter(Column::Id.eq(found.id))
        .filter(open)
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !changed {
        return Err(ApiError::user(
            UserErrorCode::InvalidState,
            &["input", "relationshipId"],
            msg!("error-admin-relationship-ended"),
        ));
    }
    let updated = Entity::find_by_id(found.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let summary = if auto_extend {
        msg!("audit-admin-relationship-auto-extend-on")
    } else {
        msg!("audit-admin-relationship-auto-extend-off")
    };
    lifecycle::record(
        &txn,
        who,
        &updated,
        EventType::AdminRelationshipUpdated,
        summary,
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}
