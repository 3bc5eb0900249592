//! GraphQL types of customers: `Customer` (with its subscriptions, the expandable row),
//! `Subscription` and `Order`. The queries are in `queries.rs`, mutations in `mutations.rs`.

use super::access;
use super::page_list::SubscriptionList;
use crate::auth;
use crate::catalog::{Money, Offer};
use crate::error::ApiError;
use crate::graphql::loaders::{OfferKey, SubscriptionsOf, failed, loaders};
use crate::graphql::{db, ids};
use crate::partners::Partner;
use crate::partners::graphql::named_partner;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::{OrderLineKind, SubscriptionStatus};
use entity::terms::TermDuration;
use entity::{customer, order, order_line, subscription};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

pub use super::mutations::CustomerMutation;
pub use super::queries::CustomerQuery;

/// A customer's postal address.
#[derive(SimpleObject)]
pub struct Address {
    /// Street and number (1 to 200 characters).
    line1: String,
    /// More of the address, if any.
    line2: Option<String>,
    /// City (1 to 100 characters).
    city: String,
    /// Postal code (1 to 32 characters).
    postal_code: String,
    /// ISO 3166-1 alpha-2 country code: the customer's country.
    country: String,
}

/// Who receives a customer's invoices.
#[derive(SimpleObject)]
pub struct BillingContact {
    /// Full name (1 to 200 characters).
    name: String,
    /// Email address, lower-cased.
    email: String,
    /// Phone number as entered (at most 40 characters), if given.
    phone: Option<String>,
}

/// An end customer's tenant.
pub struct Customer(pub customer::Model);

/// Marks a customer row reduced to its names (see [`Customer::names_only`]); the column it
/// sits in (`idempotency_key`) is never exposed.
const NAMES_ONLY: &str = "\u{0}names-only";

impl Customer {
    /// The customer as a party of an admin relationship without standing on it sees it (a
    /// reseller whose relationship is pending, declined or ended): its names and provider,
    /// no address, billing contact, reseller or subscriptions.
    pub fn names_only(mut model: customer::Model) -> Self {
        model.idempotency_key = Some(NAMES_ONLY.to_owned());
        model.reseller_id = None;
        model.azure_tenant_owner_id = None;
        for field in [
            &mut model.address_line1,
            &mut model.city,
            &mut model.postal_code,
            &mut model.billing_contact_name,
            &mut model.billing_contact_email,
        ] {
            field.clear();
        }
        model.address_line2 = None;
        model.billing_contact_phone = None;
        Self(model)
    }

    fn is_names_only(&self) -> bool {
        self.0.idempotency_key.as_deref() == Some(NAMES_ONLY)
    }
}

/// An end customer's tenant. Visible to the provider that created it, to the reseller it is
/// delegated to, and to its own admin account; anyone else (platform administrators too)
/// gets `NOT_FOUND`.
#[Object]
impl Customer {
    /// The customer's global id (opaque).
    pub async fn id(&self) -> ID {
        ids::encode(ids::NodeType::Customer, self.0.id)
    }
    /// The customer's company name (1 to 200 characters).
    async fn company_name(&self) -> &str {
        &self.0.company_name
    }
    /// The customer's domain, lower-cased (unique across customers).
    async fn domain(&self) -> &str {
        &self.0.domain
    }
    /// ISO 3166-1 alpha-2 country code; offers must be sold there.
    async fn country(&self) -> &str {
        &self.0.country
    }
    /// The customer's language as a BCP 47 tag, e.g. "en-US".
    async fn language(&self) -> &str {
        &self.0.language
    }
    /// The customer's postal address.
    async fn address(&self) -> Address {
        Address {
            line1: self.0.address_line1.clone(),
            line2: self.0.address_line2.clone(),
            city: self.0.city.clone(),
            postal_code: self.0.postal_code.clone(),
            country: self.0.country.clone(),
        }
    }
    /// Who receives the invoices.
    async fn billing_contact(&self) -> BillingContact {
        BillingContact {
            name: self.0.billing_contact_name.clone(),
            email: self.0.billing_contact_email.clone(),
            phone: self.0.billing_contact_phone.clone(),
        }
    }
    /// When the provider created the customer.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The customer's admin account name: `admin@<domain>`.
    async fn admin_user_name(&self) -> String {
        format!("admin@{}", self.0.domain)
    }
    /// The indirect provider that created the customer.
    async fn provider(&self, ctx: &Context<'_>) -> Result<Partner> {
        named_partner(ctx, self.0.provider_id).await
    }
    /// The reseller with delegated administration: the reseller of the customer's newest
    /// ACTIVE admin relationship (null without one).
    /// (Read from the copy kept on the customer row, which every transition of a
    /// relationship and the worker's expiry pass refresh; what a reseller may do is decided
    /// by the relationships themselves, at once.)
    async fn indirect_reseller(&self, ctx: &Context<'_>) -> Result<Option<Partner>> {
        match self.0.reseller_id {
            Some(id) => Ok(Some(named_partner(ctx, id).await?)),
            None => Ok(None),
        }
    }
    /// The reseller holding the tenant-owner role on the customer's Azure tenant.
    async fn azure_tenant_owner(&self, ctx: &Context<'_>) -> Result<Option<Partner>> {
        match self.0.azure_tenant_owner_id {
            Some(id) => Ok(Some(named_partner(ctx, id).await?)),
            None => Ok(None),
        }
    }
    /// The customer's admin relationships the caller is a party of (the provider and the
    /// customer see all, a reseller its own), newest first.
    async fn admin_relationships(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::admin_relationships::graphql::AdminRelationship>> {
        if self.is_names_only() {
            return Ok(Vec::new());
        }
        crate::admin_relationships::graphql::of_customer(ctx, self.0.id).await
    }
    /// The customer's subscriptions, oldest first (cancelled ones included).
    async fn subscriptions(&self, ctx: &Context<'_>) -> Result<SubscriptionList> {
        if self.is_names_only() {
            return Ok(SubscriptionList::Loaded(Vec::new()));
        }
        // A page that prefetched its rows answers from them (`page_list`).
        let loaders = loaders(ctx);
        if let Some(rows) = loaders.loader().page_rows_of(self.0.id) {
            return Ok(SubscriptionList::Prefetched(rows));
        }
        Ok(SubscriptionList::Loaded(
            loaders
                .load_one(SubscriptionsOf(self.0.id))
                .await
                .map_err(failed)?
                .unwrap_or_default()
                .into_iter()
                .map(Subscription)
                .collect(),
        ))
    }
}

/// A customer's subscription to an offer.
pub struct Subscription(pub subscription::Model);

/// A customer's subscription to an offer. Visible to whoever sees its customer, and (read
/// only) to a reseller that is its partner of record or support contact; others get
/// `NOT_FOUND`.
#[Object]
impl Subscription {
    /// The subscription's global id (opaque).
    pub async fn id(&self) -> ID {
        ids::encode(ids::NodeType::Subscription, self.0.id)
    }
    /// Number of licenses, within the offer's `minQuantity` and `maxQuantity`.
    async fn quantity(&self) -> i32 {
        self.0.quantity
    }
    /// ACTIVE, SUSPENDED or CANCELLED.
    async fn status(&self) -> SubscriptionStatus {
        self.0.status
    }
    /// When the subscription was ordered (or upgraded into).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the subscription last changed (quantity, status or designation).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The offer subscribed to.
    async fn offer(&self, ctx: &Context<'_>) -> Result<Offer> {
        Ok(Offer(
            loaders(ctx)
                .load_one(OfferKey(self.0.offer_id))
                .await
                .map_err(failed)?
                .ok_or(ApiError::NotFound)?,
        ))
    }
    /// Licenses times the offer's monthly price.
    async fn monthly_total(&self, ctx: &Context<'_>) -> Result<Money> {
        let offer = self.offer(ctx).await?.0;
        Ok(Money::new(
            offer.monthly_unit_price_minor * i64::from(self.0.quantity),
            &offer.currency,
        ))
    }
    /// The reseller credited for incentives.
    async fn partner_of_record(&self, ctx: &Context<'_>) -> Result<Option<Partner>> {
        match self.0.partner_of_record_id {
            Some(id) => Ok(Some(named_partner(ctx, id).await?)),
            None => Ok(None),
        }
    }
    /// Who handles support requests: the provider or a designated reseller.
    async fn support_contact(&self, ctx: &Context<'_>) -> Result<Partner> {
        named_partner(ctx, self.0.support_contact_partner_id).await
    }
    /// The customer holding the subscription. `NOT_FOUND` for a reseller that sees the
    /// subscription only as its partner of record or support contact.
    async fn customer(&self, ctx: &Context<'_>) -> Result<Customer> {
        let actor = auth::actor(ctx)?;
        let (cust, _) = access::find_customer(db(ctx), actor, self.0.customer_id).await?;
        Ok(Customer(cust))
    }
    /// The commitment term: each term renews for another of the same length.
    async fn term(&self) -> TermDuration {
        self.0.term
    }
    /// When the current term began: the purchase, or the last renewal.
    async fn term_started_at(&self) -> DateTime<Utc> {
        self.0.term_started_at
    }
    /// When the current term ends: the subscription renews then (`autoRenew`) or ends
    /// (CANCELLED).
    async fn term_ends_at(&self) -> DateTime<Utc> {
        self.0.term_ends_at
    }
    /// Whether the subscription renews for another term at `termEndsAt`
    /// (`setSubscriptionAutoRenew`).
    async fn auto_renew(&self) -> bool {
        self.0.auto_renew
    }
    /// Until when this term the subscription may be cancelled or lose licenses: the
    /// term's start plus the cancellation window (7 days unless configured). Licenses can
    /// be added at any time.
    async fn cancellation_window_ends_at(&self, ctx: &Context<'_>) -> DateTime<Utc> {
        crate::terms::service::Window::ends_at(
            crate::graphql::settings(ctx)
                .subscriptions
                .cancellation_window_days,
            &self.0,
        )
    }
}

/// One change of an order.
#[derive(SimpleObject)]
pub struct OrderLine {
    /// What the line did.
    kind: OrderLineKind,
    /// Global id of the subscription created or changed (for UPGRADE, the new one).
    subscription_id: ID,
    /// Global id of the offer, at the price below.
    offer_id: ID,
    /// Licenses added (positive) or removed (negative); for NEW and UPGRADE, the
    /// subscription's licenses.
    quantity_change: i32,
    /// The offer's price of one license for one month when the order was placed.
    monthly_unit_price: Money,
    /// The offer's list price of one license for one month when the line was placed.
    list_unit_price: Money,
    /// What the reseller the order was on behalf of paid for one license for one month
    /// when the line was placed (its price list then). Only the provider and that
    /// reseller see it; null for anyone else and for orders without a reseller.
    reseller_unit_price: Option<Money>,
}

/// An order: who placed it, for which customer, on whose behalf, and its lines.
pub struct Order(pub order::Model);

/// An order: who placed it, for which customer, on whose behalf, and its lines. Visible to
/// the customer's provider and delegated reseller (not to customer users); others get
/// `NOT_FOUND`.
#[Object]
impl Order {
    /// The order's global id (opaque).
    pub async fn id(&self) -> ID {
        ids::encode(ids::NodeType::Order, self.0.id)
    }
    /// When the order was placed.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Global id of the `User` who placed it.
    async fn placed_by_user_id(&self) -> ID {
        ids::encode(ids::NodeType::User, self.0.placed_by_user_id)
    }
    /// The reseller the provider ordered for, if any.
    async fn on_behalf_of(&self, ctx: &Context<'_>) -> Result<Option<Partner>> {
        match self.0.on_behalf_of_reseller_id {
            Some(id) => Ok(Some(named_partner(ctx, id).await?)),
            None => Ok(None),
        }
    }
    /// The changes the order made, in order.
    async fn lines(&self, ctx: &Context<'_>) -> Result<Vec<OrderLine>> {
        // Wholesale prices: the provider and the reseller ordered for, nobody else (a
        // reseller delegated later must not read its predecessor's price).
        let caller = auth::actor(ctx)?.partner_id();
        let sees_wholesale = caller.is_some()
            && (caller == Some(self.0.provider_id) || caller == self.0.on_behalf_of_reseller_id);
        Ok(order_line::Entity::find()
            .filter(order_line::Column::OrderId.eq(self.0.id))
            .order_by_asc(order_line::Column::Id)
            .all(db(ctx))
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .map(|l| OrderLine {
                kind: l.kind,
                subscription_id: ids::encode(ids::NodeType::Subscription, l.subscription_id),
                offer_id: ids::encode(ids::NodeType::Offer, l.offer_id),
                quantity_change: l.quantity_change,
                monthly_unit_price: Money::new(l.monthly_unit_price_minor, &l.currency),
                list_unit_price: Money::new(
                    l.list_unit_price_minor
                        .unwrap_or(l.monthly_unit_price_minor),
                    &l.currency,
                ),
                reseller_unit_price: l
                    .reseller_unit_price_minor
                    .filter(|_| sees_wholesale)
                    .map(|minor| Money::new(minor, &l.currency)),
            })
            .collect())
    }
}
