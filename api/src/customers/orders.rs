//! Orders and their lines: every change to subscriptions is recorded as an order placed by a
//! user, for a customer, possibly on behalf of the customer's reseller, with one line per
//! change (new subscription, licenses added or removed, upgrade).

use super::pricing::PricedLine;
use crate::auth::Actor;
use crate::error::ApiResult;
use chrono::Utc;
use entity::enums::{OrderLineKind, SubscriptionStatus};
use entity::{customer, offer, order, order_line, subscription};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

pub struct NewSubscription {
    pub line: PricedLine,
    pub support_contact_partner_id: i32,
}

/// One recorded change of an existing subscription.
pub struct Change<'a> {
    pub kind: OrderLineKind,
    pub subscription: &'a subscription::Model,
    pub offer: &'a offer::Model,
    pub quantity_change: i32,
}

async fn open_order<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    customer: &customer::Model,
) -> ApiResult<order::Model> {
    // The provider acting for a customer delegated to a reseller orders on its behalf.
    // A reseller ordering itself (ORDER_MANAGER) orders on its own behalf.
    let on_behalf_of = match actor.partner_id() {
        Some(p) if p == customer.provider_id => customer.reseller_id,
        other => other,
    };
    Ok(order::ActiveModel {
        customer_id: Set(customer.id),
        provider_id: Set(customer.provider_id),
        placed_by_user_id: Set(actor.user.id),
        on_behalf_of_reseller_id: Set(on_behalf_of),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Adds a line, recording the list price and the price of the reseller the order is on
/// behalf of in force at the order's time (later price changes never move it).
pub async fn add_line<C: ConnectionTrait>(
    db: &C,
    order: &order::Model,
    kind: OrderLineKind,
    subscription_id: i32,
    offer: &offer::Model,
    quantity_change: i32,
) -> ApiResult<()> {
    let reseller_unit_price_minor = match order.on_behalf_of_reseller_id {
        Some(reseller) => Some(
            crate::price_lists::resolve::reseller_unit_price(
                db,
                order.provider_id,
                reseller,
                offer,
                order.created_at,
            )
            .await?,
        ),
        None => None,
    };
    order_line::ActiveModel {
        order_id: Set(order.id),
        kind: Set(kind),
        subscription_id: Set(subscription_id),
        offer_id: Set(offer.id),
        quantity_change: Set(quantity_change),
        monthly_unit_price_minor: Set(offer.monthly_unit_price_minor),
        currency: Set(offer.currency.clone()),
        list_unit_price_minor: Set(Some(offer.monthly_unit_price_minor)),
        reseller_unit_price_minor: Set(reseller_unit_price_minor),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Creates the subscriptions and one order with a NEW line for each (caller's transaction).
pub async fn order_new_subscriptions<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    customer: &customer::Model,
    subscriptions: Vec<NewSubscription>,
) -> ApiResult<order::Model> {
    let order = open_order(db, actor, customer).await?;
    let now = Utc::now();
    // The first term starts at the purchase, to the millisecond (the precision of the
    // clock tests move, so a window's end can be hit exactly).
    let start = crate::terms::service::whole_millis(now);
    for new in subscriptions {
        let sub = subscription::ActiveModel {
            term: Set(new.line.term),
            term_started_at: Set(start),
            term_ends_at: Set(new.line.term.end_of_term_from(start)),
            auto_renew: Set(new.line.auto_renew),
            term_number: Set(1),
            term_reminded_days: Set(None),
            customer_id: Set(customer.id),
            offer_id: Set(new.line.offer.id),
            quantity: Set(new.line.quantity),
            status: Set(SubscriptionStatus::Active),
            partner_of_record_id: Set(new.line.partner_of_record_id),
            support_contact_partner_id: Set(new.support_contact_partner_id),
            upgraded_from_id: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        add_line(
            db,
            &order,
            entity::enums::OrderLineKind::New,
            sub.id,
            &new.line.offer,
            new.line.quantity,
        )
        .await?;
    }
    Ok(order)
}

/// Records changes of existing subscriptions as one order (caller's transaction).
pub async fn record<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    customer: &customer::Model,
    changes: &[Change<'_>],
) -> ApiResult<order::Model> {
    let order = open_order(db, actor, customer).await?;
    for change in changes {
        add_line(
            db,
            &order,
            change.kind,
            change.subscription.id,
            change.offer,
            change.quantity_change,
        )
        .await?;
    }
    Ok(order)
}
