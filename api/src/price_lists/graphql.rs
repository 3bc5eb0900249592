//! GraphQL of price lists: `PriceList`, `ResellerPrice`, `priceLists`, and the resolvers
//! behind `Offer.resellerPrice` / `Offer.resellerPriceFor`. A list is its provider's
//! business: only the provider's users see it; a reseller sees only its own price through
//! `Offer.resellerPrice`; nobody else sees any wholesale price.

use super::{markup, resolve, service};
use crate::auth::{self, Actor};
use crate::catalog::{Money, Offer};
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::{self, Key, Page, PageArgs};
use crate::graphql::db;
use crate::graphql::ids::{self, NodeType};
use crate::partners::graphql::Partner;
use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use entity::enums::{PartnerKind, PartnershipStatus};
use entity::{offer, partner, partnership, price_list, price_list_price, price_list_reseller};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// A provider's price list.
pub struct PriceList(pub price_list::Model);

/// What a provider's resellers pay it per license: per offer, a fixed unit price or a
/// markup on the list price, in versions that take effect at `effectiveFrom`. Visible to
/// the provider's users only.
#[Object]
impl PriceList {
    /// The list's global id (opaque).
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::PriceList, self.0.id)
    }
    /// What the list is, for people.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// True for the provider's default list: resellers without an assigned list buy at it.
    async fn is_default(&self) -> bool {
        self.0.is_default
    }
    /// The resellers the list is assigned to, in the order they were first assigned.
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn resellers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Items before this cursor (a `startCursor` or edge `cursor`).")]
        before: Option<String>,
        #[graphql(desc = "The first n items, 0 to 100. Give `first` or `last` (not both).")]
        first: Option<i32>,
        #[graphql(desc = "The last n items, 0 to 100. Give `first` or `last` (not both).")]
        last: Option<i32>,
    ) -> Result<Page<Partner>> {
        let args = PageArgs::new(after, before, first, last)?;
        let assigned = Query::select()
            .column(price_list_reseller::Column::ResellerId)
            .from(price_list_reseller::Entity)
            .and_where(price_list_reseller::Column::PriceListId.eq(self.0.id))
            .to_owned();
        let select = partner::Entity::find().filter(partner::Column::Id.in_subquery(assigned));
        Ok(connection::paginate(
            db(ctx),
            select,
            &[Key::Asc(partner::Column::Id)],
            args,
            Partner,
        )
        .await?)
    }
    /// The price versions in force at `at` (default now), one per offer, optionally of one
    /// offer only.
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn prices(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this offer's price.")] offer_id: Option<ID>,
        #[graphql(desc = "The moment asked about; now if absent.")] at: Option<DateTime<Utc>>,
        #[graphql(desc = "Items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Items before this cursor (a `startCursor` or edge `cursor`).")]
        before: Option<String>,
        #[graphql(desc = "The first n items, 0 to 100. Give `first` or `last` (not both).")]
        first: Option<i32>,
        #[graphql(desc = "The last n items, 0 to 100. Give `first` or `last` (not both).")]
        last: Option<i32>,
    ) -> Result<Page<ResellerPrice>> {
        let args = PageArgs::new(after, before, first, last)?;
        let offer_id = match offer_id {
            Some(id) => Some(ids::decode_as(NodeType::Offer, &id)?),
            None => None,
        };
        let select = resolve::versions_at(self.0.id, offer_id, at.unwrap_or_else(Utc::now));
        Ok(connection::paginate(
            db(ctx),
            select,
            &[Key::Asc(price_list_price::Column::Id)],
            args,
            ResellerPrice,
        )
        .await?)
    }
}

/// One version of a reseller price.
pub struct ResellerPrice(pub price_list_price::Model);

/// A version of a reseller's price for one offer: exactly one of `unitPrice` and
/// `markupPercent` is set.
#[Object]
impl ResellerPrice {
    /// The offer priced.
    async fn offer(&self, ctx: &Context<'_>) -> Result<Offer> {
        Ok(Offer(
            crate::catalog::service::find(db(ctx), self.0.offer_id).await?,
        ))
    }
    /// A fixed price per license per month; null for a markup.
    async fn unit_price(&self) -> Option<Money> {
        self.0
            .unit_price_minor
            .map(|minor| Money::new(minor, &self.0.currency))
    }
    /// A markup on the list price as a decimal percent (`"-12.5"`); null for a fixed
    /// price. The price is the list price × (1 + markup/100), rounded half away from zero
    /// to the minor unit.
    async fn markup_percent(&self) -> Option<String> {
        self.0.markup_percent_e4.map(markup::format)
    }
    /// When this version takes effect.
    async fn effective_from(&self) -> DateTime<Utc> {
        self.0.effective_from
    }
}

/// The caller's organization if it is a provider (any role reads its lists).
pub fn provider_of(actor: &Actor) -> ApiResult<i32> {
    match &actor.partner {
        Some(p) if p.kind == PartnerKind::IndirectProvider => Ok(p.id),
        _ => Err(ApiError::Forbidden("PROVIDER_ONLY")),
    }
}

/// `node(id:)` of a `PriceList`: its provider's users only.
pub async fn find<C: ConnectionTrait>(db: &C, actor: &Actor, id: i32) -> ApiResult<PriceList> {
    let provider = provider_of(actor).map_err(|_| ApiError::NotFound)?;
    Ok(PriceList(service::own(db, provider, id).await?))
}

/// `Offer.resellerPrice`: the calling reseller's price now from `provider` (if given) or
/// from its oldest ACTIVE partnership; null for anyone who is not a partner reseller.
pub async fn reseller_price(
    ctx: &Context<'_>,
    offer: &offer::Model,
    provider: Option<ID>,
) -> Result<Option<Money>> {
    let actor = auth::actor(ctx)?;
    let Some(me) = actor
        .partner
        .as_ref()
        .filter(|p| p.kind == PartnerKind::IndirectReseller)
    else {
        return Ok(None);
    };
    let mut partnerships = partnership::Entity::find()
        .filter(partnership::Column::ResellerId.eq(me.id))
        .filter(partnership::Column::Status.eq(PartnershipStatus::Active))
        .order_by_asc(partnership::Column::Id);
    if let Some(provider) = provider {
        let Ok(provider) = ids::decode_as(NodeType::Partner, &provider) else {
            return Ok(None);
        };
        partnerships = partnerships.filter(partnership::Column::ProviderId.eq(provider));
    }
    let db = db(ctx);
    let Some(found) = partnerships.one(db).await.map_err(ApiError::from)? else {
        return Ok(None);
    };
    let key = super::loader::ResellerPriceKey {
        provider: found.provider_id,
        reseller: me.id,
        offer: offer.id,
    };
    let minor = crate::graphql::loaders::loaders(ctx)
        .load_one(key)
        .await
        .map_err(|e| ApiError::internal("loading a reseller price", e))?;
    Ok(minor.map(|minor| Money::new(minor, &offer.currency)))
}

/// `Offer.resellerPriceFor`: a provider reads what one of its partner resellers pays now;
/// null for any other caller or a reseller that is not its ACTIVE partner.
pub async fn reseller_price_for(
    ctx: &Context<'_>,
    offer: &offer::Model,
    reseller: &ID,
) -> Result<Option<Money>> {
    let actor = auth::actor(ctx)?;
    let Ok(provider) = provider_of(actor) else {
        return Ok(None);
    };
    let Ok(reseller) = ids::decode_as(NodeType::Partner, reseller) else {
        return Ok(None);
    };
    // Batched for the whole request: a page of offers costs a few statements, not four
    // per offer (`loader`).
    let key = super::loader::ResellerPriceKey {
        provider,
        reseller,
        offer: offer.id,
    };
    let minor = crate::graphql::loaders::loaders(ctx)
        .load_one(key)
        .await
        .map_err(|e| ApiError::internal("loading a reseller price", e))?;
    Ok(minor.map(|minor| Money::new(minor, &offer.currency)))
}

/// Whose wholesale price `previewOrder` shows: a provider's, for its ACTIVE partner
/// `reseller` if given; a reseller's own, from its oldest ACTIVE partnership. None for
/// anyone else (customers, the platform, a reseller that is not a partner).
pub async fn preview_pair<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    reseller: Option<&ID>,
) -> ApiResult<Option<(i32, i32)>> {
    let Some(me) = actor.partner.as_ref() else {
        return Ok(None);
    };
    let mut active = partnership::Entity::find()
        .filter(partnership::Column::Status.eq(PartnershipStatus::Active))
        .order_by_asc(partnership::Column::Id);
    match me.kind {
        PartnerKind::IndirectProvider => {
            let Some(Ok(reseller)) = reseller.map(|r| ids::decode_as(NodeType::Partner, r)) else {
                return Ok(None);
            };
            active = active
                .filter(partnership::Column::ProviderId.eq(me.id))
                .filter(partnership::Column::ResellerId.eq(reseller));
        }
        PartnerKind::IndirectReseller => {
            active = active.filter(partnership::Column::ResellerId.eq(me.id));
        }
    }
    Ok(active
        .one(db)
        .await?
        .map(|p| (p.provider_id, p.reseller_id)))
}
