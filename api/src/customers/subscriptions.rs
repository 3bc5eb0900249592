//! Changing subscriptions: quantities, suspension and upgrades (new orders are in
//! `ordering`, reseller designations in `designations`). The provider and the customer's
//! delegated reseller administer.
//!
//! Each change runs in one write transaction that locks the subscription (and share-locks
//! its customer) before checking anything, so concurrent changes of one subscription run
//! one after the other and each sees what the previous one wrote.

use super::access::{self, Standing};
use super::orders;
use super::pricing;
use crate::audit::{self, Change, Who};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::NodeType;
use crate::graphql::user_error::UserErrorCode;
use chrono::Utc;
use entity::enums::{AdminRole, OrderLineKind, SubscriptionStatus};
use entity::event_type::EventType;
use entity::{customer, offer, offer_country, offer_upgrade, order, subscription};
use migration::database::begin_write;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, Set,
};
use worker::i18n::Message;
use worker::msg;

/// In a write transaction: a subscription the caller may administer (provider, or a
/// reseller whose relationships grant `SUBSCRIPTION_MANAGER`; ADMIN or SALES_AGENT),
/// locked. Readers who may not change it get FORBIDDEN (`MISSING_ADMIN_ROLE` for a
/// reseller without the role); others NOT_FOUND.
pub(crate) async fn administered(
    txn: &DatabaseTransaction,
    actor: &Actor,
    subscription_id: i32,
) -> ApiResult<(subscription::Model, customer::Model, Standing)> {
    let (sub, cust, standing) = access::lock_subscription(txn, actor, subscription_id).await?;
    let Some(standing) = standing else {
        return Err(ApiError::Forbidden("CANNOT_ADMINISTER"));
    };
    crate::admin_relationships::access::check(actor, standing, AdminRole::SubscriptionManager)?;
    Ok((sub, cust, standing))
}

pub(crate) fn invalid_state(message: Message) -> ApiError {
    ApiError::user(
        UserErrorCode::InvalidState,
        &["input", "subscriptionId"],
        message,
    )
}

pub(super) async fn offer_of<C: ConnectionTrait>(db: &C, offer_id: i32) -> ApiResult<offer::Model> {
    offer::Entity::find_by_id(offer_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

pub async fn update_quantity(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    subscription_id: i32,
    quantity: i32,
    window: crate::terms::service::Window,
) -> ApiResult<(subscription::Model, order::Model)> {
    let txn = begin_write(db).await?;
    let (sub, cust, _) = administered(&txn, actor, subscription_id).await?;
    if sub.status != SubscriptionStatus::Active {
        return Err(invalid_state(msg!("error-quantity-active-only")));
    }
    // Fewer licenses only within the term's cancellation window; more at any time.
    if quantity < sub.quantity {
        window.require_open(&sub, &["input", "quantity"])?;
    }
    let offer = offer_of(&txn, sub.offer_id).await?;
    if let Some(why) = pricing::quantity_problem(&offer, quantity) {
        return Err(ApiError::user(
            UserErrorCode::OutOfRange,
            &["input", "quantity"],
            why,
        ));
    }
    if quantity == sub.quantity {
        return Err(ApiError::user(
            UserErrorCode::Invalid,
            &["input", "quantity"],
            msg!("error-same-quantity"),
        ));
    }
    let change = quantity - sub.quantity;
    let kind = if change > 0 {
        OrderLineKind::AddQuantity
    } else {
        OrderLineKind::RemoveQuantity
    };
    let mut active: subscription::ActiveModel = sub.clone().into();
    active.quantity = Set(quantity);
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    let order = orders::record(
        &txn,
        actor,
        &cust,
        &[orders::Change {
            kind,
            subscription: &updated,
            offer: &offer,
            quantity_change: change,
        }],
    )
    .await?;
    audit_subscription(
        &txn,
        who,
        &cust,
        EventType::SubscriptionQuantityChanged,
        updated.id,
        msg!(
            "audit-subscription-quantity",
            quantity = quantity,
            offer = &offer.name,
            was = sub.quantity
        ),
    )
    .await?;
    txn.commit().await?;
    Ok((updated, order))
}

/// The other organization involved with a customer: the reseller when the provider acts,
/// the provider when the reseller does. It sees the audit entry too.
pub fn other_party(who: &Who, cust: &customer::Model) -> Option<i32> {
    if who.partner_id == Some(cust.provider_id) {
        cust.reseller_id
    } else {
        Some(cust.provider_id)
    }
}

pub(crate) async fn audit_subscription<C: ConnectionTrait>(
    db: &C,
    who: &Who,
    cust: &customer::Model,
    action: EventType,
    subscription_id: i32,
    summary: Message,
) -> ApiResult<()> {
    audit::record(
        db,
        who,
        Change {
            action,
            target: NodeType::Subscription,
            target_id: subscription_id,
            summary: summary.arg("customer", &cust.company_name),
            subject_partner_id: other_party(who, cust),
        },
    )
    .await
}

pub(super) fn changed_meanwhile() -> ApiError {
    ApiError::user(
        UserErrorCode::InvalidState,
        &["input", "subscriptionId"],
        msg!("error-subscription-changed"),
    )
}

/// ACTIVE -> SUSPENDED (`suspend`) or SUSPENDED -> ACTIVE.
pub async fn set_suspended(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    subscription_id: i32,
    suspend: bool,
) -> ApiResult<subscription::Model> {
    let txn = begin_write(db).await?;
    let (sub, cust, _) = administered(&txn, actor, subscription_id).await?;
    let (from, to) = if suspend {
        (SubscriptionStatus::Active, SubscriptionStatus::Suspended)
    } else {
        (SubscriptionStatus::Suspended, SubscriptionStatus::Active)
    };
    if sub.status != from {
        return Err(invalid_state(if suspend {
            msg!("error-suspend-active-only")
        } else {
            msg!("error-reactivate-suspended-only")
        }));
    }
    let mut active: subscription::ActiveModel = sub.into();
    active.status = Set(to);
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    let (action, summary) = if suspend {
        (
            EventType::SubscriptionSuspended,
            msg!("audit-subscription-suspended"),
        )
    } else {
        (
            EventType::SubscriptionReactivated,
            msg!("audit-subscription-reactivated"),
        )
    };
    audit_subscription(&txn, who, &cust, action, updated.id, summary).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Moves the licenses to one of the offer's upgrade targets: the target subscription is
/// created, the source cancelled, one UPGRADE line recorded, all in one transaction on one
/// connection.
pub async fn upgrade(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    subscription_id: i32,
    target_offer_id: i32,
) -> ApiResult<(subscription::Model, order::Model)> {
    let txn = begin_write(db).await?;
    let (source, cust, _) = administered(&txn, actor, subscription_id).await?;
    if source.status != SubscriptionStatus::Active {
        return Err(invalid_state(msg!("error-upgrade-active-only")));
    }
    let field: &[&str] = &["input", "targetOfferId"];
    let allowed = offer_upgrade::Entity::find_by_id((source.offer_id, target_offer_id))
        .one(&txn)
        .await?
        .is_some();
    if !allowed {
        return Err(ApiError::user(
            UserErrorCode::NotAnUpgradeTarget,
            field,
            msg!("error-not-upgrade-target"),
        ));
    }
    let target = offer_of(&txn, target_offer_id).await?;
    let sold = offer_country::Entity::find_by_id((target.id, cust.country.clone()))
        .one(&txn)
        .await?
        .is_some();
    if !sold {
        return Err(ApiError::user(
            UserErrorCode::OfferNotAvailable,
            field,
            msg!(
                "error-not-sold-in",
                offer = &target.name,
                country = &cust.country
            ),
        ));
    }
    if let Some(why) = pricing::quantity_problem(&target, source.quantity) {
        return Err(ApiError::user(UserErrorCode::OutOfRange, field, why));
    }
    let now = Utc::now();
    let cancelled = subscription::Entity::update_many()
        .col_expr(
            subscription::Column::Status,
            Expr::value(SubscriptionStatus::Cancelled),
        )
        .col_expr(subscription::Column::UpdatedAt, Expr::value(now))
        .filter(subscription::Column::Id.eq(source.id))
        .filter(subscription::Column::Status.eq(SubscriptionStatus::Active))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !cancelled {
        return Err(changed_meanwhile());
    }
    let upgraded = subscription::ActiveModel {
        customer_id: Set(cust.id),
        offer_id: Set(target.id),
        quantity: Set(source.quantity),
        status: Set(SubscriptionStatus::Active),
        partner_of_record_id: Set(source.partner_of_record_id),
        support_contact_partner_id: Set(source.support_contact_partner_id),
        upgraded_from_id: Set(Some(source.id)),
        created_at: Set(now),
        updated_at: Set(now),
        // An upgrade is a new purchase: the target's default term from now, renewing as
        // the source did.
        term: Set(target.default_term()),
        term_started_at: Set(crate::terms::service::whole_millis(now)),
        term_ends_at: Set(target
            .default_term()
            .end_of_term_from(crate::terms::service::whole_millis(now))),
        auto_renew: Set(source.auto_renew),
        term_number: Set(1),
        term_reminded_days: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let order = orders::record(
        &txn,
        actor,
        &cust,
        &[orders::Change {
            kind: OrderLineKind::Upgrade,
            subscription: &upgraded,
            offer: &target,
            quantity_change: upgraded.quantity,
        }],
    )
    .await?;
    audit_subscription(
        &txn,
        who,
        &cust,
        EventType::SubscriptionUpgraded,
        upgraded.id,
        msg!(
            "audit-subscription-upgraded",
            offer = &target.name,
            quantity = upgraded.quantity
        ),
    )
    .await?;
    txn.commit().await?;
    Ok((upgraded, order))
}
