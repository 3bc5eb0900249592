//! The single designation of earlier versions, on top of admin relationships: accepting a
//! reseller-relationship request moves the customer to that reseller (its acceptance is
//! the approval of an ACTIVE relationship with the default roles, and other resellers'
//! relationships end, as the designation they replace did).

use super::lifecycle;
use super::service::{MAX_DAYS, insert_active};
use crate::audit::Who;
use crate::error::ApiResult;
use chrono::Utc;
use entity::admin_relationship::{self as rel, Column, Entity};
use entity::customer;
use entity::enums::{AdminRelationshipStatus as Status, AdminRole};
use entity::event_type::EventType;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use worker::msg;

/// In the caller's transaction, with the customer locked for update.
pub async fn move_to(
    txn: &DatabaseTransaction,
    who: &Who,
    cust: &customer::Model,
    reseller_id: i32,
) -> ApiResult<rel::Model> {
    let now = Utc::now();
    let ended = super::lifecycle::update_returning(
        txn,
        Entity::update_many()
            .col_expr(Column::Status, Expr::value(Status::Terminated))
            .col_expr(Column::TerminatedAt, Expr::value(Some(now)))
            .col_expr(Column::TokenHash, Expr::value(Option::<String>::None))
            .filter(Column::CustomerId.eq(cust.id))
            .filter(Column::ResellerId.ne(reseller_id))
            .filter(Column::Status.is_in([Status::PendingApproval, Status::Active])),
    )
    .await?;
    for old in &ended {
        lifecycle::record(
            txn,
            who,
            old,
            EventType::AdminRelationshipTerminated,
            msg!(
                "audit-admin-relationship-terminated",
                customer = &cust.company_name
            ),
        )
        .await?;
    }
    let created =
        insert_active(txn, who, cust, reseller_id, &AdminRole::DEFAULTS, MAX_DAYS).await?;
    for revoked in lifecycle::after_end(txn, &[cust.id], now).await? {
        if let Some(old) = ended.first() {
            super::offboarding::record_revoked(
                txn,
                who,
                revoked,
                &cust.company_name,
                old.reseller_id,
            )
            .await?;
        }
    }
    Ok(created)
}
