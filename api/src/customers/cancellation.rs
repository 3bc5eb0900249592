//! `cancelSubscription`: ACTIVE or SUSPENDED -> CANCELLED, by the provider or a reseller
//! whose relationships grant `SUBSCRIPTION_MANAGER`. The subscription's designations end
//! with it: no partner of record, and the provider itself as support contact (the field is
//! never empty), so a cancelled subscription keeps no reseller in use. Only until the
//! term's cancellation window closes (`terms::service::Window`).

use super::subscriptions::{administered, audit_subscription, changed_meanwhile, invalid_state};
use crate::audit::Who;
use crate::auth::Actor;
use crate::error::ApiResult;
use chrono::Utc;
use entity::enums::SubscriptionStatus;
use entity::event_type::EventType;
use entity::subscription;
use migration::database::begin_write;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use worker::msg;

pub async fn cancel(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    subscription_id: i32,
    window: crate::terms::service::Window,
) -> ApiResult<subscription::Model> {
    let txn = begin_write(db).await?;
    let (sub, cust, _) = administered(&txn, actor, subscription_id).await?;
    if sub.status == SubscriptionStatus::Cancelled {
        return Err(invalid_state(msg!("error-subscription-cancelled")));
    }
    // Only within the term's cancellation window (issue 24).
    window.require_open(&sub, &["input", "subscriptionId"])?;
    let cancelled = subscription::Entity::update_many()
        .col_expr(
            subscription::Column::Status,
            Expr::value(SubscriptionStatus::Cancelled),
        )
        .col_expr(
            subscription::Column::PartnerOfRecordId,
            Expr::value(Option::<i32>::None),
        )
        .col_expr(
            subscription::Column::SupportContactPartnerId,
            Expr::value(cust.provider_id),
        )
        .col_expr(subscription::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(subscription::Column::Id.eq(sub.id))
        .filter(subscription::Column::Status.ne(SubscriptionStatus::Cancelled))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !cancelled {
        return Err(changed_meanwhile());
    }
    audit_subscription(
        &txn,
        who,
        &cust,
        EventType::SubscriptionCancelled,
        sub.id,
        msg!("audit-subscription-cancelled"),
    )
    .await?;
    let updated = subscription::Entity::find_by_id(sub.id)
        .one(&txn)
        .await?
        .ok_or(crate::error::ApiError::NotFound)?;
    txn.commit().await?;
    Ok(updated)
}
