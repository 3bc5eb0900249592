//! Who may see and change a customer and its subscriptions:
//! - the provider that created it: everything (ADMIN and SALES_AGENT change, HELPDESK reads);
//! - a reseller with an ACTIVE admin relationship in force on it: what the relationships'
//!   roles allow (`admin_relationships::access`);
//! - the customer's own users: read;
//! - a reseller that is partner of record or support contact of a subscription: reads that
//!   subscription.
//!
//! Platform administrators see partners, offers and profile requests, not customers (the
//! design's visibility table).
//!
//! Anything else is `NOT_FOUND`, like a missing id: a reseller whose relationships are all
//! pending, declined or ended has no standing.
//!
//! The `lock_*` variants are for write transactions: they read the same way, with the
//! customer share-locked (or locked for update: this transaction changes it), the
//! reseller's relationships share-locked (terminating one waits for this write), and a
//! subscription locked for update. Locks are taken in one order everywhere: customer,
//! subscription, admin relationship, partnership, partner.

use crate::admin_relationships::access::{Roles, customers_of, roles_on};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use entity::enums::PartnerKind;
use entity::{customer, subscription};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Provider,
    /// A reseller with ACTIVE admin relationships in force: the union of their roles.
    DelegatedReseller(Roles),
    Customer,
}

impl Standing {
    pub fn is_reseller(self) -> bool {
        matches!(self, Standing::DelegatedReseller(_))
    }
}

/// The caller's standing on the customer, or none. A reseller's is read from its admin
/// relationships (share-locked with `lock`).
pub async fn standing<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    customer: &customer::Model,
    lock: bool,
) -> ApiResult<Option<Standing>> {
    if actor.user.customer_id == Some(customer.id) {
        return Ok(Some(Standing::Customer));
    }
    let Some(partner) = actor.partner.as_ref() else {
        return Ok(None);
    };
    if partner.id == customer.provider_id {
        return Ok(Some(Standing::Provider));
    }
    if partner.kind != PartnerKind::IndirectReseller {
        return Ok(None);
    }
    let roles = roles_on(db, partner.id, customer.id, lock).await?;
    Ok((!roles.is_empty()).then_some(Standing::DelegatedReseller(roles)))
}

pub async fn find_customer<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    customer_id: i32,
) -> ApiResult<(customer::Model, Standing)> {
    let found = customer::Entity::find_by_id(customer_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let standing = standing(db, actor, &found, false)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((found, standing))
}

/// A subscription the caller may read, with its customer and the caller's standing on the
/// customer (none for a reseller that only is partner of record or support contact).
pub async fn find_subscription<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    subscription_id: i32,
) -> ApiResult<(subscription::Model, customer::Model, Option<Standing>)> {
    let sub = subscription::Entity::find_by_id(subscription_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let cust = customer::Entity::find_by_id(sub.customer_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let standing = visible_standing(db, actor, &sub, &cust, false).await?;
    Ok((sub, cust, standing))
}

/// Like [`find_customer`], in a write transaction: the customer stays share-locked (its
/// delegation cannot change until the transaction ends).
pub async fn lock_customer(
    txn: &DatabaseTransaction,
    actor: &Actor,
    customer_id: i32,
) -> ApiResult<(customer::Model, Standing)> {
    locked_customer(txn, actor, customer_id, false).await
}

/// Like [`lock_customer`], locked for update.
pub async fn lock_customer_for_update(
    txn: &DatabaseTransaction,
    actor: &Actor,
    customer_id: i32,
) -> ApiResult<(customer::Model, Standing)> {
    locked_customer(txn, actor, customer_id, true).await
}

async fn locked_customer(
    txn: &DatabaseTransaction,
    actor: &Actor,
    customer_id: i32,
    for_update: bool,
) -> ApiResult<(customer::Model, Standing)> {
    let select = customer::Entity::find_by_id(customer_id);
    let select = if for_update {
        select.lock_exclusive()
    } else {
        select.lock_shared()
    };
    let found = select.one(txn).await?.ok_or(ApiError::NotFound)?;
    let standing = standing(txn, actor, &found, true)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((found, standing))
}

/// Like [`find_subscription`], in a write transaction: the customer share-locked, the
/// subscription locked for update.
pub async fn lock_subscription(
    txn: &DatabaseTransaction,
    actor: &Actor,
    subscription_id: i32,
) -> ApiResult<(subscription::Model, customer::Model, Option<Standing>)> {
    let customer_id: i32 = subscription::Entity::find_by_id(subscription_id)
        .select_only()
        .column(subscription::Column::CustomerId)
        .into_tuple()
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let cust = customer::Entity::find_by_id(customer_id)
        .lock_shared()
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let sub = subscription::Entity::find_by_id(subscription_id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let standing = visible_standing(txn, actor, &sub, &cust, true).await?;
    Ok((sub, cust, standing))
}

/// The caller's standing on a subscription's customer (none for a reseller that is only
/// partner of record or support contact), or `NOT_FOUND`.
async fn visible_standing<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    sub: &subscription::Model,
    cust: &customer::Model,
    lock: bool,
) -> ApiResult<Option<Standing>> {
    let standing = standing(db, actor, cust, lock).await?;
    let credited = actor.partner_id().is_some_and(|p| {
        sub.partner_of_record_id == Some(p) || sub.support_contact_partner_id == p
    });
    if standing.is_none() && !credited {
        return Err(ApiError::NotFound);
    }
    Ok(standing)
}

/// The customers the caller's list shows, newest first.
pub fn visible_customers(actor: &Actor) -> ApiResult<Select<customer::Entity>> {
    let select = customer::Entity::find().order_by_desc(customer::Column::Id);
    if let Some(own) = actor.user.customer_id {
        return Ok(select.filter(customer::Column::Id.eq(own)));
    }
    let partner = actor
        .partner
        .as_ref()
        .ok_or(ApiError::Forbidden("PARTNERS_ONLY"))?;
    Ok(match partner.kind {
        PartnerKind::IndirectProvider => select.filter(customer::Column::ProviderId.eq(partner.id)),
        PartnerKind::IndirectReseller => select
            .filter(customer::Column::Id.in_subquery(customers_of(partner.id, chrono::Utc::now()))),
    })
}

/// An order the caller may read: the provider's and the delegated reseller's (customer users
/// see their subscriptions, not the commerce history).
pub async fn find_order<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    order_id: i32,
) -> ApiResult<entity::order::Model> {
    let found = entity::order::Entity::find_by_id(order_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    match find_customer(db, actor, found.customer_id).await?.1 {
        Standing::Provider | Standing::DelegatedReseller(_) => Ok(found),
        Standing::Customer => Err(ApiError::NotFound),
    }
}
