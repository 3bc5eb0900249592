//! GraphQL types and queries of customers: `Customer` (with its subscriptions, the expandable
//! row), `Subscription`, `Order`, the `customers` list, and the wizard's review helpers
//! `domainAvailable` and `previewOrder`. Mutations are in `mutations.rs`.

use super::access;
use super::onboarding;
use super::pricing::{self, LineRequest};
use crate::auth;
use crate::catalog::{Money, Offer};
use crate::error::ApiError;
use crate::graphql::connection::{self, Page, PageArgs};
use crate::graphql::loaders::{OfferKey, SubscriptionsOf, failed, loaders, prefetch_customers};
use crate::graphql::user_error::UserError;
use crate::graphql::{db, ids, search};
use crate::partners::Partner;
use crate::partners::graphql::named_partner;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::{OrderLineKind, SubscriptionStatus};
use entity::{customer, order, order_line, subscription};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};

pub use super::mutations::CustomerMutation;

#[derive(SimpleObject)]
pub struct Address {
    line1: String,
    line2: Option<String>,
    city: String,
    postal_code: String,
    country: String,
}

#[derive(SimpleObject)]
pub struct BillingContact {
    name: String,
    email: String,
    phone: Option<String>,
}

/// An end customer's tenant.
pub struct Customer(pub customer::Model);

#[Object]
impl Customer {
    pub async fn id(&self) -> ID {
        ids::encode(ids::NodeType::Customer, self.0.id)
    }
    async fn company_name(&self) -> &str {
        &self.0.company_name
    }
    async fn domain(&self) -> &str {
        &self.0.domain
    }
    async fn country(&self) -> &str {
        &self.0.country
    }
    async fn language(&self) -> &str {
        &self.0.language
    }
    async fn address(&self) -> Address {
        Address {
            line1: self.0.address_line1.clone(),
            line2: self.0.address_line2.clone(),
            city: self.0.city.clone(),
            postal_code: self.0.postal_code.clone(),
            country: self.0.country.clone(),
        }
    }
    async fn billing_contact(&self) -> BillingContact {
        BillingContact {
            name: self.0.billing_contact_name.clone(),
            email: self.0.billing_contact_email.clone(),
            phone: self.0.billing_contact_phone.clone(),
        }
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The customer's admin account name.
    async fn admin_user_name(&self) -> String {
        format!("admin@{}", self.0.domain)
    }
    async fn provider(&self, ctx: &Context<'_>) -> Result<Partner> {
        named_partner(ctx, self.0.provider_id).await
    }
    /// The reseller with delegated administration, if any.
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
    /// The customer's subscriptions, oldest first (cancelled ones included).
    async fn subscriptions(&self, ctx: &Context<'_>) -> Result<Vec<Subscription>> {
        Ok(loaders(ctx)
            .load_one(SubscriptionsOf(self.0.id))
            .await
            .map_err(failed)?
            .unwrap_or_default()
            .into_iter()
            .map(Subscription)
            .collect())
    }
}

/// A customer's subscription to an offer.
pub struct Subscription(pub subscription::Model);

#[Object]
impl Subscription {
    pub async fn id(&self) -> ID {
        ids::encode(ids::NodeType::Subscription, self.0.id)
    }
    async fn quantity(&self) -> i32 {
        self.0.quantity
    }
    async fn status(&self) -> SubscriptionStatus {
        self.0.status
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
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
    async fn customer(&self, ctx: &Context<'_>) -> Result<Customer> {
        let actor = auth::actor(ctx)?;
        let (cust, _) = access::find_customer(db(ctx), actor, self.0.customer_id).await?;
        Ok(Customer(cust))
    }
}

/// One change of an order.
#[derive(SimpleObject)]
pub struct OrderLine {
    kind: OrderLineKind,
    subscription_id: ID,
    offer_id: ID,
    quantity_change: i32,
    monthly_unit_price: Money,
}

/// An order: who placed it, for which customer, on whose behalf, and its lines.
pub struct Order(pub order::Model);

#[Object]
impl Order {
    pub async fn id(&self) -> ID {
        ids::encode(ids::NodeType::Order, self.0.id)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
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
    async fn lines(&self, ctx: &Context<'_>) -> Result<Vec<OrderLine>> {
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
            })
            .collect())
    }
}

#[derive(InputObject, Default)]
pub struct CustomerFilter {
    /// Only customers delegated to this reseller.
    indirect_reseller_id: Option<ID>,
    /// Case-insensitive part of the company name or domain.
    search: Option<String>,
}

#[derive(InputObject)]
pub struct PreviewLineInput {
    pub offer_id: ID,
    pub quantity: i32,
}

#[derive(InputObject)]
pub struct PreviewOrderInput {
    /// The customer's country (ISO alpha-2): offers must be sold there.
    country: String,
    lines: Vec<PreviewLineInput>,
}

#[derive(SimpleObject)]
pub struct PreviewedLine {
    offer: Offer,
    quantity: i32,
    monthly_total: Money,
}

/// The review step: what the order would cost, and every problem with it. Writes nothing.
#[derive(SimpleObject)]
pub struct OrderPreview {
    /// True when the order can be submitted as it is.
    valid: bool,
    lines: Vec<PreviewedLine>,
    monthly_total: Money,
    problems: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct DomainAvailability {
    domain: String,
    available: bool,
    /// Why it is not available.
    reason: Option<String>,
}

#[derive(Default)]
pub struct CustomerQuery;

#[Object]
impl CustomerQuery {
    /// Customers the caller may see: a provider's own, a reseller's delegated ones, a
    /// customer user's own record. Newest first.
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        filter: Option<CustomerFilter>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Page<Customer>> {
        let actor = auth::actor(ctx)?;
        let args = PageArgs::new(after, before, first, last)?;
        let filter = filter.unwrap_or_default();
        let mut select = access::visible_customers(actor)?;
        if let Some(id) = filter.indirect_reseller_id {
            let reseller = ids::decode_as(ids::NodeType::Partner, &id)?;
            select = select.filter(customer::Column::ResellerId.eq(reseller));
        }
        if let Some(text) = &search::SearchTerm::parse(filter.search.as_deref(), "search")? {
            select = select.filter(
                Condition::any()
                    .add(search::contains(customer::Column::CompanyName, text))
                    .add(search::contains(customer::Column::Domain, text)),
            );
        }
        let page =
            connection::paginate_by_key(db(ctx), select, customer::Column::Id, args, Customer)
                .await?;
        let rows: Vec<customer::Model> = page.edges.iter().map(|e| e.node.0.clone()).collect();
        prefetch_customers(loaders(ctx), &rows)
            .await
            .map_err(failed)?;
        Ok(page)
    }

    /// Whether a new customer may use this domain.
    async fn domain_available(
        &self,
        ctx: &Context<'_>,
        domain: String,
    ) -> Result<DomainAvailability> {
        super::eligibility::ordering_provider(auth::actor(ctx)?)?;
        Ok(match onboarding::normalize_domain(&domain) {
            Err(ApiError::User(e)) => DomainAvailability {
                domain,
                available: false,
                reason: Some(e.message),
            },
            Err(e) => return Err(e.into()),
            Ok(normalized) => {
                let taken = onboarding::domain_taken(db(ctx), &normalized).await?;
                DomainAvailability {
                    domain: normalized,
                    available: !taken,
                    reason: taken.then(|| "Another customer already uses this domain.".to_owned()),
                }
            }
        })
    }

    /// Checks and prices order lines for the wizard's review step. Writes nothing.
    async fn preview_order(
        &self,
        ctx: &Context<'_>,
        input: PreviewOrderInput,
    ) -> Result<OrderPreview> {
        auth::actor(ctx)?;
        let country = crate::accounts::validate::country(&input.country, &["input", "country"]);
        let (country, mut problems) = match country {
            Ok(c) => (c, Vec::new()),
            Err(ApiError::User(e)) => (String::new(), vec![e]),
            Err(e) => return Err(e.into()),
        };
        let mut requests = Vec::with_capacity(input.lines.len());
        for line in &input.lines {
            requests.push(LineRequest {
                // An id that is not an offer id reads as "no such offer".
                offer_id: ids::decode_as(ids::NodeType::Offer, &line.offer_id).unwrap_or(0),
                quantity: line.quantity,
                partner_of_record_id: None,
            });
        }
        let checked = pricing::check(db(ctx), &country, &requests)
            .await
            .map_err(ApiError::from)?;
        problems.extend(checked.problems);
        let currency = checked
            .lines
            .first()
            .map_or("USD".to_owned(), |l| l.offer.currency.clone());
        let total: i64 = checked.lines.iter().map(|l| l.monthly_total_minor()).sum();
        Ok(OrderPreview {
            valid: problems.is_empty() && !requests.is_empty(),
            lines: checked
                .lines
                .into_iter()
                .map(|l| PreviewedLine {
                    monthly_total: Money::new(l.monthly_total_minor(), &l.offer.currency),
                    quantity: l.quantity,
                    offer: Offer(l.offer),
                })
                .collect(),
            monthly_total: Money::new(total, &currency),
            problems,
        })
    }
}
