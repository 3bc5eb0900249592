//! GraphQL surface of the catalog: the `Offer` type and the `offers` connection.

use super::service;
use crate::auth;
use crate::graphql::connection::{self, Key, Page, PageArgs};
use crate::graphql::search::SearchTerm;
use crate::graphql::{db, ids};
use async_graphql::{Context, ID, InputObject, Object, Result};
use entity::enums::{BillingCycle, OfferCategory};
use entity::offer;

#[derive(Clone, Debug)]
pub struct Money {
    pub amount_minor: i64,
    pub currency: String,
}

/// An amount of money in minor units (cents) of an ISO 4217 currency.
#[Object]
impl Money {
    /// The amount in the currency's minor units (hundredths): 1250 is 12.50. Negative for
    /// a credit.
    async fn amount_minor(&self) -> i64 {
        self.amount_minor
    }
    /// ISO 4217 currency code, e.g. "USD".
    async fn currency(&self) -> &str {
        &self.currency
    }
    /// For display, as the language of the request's `Accept-Language` writes amounts
    /// (Unicode CLDR data through ICU4X): `$12.50` in English, `US$12.50` in zh-TW.
    async fn formatted(&self, ctx: &Context<'_>) -> String {
        worker::i18n::money(
            crate::language::of_request(ctx),
            self.amount_minor,
            &self.currency,
        )
    }
}

impl Money {
    pub fn new(amount_minor: i64, currency: &str) -> Self {
        Self {
            amount_minor,
            currency: currency.to_owned(),
        }
    }
}

/// An offer of the catalog.
pub struct Offer(pub offer::Model);

/// An offer of the catalog (owned by the platform operator). Every signed-in user may read
/// the catalog.
#[Object]
impl Offer {
    /// The offer's global id (opaque).
    pub async fn id(&self) -> ID {
        ids::encode(ids::NodeType::Offer, self.0.id)
    }
    /// The vendor's stock-keeping unit code.
    async fn sku(&self) -> &str {
        &self.0.sku
    }
    /// Product name, e.g. "Microsoft 365 Business Standard".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What the offer includes, for people.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// The product family.
    async fn category(&self) -> OfferCategory {
        self.0.category
    }
    /// Fewest licenses a subscription to this offer may have.
    async fn min_quantity(&self) -> i32 {
        self.0.min_quantity
    }
    /// Most licenses one subscription may have.
    async fn max_quantity(&self) -> i32 {
        self.0.max_quantity
    }
    /// Price of one license for one month.
    async fn monthly_unit_price(&self) -> Money {
        Money::new(self.0.monthly_unit_price_minor, &self.0.currency)
    }
    /// How often the subscription is billed.
    async fn billing_cycle(&self) -> BillingCycle {
        self.0.billing_cycle
    }
    /// Commitment term in months.
    async fn term_months(&self) -> i32 {
        self.0.term_months
    }
    /// The commitment terms a new subscription may be bought for; the first is the
    /// default.
    async fn terms(&self) -> Vec<entity::terms::TermDuration> {
        self.0.term_list()
    }
    /// How subscriptions to the offer may be billed.
    async fn billing_cycles(&self) -> Vec<BillingCycle> {
        self.0.billing_cycle_list()
    }
    /// Add-ons are bought on top of a base subscription.
    async fn is_add_on(&self) -> bool {
        self.0.is_add_on
    }
    /// ISO 3166-1 alpha-2 codes of the countries where the offer is sold, sorted.
    async fn countries(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(service::countries(db(ctx), self.0.id).await?)
    }
    /// What the calling reseller pays per license per month now, from its provider's
    /// price list (`providerId`, or its oldest ACTIVE partnership); the list price when the
    /// list does not price the offer. Null for anyone but a partner reseller: customers
    /// and other resellers never see it.
    async fn reseller_price(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The provider whose price to read (a partner of the caller).")]
        provider_id: Option<ID>,
    ) -> Result<Option<Money>> {
        crate::price_lists::graphql::reseller_price(ctx, &self.0, provider_id).await
    }
    /// A provider reads what one of its ACTIVE partner resellers pays per license per
    /// month now; null for any other caller or reseller.
    async fn reseller_price_for(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The reseller (a partner of the calling provider).")] reseller_id: ID,
    ) -> Result<Option<Money>> {
        crate::price_lists::graphql::reseller_price_for(ctx, &self.0, &reseller_id).await
    }
    /// Offers a subscription to this offer may be upgraded to.
    async fn upgrade_targets(&self, ctx: &Context<'_>) -> Result<Vec<Offer>> {
        Ok(service::upgrade_targets(db(ctx), self.0.id)
            .await?
            .into_iter()
            .map(Offer)
            .collect())
    }
}

/// Narrows `offers`; every field given must match.
#[derive(InputObject, Default)]
pub struct OfferFilter {
    /// Only offers sold in this country (ISO 3166-1 alpha-2, any case).
    country: Option<String>,
    /// Case-insensitive part of the name or SKU (at most 200 characters; blank for no
    /// filter).
    search: Option<String>,
    /// Only offers of this category.
    category: Option<OfferCategory>,
}

#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// Any signed-in user: the catalog, filtered by country, category and search text, in
    /// catalog order.
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn offers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Country, category and text to match; the whole catalog if absent.")]
        filter: Option<OfferFilter>,
        #[graphql(desc = "Items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Items before this cursor (a `startCursor` or edge `cursor`).")]
        before: Option<String>,
        #[graphql(
            desc = "The first n items, 0 to 100. Give `first` or `last` (not both): \
                    without either the field answers `BAD_USER_INPUT`."
        )]
        first: Option<i32>,
        #[graphql(desc = "The last n items, 0 to 100. Give `first` or `last` (not both).")]
        last: Option<i32>,
    ) -> Result<Page<Offer>> {
        auth::actor(ctx)?;
        let args = PageArgs::new(after, before, first, last)?;
        let filter = filter.unwrap_or_default();
        let select = service::list(&service::OfferFilter {
            country: filter.country,
            search: SearchTerm::parse(filter.search.as_deref(), "search")?,
            category: filter.category,
        });
        Ok(
            connection::paginate(db(ctx), select, &[Key::Asc(offer::Column::Id)], args, Offer)
                .await?,
        )
    }
}

#[cfg(test)]
mod tests {
    use worker::i18n::{Lang, money};

    #[test]
    fn formats_minor_units_in_the_readers_language() {
        assert_eq!(money(Lang::En, 1250, "USD"), "$12.50");
        assert_eq!(money(Lang::En, -199, "USD"), "-$1.99");
        assert_eq!(money(Lang::ZhTw, 1250, "USD"), "US$12.50");
    }
}
