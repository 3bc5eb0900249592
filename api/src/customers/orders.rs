//! Orders and their lines: every change to subscriptions is recorded as an order placed by a
//! user, for a customer, possibly on behalf of the customer's reseller, with one line per
//! change (new subscription, licenses added or removed, upgrade).

use super::pricing::PricedLine;
use crate::auth::Actor;
use crate::db::insert_many_returning;
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use entity::enums::{OrderLineKind, SubscriptionStatus};
use entity::pricing::book::PriceBook;
use entity::{customer, offer, order, order_line, subscription};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};

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

/// The order a user places for a customer.
fn new_order(actor: &Actor, customer: &customer::Model, now: DateTime<Utc>) -> order::ActiveModel {
    // The provider acting for a customer delegated to a reseller orders on its behalf.
    // A reseller ordering itself (ORDER_MANAGER) orders on its own behalf.
    let on_behalf_of = match actor.partner_id() {
        Some(p) if p == customer.provider_id => customer.reseller_id,
        other => other,
    };
    order::ActiveModel {
        customer_id: Set(customer.id),
        provider_id: Set(customer.provider_id),
        placed_by_user_id: Set(actor.user.id),
        on_behalf_of_reseller_id: Set(on_behalf_of),
        created_at: Set(now),
        ..Default::default()
    }
}

async fn open_order<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    customer: &customer::Model,
) -> ApiResult<order::Model> {
    Ok(new_order(actor, customer, Utc::now()).insert(db).await?)
}

/// A line recording the list price and `reseller_unit_price_minor`, the price of the
/// reseller the order is on behalf of in force at the order's time (later price changes
/// never move it).
fn new_line(
    order: &order::Model,
    kind: OrderLineKind,
    subscription_id: i32,
    offer: &offer::Model,
    quantity_change: i32,
    reseller_unit_price_minor: Option<i64>,
) -> order_line::ActiveModel {
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
}

/// Adds a line (see [`new_line`]).
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
    new_line(
        order,
        kind,
        subscription_id,
        offer,
        quantity_change,
        reseller_unit_price_minor,
    )
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
    let mut orders =
        order_new_subscriptions_many(db, actor, vec![(customer, subscriptions)]).await?;
    orders
        .pop()
        .map(|(order, _)| order)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no order was written")))
}

/// [`order_new_subscriptions`] for many customers at once (a bulk import's batch), in four
/// statements whatever their number: the orders, the subscriptions, the resellers' prices
/// and the lines. The orders are returned in the customers' order, each with the
/// subscriptions it created, oldest first.
pub async fn order_new_subscriptions_many<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    customers: Vec<(&customer::Model, Vec<NewSubscription>)>,
) -> ApiResult<Vec<(order::Model, Vec<subscription::Model>)>> {
    let now = Utc::now();
    let orders = insert_many_returning(
        db,
        customers
            .iter()
            .map(|(customer, _)| new_order(actor, customer, now))
            .collect(),
        |o: &order::Model| o.id,
    )
    .await?;
    // The first term starts at the purchase, to the millisecond (the precision of the
    // clock tests move, so a window's end can be hit exactly).
    let start = crate::terms::service::whole_millis(now);
    let mut new_subscriptions = Vec::new();
    let mut ordered = Vec::new();
    for ((customer, subscriptions), order) in customers.iter().zip(&orders) {
        for new in subscriptions {
            new_subscriptions.push(subscription::ActiveModel {
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
            });
            ordered.push((order, &new.line));
        }
    }
    let subscriptions =
        insert_many_returning(db, new_subscriptions, |s: &subscription::Model| s.id).await?;
    let prices = reseller_prices(db, &ordered).await?;
    let lines: Vec<order_line::ActiveModel> = ordered
        .iter()
        .zip(&subscriptions)
        .zip(prices)
        .map(|(((order, line), sub), price)| {
            new_line(
                order,
                OrderLineKind::New,
                sub.id,
                &line.offer,
                line.quantity,
                price,
            )
        })
        .collect();
    if !lines.is_empty() {
        order_line::Entity::insert_many(lines)
            .exec_without_returning(db)
            .await?;
    }
    // The subscriptions were written customer after customer, in the order of `customers`.
    let mut written = subscriptions.into_iter();
    Ok(orders
        .into_iter()
        .zip(&customers)
        .map(|(order, (_, new))| (order, written.by_ref().take(new.len()).collect()))
        .collect())
}

/// The price of each line's reseller (the order's on-behalf-of) at the order's time, from
/// one `PriceBook`: one statement for an order's lines (one reseller), three for a batch
/// of orders of several resellers, whatever the number of lines.
async fn reseller_prices<C: ConnectionTrait>(
    db: &C,
    lines: &[(&order::Model, &PricedLine)],
) -> ApiResult<Vec<Option<i64>>> {
    let priced: Vec<(&order::Model, &PricedLine, i32)> = lines
        .iter()
        .filter_map(|(o, l)| o.on_behalf_of_reseller_id.map(|r| (*o, *l, r)))
        .collect();
    let mut pairs: Vec<(i32, i32)> = priced.iter().map(|(o, _, r)| (o.provider_id, *r)).collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut offers: Vec<i32> = priced.iter().map(|(_, l, _)| l.offer.id).collect();
    offers.sort_unstable();
    offers.dedup();
    let book = PriceBook::load(db, &pairs, &offers).await?;
    Ok(lines
        .iter()
        .map(|(order, line)| {
            order.on_behalf_of_reseller_id.map(|reseller| {
                book.reseller_unit_price(order.provider_id, reseller, &line.offer, order.created_at)
            })
        })
        .collect())
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
