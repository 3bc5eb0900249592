//! Changing subscriptions: quantities, suspension, upgrades, partner of record, support
//! contact and the Azure tenant owner (new orders are in `ordering`). The provider and the
//! customer's delegated reseller administer; only the provider designates resellers.

use super::access::{self, Standing};
use super::onboarding::{ordering_provider, require_active_partner};
use super::orders;
use super::pricing;
use crate::audit::{self, Change, Who};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::NodeType;
use crate::graphql::user_error::UserErrorCode;
use chrono::Utc;
use entity::enums::{OrderLineKind, SubscriptionStatus};
use entity::{customer, offer, offer_country, offer_upgrade, order, subscription};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, Set, TransactionTrait,
};

/// A subscription the caller may administer (provider or delegated reseller, ADMIN or
/// SALES_AGENT). Readers who may not change it get FORBIDDEN; others NOT_FOUND.
async fn administered<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    subscription_id: i32,
) -> ApiResult<(subscription::Model, customer::Model, Standing)> {
    let (sub, cust, standing) = access::find_subscription(db, actor, subscription_id).await?;
    match standing {
        Some(s) if access::may_administer(actor, s) => Ok((sub, cust, s)),
        _ => Err(ApiError::Forbidden("CANNOT_ADMINISTER")),
    }
}

/// The provider side only (designating resellers).
async fn provider_owned<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    subscription_id: i32,
) -> ApiResult<(subscription::Model, customer::Model)> {
    let (sub, cust, standing) = administered(db, actor, subscription_id).await?;
    if standing != Standing::Provider {
        return Err(ApiError::Forbidden("PROVIDER_ONLY"));
    }
    Ok((sub, cust))
}

fn invalid_state(message: &str) -> ApiError {
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
) -> ApiResult<(subscription::Model, order::Model)> {
    let (sub, cust, _) = administered(db, actor, subscription_id).await?;
    if sub.status != SubscriptionStatus::Active {
        return Err(invalid_state(
            "Only an ACTIVE subscription's quantity can change.",
        ));
    }
    let offer = offer_of(db, sub.offer_id).await?;
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
            "The subscription already has this many licenses.",
        ));
    }
    let change = quantity - sub.quantity;
    let kind = if change > 0 {
        OrderLineKind::AddQuantity
    } else {
        OrderLineKind::RemoveQuantity
    };
    let txn = db.begin().await?;
    // The first write is conditional on what was read: a concurrent change, suspension or
    // upgrade makes it miss, and the order line always matches the real change.
    let written = subscription::Entity::update_many()
        .col_expr(subscription::Column::Quantity, Expr::value(quantity))
        .col_expr(subscription::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(subscription::Column::Id.eq(sub.id))
        .filter(subscription::Column::Status.eq(SubscriptionStatus::Active))
        .filter(subscription::Column::Quantity.eq(sub.quantity))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !written {
        return Err(changed_meanwhile());
    }
    let updated = subscription::Entity::find_by_id(sub.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
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
        "subscription.quantity_changed",
        updated.id,
        format!(
            "{} licenses of {} (was {})",
            quantity, offer.name, sub.quantity
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

async fn audit_subscription<C: ConnectionTrait>(
    db: &C,
    who: &Who,
    cust: &customer::Model,
    action: &'static str,
    subscription_id: i32,
    summary: String,
) -> ApiResult<()> {
    audit::record(
        db,
        who,
        Change {
            action,
            target: NodeType::Subscription,
            target_id: subscription_id,
            summary: format!("{}: {summary}", cust.company_name),
            subject_partner_id: other_party(who, cust),
        },
    )
    .await
}

pub(super) fn changed_meanwhile() -> ApiError {
    ApiError::user(
        UserErrorCode::InvalidState,
        &["input", "subscriptionId"],
        "The subscription changed meanwhile; reload it and try again.",
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
    let (sub, cust, _) = administered(db, actor, subscription_id).await?;
    let txn = db.begin().await?;
    let (from, to) = if suspend {
        (SubscriptionStatus::Active, SubscriptionStatus::Suspended)
    } else {
        (SubscriptionStatus::Suspended, SubscriptionStatus::Active)
    };
    let changed = subscription::Entity::update_many()
        .col_expr(subscription::Column::Status, Expr::value(to))
        .col_expr(subscription::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(subscription::Column::Id.eq(sub.id))
        .filter(subscription::Column::Status.eq(from))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !changed {
        return Err(invalid_state(if suspend {
            "Only an ACTIVE subscription can be suspended."
        } else {
            "Only a SUSPENDED subscription can be reactivated."
        }));
    }
    let (action, summary) = if suspend {
        ("subscription.suspended", "subscription suspended")
    } else {
        ("subscription.reactivated", "subscription reactivated")
    };
    audit_subscription(&txn, who, &cust, action, sub.id, summary.to_owned()).await?;
    let updated = subscription::Entity::find_by_id(sub.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    txn.commit().await?;
    Ok(updated)
}

/// Moves the licenses to one of the offer's upgrade targets: the target subscription is
/// created, the source cancelled, one UPGRADE line recorded.
pub async fn upgrade(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    subscription_id: i32,
    target_offer_id: i32,
) -> ApiResult<(subscription::Model, order::Model)> {
    let txn = db.begin().await?;
    let (source, cust, _) = administered(&txn, actor, subscription_id).await?;
    if source.status != SubscriptionStatus::Active {
        return Err(invalid_state(
            "Only an ACTIVE subscription can be upgraded.",
        ));
    }
    let field: &[&str] = &["input", "targetOfferId"];
    let allowed = offer_upgrade::Entity::find_by_id((source.offer_id, target_offer_id))
        .one(db)
        .await?
        .is_some();
    if !allowed {
        return Err(ApiError::user(
            UserErrorCode::NotAnUpgradeTarget,
            field,
            "This offer is not an upgrade of the subscription's offer; see its upgradeTargets.",
        ));
    }
    let target = offer_of(db, target_offer_id).await?;
    let sold = offer_country::Entity::find_by_id((target.id, cust.country.clone()))
        .one(db)
        .await?
        .is_some();
    if !sold {
        return Err(ApiError::user(
            UserErrorCode::OfferNotAvailable,
            field,
            format!("{} is not sold in {}.", target.name, cust.country),
        ));
    }
    if let Some(why) = pricing::quantity_problem(&target, source.quantity) {
        return Err(ApiError::user(UserErrorCode::OutOfRange, field, why));
    }
    let now = Utc::now();
    let txn = db.begin().await?;
    // Cancel first, only if nothing changed since the checks: of concurrent upgrades,
    // suspensions and quantity changes exactly one goes through.
    let cancelled = subscription::Entity::update_many()
        .col_expr(
            subscription::Column::Status,
            Expr::value(SubscriptionStatus::Cancelled),
        )
        .col_expr(subscription::Column::UpdatedAt, Expr::value(now))
        .filter(subscription::Column::Id.eq(source.id))
        .filter(subscription::Column::Status.eq(SubscriptionStatus::Active))
        .filter(subscription::Column::Quantity.eq(source.quantity))
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
        "subscription.upgraded",
        upgraded.id,
        format!(
            "upgraded to {} ({} licenses)",
            target.name, upgraded.quantity
        ),
    )
    .await?;
    txn.commit().await?;
    Ok((upgraded, order))
}

/// Provider only: the reseller credited for incentives, or none.
pub async fn set_partner_of_record(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    subscription_id: i32,
    reseller_id: Option<i32>,
) -> ApiResult<subscription::Model> {
    let (sub, cust) = provider_owned(db, actor, subscription_id).await?;
    if let Some(reseller) = reseller_id {
        require_active_partner(
            db,
            cust.provider_id,
            reseller,
            &["input", "partnerOfRecordId"],
        )
        .await?;
    }
    let mut active = sub.into_active_model();
    active.partner_of_record_id = Set(reseller_id);
    active.updated_at = Set(Utc::now());
    let txn = db.begin().await?;
    let updated = active.update(&txn).await?;
    audit_subscription(
        &txn,
        who,
        &cust,
        "subscription.partner_of_record_set",
        updated.id,
        format!(
            "partner of record set to {:?}",
            reseller_id.map(|id| entity::audit_entry::global_id("Partner", id))
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Provider only: the designated support contact, the provider itself or an ACTIVE partner
/// reseller. `None` gives support back to the provider.
pub async fn set_support_contact(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    subscription_id: i32,
    partner_id: Option<i32>,
) -> ApiResult<subscription::Model> {
    let (sub, cust) = provider_owned(db, actor, subscription_id).await?;
    let contact = partner_id.unwrap_or(cust.provider_id);
    if contact != cust.provider_id {
        require_active_partner(
            db,
            cust.provider_id,
            contact,
            &["input", "supportContactId"],
        )
        .await?;
    }
    let mut active = sub.into_active_model();
    active.support_contact_partner_id = Set(contact);
    active.updated_at = Set(Utc::now());
    let txn = db.begin().await?;
    let updated = active.update(&txn).await?;
    audit_subscription(
        &txn,
        who,
        &cust,
        "subscription.support_contact_set",
        updated.id,
        format!(
            "support contact set to {}",
            entity::audit_entry::global_id("Partner", contact)
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Provider (ADMIN or SALES_AGENT): gives the customer's associated reseller the tenant-owner
/// role on an Azure customer (one holding a live Azure subscription).
pub async fn grant_azure_tenant_owner(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    customer_id: i32,
) -> ApiResult<customer::Model> {
    let (cust, standing) = access::find_customer(db, actor, customer_id).await?;
    let provider = ordering_provider(actor)?;
    if standing != Standing::Provider || cust.provider_id != provider.id {
        return Err(ApiError::Forbidden("PROVIDER_ONLY"));
    }
    let field: &[&str] = &["input", "customerId"];
    let Some(reseller) = cust.reseller_id else {
        return Err(ApiError::user(
            UserErrorCode::NoAssociatedReseller,
            field,
            "Associate a reseller with this customer first.",
        ));
    };
    require_active_partner(db, provider.id, reseller, field).await?;
    let azure = subscription::Entity::find()
        .find_also_related(offer::Entity)
        .filter(subscription::Column::CustomerId.eq(cust.id))
        .filter(subscription::Column::Status.ne(SubscriptionStatus::Cancelled))
        .all(db)
        .await?
        .into_iter()
        .any(|(_, o)| o.is_some_and(|o| o.category == entity::enums::OfferCategory::Azure));
    if !azure {
        return Err(ApiError::user(
            UserErrorCode::NotAnAzureCustomer,
            field,
            "Only a customer with an Azure subscription has an Azure tenant to own.",
        ));
    }
    let mut active = cust.into_active_model();
    active.azure_tenant_owner_id = Set(Some(reseller));
    let txn = db.begin().await?;
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        who,
        Change {
            action: "customer.azure_tenant_owner_granted",
            target: NodeType::Customer,
            target_id: updated.id,
            summary: format!("{}: Azure tenant owner role granted", updated.company_name),
            subject_partner_id: Some(reseller),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}
