//! The customer's answer: the approval page's preview (`by_token`), then approve (ACTIVE,
//! `endsAt` = approval + duration) or decline, with the single-use token of the emailed
//! link. Of concurrent answers exactly one wins.

use super::lifecycle;
use crate::audit::Who;
use crate::auth::{Actor, token};
use crate::customers::access;
use crate::customers::eligibility::require_active_partner;
use crate::error::{ApiError, ApiResult};
use crate::graphql::user_error::UserErrorCode;
use chrono::{Duration, Utc};
use entity::admin_relationship::{self as rel, Column, Entity};
use entity::enums::{AdminRelationshipStatus as Status, UserRole};
use entity::event_type::EventType;
use migration::database::begin_write;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use worker::msg;

fn invalid_token() -> ApiError {
    ApiError::user(
        UserErrorCode::InvalidToken,
        &["input", "token"],
        msg!("error-admin-relationship-token"),
    )
}

/// The customer's signed-in admin, and its customer.
fn customer_admin(actor: &Actor) -> ApiResult<i32> {
    actor
        .user
        .customer_id
        .filter(|_| actor.user.role == UserRole::CustomerAdmin)
        .ok_or(ApiError::Forbidden("CUSTOMER_ADMIN_ONLY"))
}

/// The pending relationship a link's token names, for the signed-in customer's admin (the
/// approval page's preview); `INVALID_TOKEN` for a used, expired or foreign token.
pub async fn by_token<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    token_text: &str,
) -> ApiResult<rel::Model> {
    let own = customer_admin(actor)?;
    Entity::find()
        .filter(Column::TokenHash.eq(token::hash(token_text.trim())))
        .filter(Column::CustomerId.eq(own))
        .filter(Column::Status.eq(Status::PendingApproval))
        .filter(Column::ApprovalExpiresAt.gt(Utc::now()))
        .one(db)
        .await?
        .ok_or_else(invalid_token)
}

/// The customer's admin approves (ACTIVE, `endsAt` = now + duration) or declines. Single
/// use: of concurrent answers exactly one wins, the others get `INVALID_TOKEN`.
pub async fn answer(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    token_text: &str,
    approve: bool,
) -> ApiResult<rel::Model> {
    let found = by_token(db, actor, token_text).await?;
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let (cust, _) = access::lock_customer(&txn, actor, found.customer_id).await?;
    if approve {
        // A reseller no longer partnered (or suspended) cannot be approved.
        require_active_partner(
            &txn,
            found.provider_id,
            found.reseller_id,
            &["input", "token"],
        )
        .await?;
    }
    let mut update = Entity::update_many()
        .col_expr(Column::TokenHash, Expr::value(Option::<String>::None))
        .filter(Column::Id.eq(found.id))
        .filter(Column::Status.eq(Status::PendingApproval))
        .filter(Column::ApprovalExpiresAt.gt(now));
    update = if approve {
        update
            .col_expr(Column::Status, Expr::value(Status::Active))
            .col_expr(Column::ApprovedAt, Expr::value(Some(now)))
            .col_expr(
                Column::EndsAt,
                Expr::value(Some(now + Duration::days(i64::from(found.duration_days)))),
            )
    } else {
        update
            .col_expr(Column::Status, Expr::value(Status::Declined))
            .col_expr(Column::TerminatedAt, Expr::value(Some(now)))
    };
    if update.exec(&txn).await?.rows_affected != 1 {
        return Err(invalid_token());
    }
    let updated = Entity::find_by_id(found.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if let Some(email) = found.outbound_email_id {
        worker::delivery::cancel(&txn, email, "the relationship was answered").await?;
    }
    let (action, summary) = if approve {
        lifecycle::refresh_reseller(&txn, &[cust.id]).await?;
        (
            EventType::AdminRelationshipApproved,
            msg!(
                "audit-admin-relationship-approved",
                customer = &cust.company_name,
                days = found.duration_days
            ),
        )
    } else {
        (
            EventType::AdminRelationshipDeclined,
            msg!(
                "audit-admin-relationship-declined",
                customer = &cust.company_name
            ),
        )
    };
    lifecycle::record(&txn, who, &updated, action, summary).await?;
    txn.commit().await?;
    Ok(updated)
}
