//! `priceLists` and the price list mutations (provider ADMIN): thin resolvers over
//! `service`.

use super::graphql::{PriceList, ResellerPrice, provider_of};
use super::service::{self, NewPrice};
use crate::audit::Who;
use crate::auth::{self, Actor};
use crate::error::ApiResult;
use crate::graphql::connection::{self, Key, Page, PageArgs};
use crate::graphql::db;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::payload::split;
use crate::graphql::user_error::UserError;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::price_list;

/// An amount of money to set: minor units of an ISO 4217 currency.
#[derive(InputObject)]
pub struct MoneyInput {
    /// The amount in minor units (1250 is 12.50).
    amount_minor: i64,
    /// ISO 4217 code; must be the offer's currency.
    currency: String,
}

/// Input of `createPriceList`.
#[derive(InputObject)]
pub struct CreatePriceListInput {
    /// What the list is, for people (1 to 200 characters).
    name: String,
    /// Make it the default list (for resellers without an assigned list); the previous
    /// default stops being the default. False if absent.
    #[graphql(default)]
    is_default: bool,
}

/// Input of `setResellerPrice`: exactly one of `unitPrice` and `markupPercent`.
#[derive(InputObject)]
pub struct SetResellerPriceInput {
    /// The provider's list to add the version to.
    price_list_id: ID,
    /// The offer priced (required).
    offer_id: ID,
    /// A fixed price per license per month, in the offer's currency.
    unit_price: Option<MoneyInput>,
    /// A markup on the list price as a decimal percent, may be negative (`"-12.5"`; at
    /// most four decimal places, -100 to 1000).
    markup_percent: Option<String>,
    /// When the version takes effect: now (the default) or later.
    effective_from: Option<DateTime<Utc>>,
}

/// Input of `assignPriceList`.
#[derive(InputObject)]
pub struct AssignPriceListInput {
    /// The provider's list to assign.
    price_list_id: ID,
    /// Resellers with an ACTIVE partnership (1 to 100); each moves off any other list of
    /// the provider.
    reseller_ids: Vec<ID>,
}

/// Result of `createPriceList` and `assignPriceList`.
#[derive(SimpleObject)]
pub struct PriceListPayload {
    /// The list after the change; null on failure.
    price_list: Option<PriceList>,
    /// Business-rule failures; see the mutation for the codes.
    user_errors: Vec<UserError>,
}

/// Result of `setResellerPrice`.
#[derive(SimpleObject)]
pub struct ResellerPricePayload {
    /// The new version; null on failure.
    price: Option<ResellerPrice>,
    /// Business-rule failures; see the mutation for the codes.
    user_errors: Vec<UserError>,
}

/// A provider's ADMIN.
fn provider_admin<'a>(ctx: &Context<'a>) -> ApiResult<(&'a Actor, i32)> {
    let (actor, _) = auth::partner_admin(ctx)?;
    Ok((actor, provider_of(actor)?))
}

fn list_payload(result: ApiResult<price_list::Model>) -> Result<PriceListPayload> {
    let (list, user_errors) = split(result)?;
    Ok(PriceListPayload {
        price_list: list.map(PriceList),
        user_errors,
    })
}

#[derive(Default)]
pub struct PriceListQuery;

#[Object]
impl PriceListQuery {
    /// A provider's users: its price lists, oldest first. Others get `FORBIDDEN` (reason
    /// `PROVIDER_ONLY`).
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn price_lists(
        &self,
        ctx: &Context<'_>,
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
    ) -> Result<Page<PriceList>> {
        let provider = provider_of(auth::actor(ctx)?)?;
        let args = PageArgs::new(after, before, first, last)?;
        Ok(connection::paginate(
            db(ctx),
            service::list(provider),
            &[Key::Asc(price_list::Column::Id)],
            args,
            PriceList,
        )
        .await?)
    }
}

#[derive(Default)]
pub struct PriceListMutation;

#[Object]
impl PriceListMutation {
    /// Provider ADMIN: a new price list (event `PRICE_LIST_CREATED`).
    ///
    /// userErrors: `INVALID` (empty or long name). Top-level: `FORBIDDEN` (reasons
    /// `ADMIN_ONLY`, `PROVIDER_ONLY`).
    async fn create_price_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Name and whether it is the default list.")] input: CreatePriceListInput,
    ) -> Result<PriceListPayload> {
        let (actor, provider) = provider_admin(ctx)?;
        let who = Who::of(ctx, actor);
        list_payload(service::create(db(ctx), &who, provider, &input.name, input.is_default).await)
    }

    /// Provider ADMIN: a new version of a reseller price (event `RESELLER_PRICE_SET`);
    /// earlier versions are kept and never change.
    ///
    /// userErrors: `INVALID` (both or neither of unit price and markup, a malformed
    /// markup, another currency), `OUT_OF_RANGE` (negative price, `effectiveFrom` in the
    /// past). Top-level: `FORBIDDEN`, `NOT_FOUND` (list or offer).
    async fn set_reseller_price(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The list, the offer, the price and when it takes effect.")]
        input: SetResellerPriceInput,
    ) -> Result<ResellerPricePayload> {
        let (actor, provider) = provider_admin(ctx)?;
        let db = db(ctx);
        let list = service::own(
            db,
            provider,
            ids::decode_as(NodeType::PriceList, &input.price_list_id)?,
        )
        .await?;
        let offer_id = ids::decode_as(NodeType::Offer, &input.offer_id)?;
        let offer = crate::catalog::service::find(db, offer_id).await?;
        let new = NewPrice {
            unit_price: input.unit_price.map(|m| (m.amount_minor, m.currency)),
            markup_percent: input.markup_percent,
            effective_from: input.effective_from,
        };
        let who = Who::of(ctx, actor);
        let (price, user_errors) = split(service::set_price(db, &who, &list, &offer, new).await)?;
        Ok(ResellerPricePayload {
            price: price.map(ResellerPrice),
            user_errors,
        })
    }

    /// Provider ADMIN: assigns the list to resellers (event `PRICE_LIST_ASSIGNED`).
    ///
    /// userErrors: `RESELLER_NOT_PARTNER` (an id that is not an ACTIVE partner reseller,
    /// pointing at it), `OUT_OF_RANGE` (none or more than 100). Top-level: `FORBIDDEN`,
    /// `NOT_FOUND` (list).
    async fn assign_price_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The list and the resellers.")] input: AssignPriceListInput,
    ) -> Result<PriceListPayload> {
        let (actor, provider) = provider_admin(ctx)?;
        let db = db(ctx);
        let list = service::own(
            db,
            provider,
            ids::decode_as(NodeType::PriceList, &input.price_list_id)?,
        )
        .await?;
        // An id that does not decode to a partner is reported like a non-partner (-1).
        let resellers: Vec<i32> = input
            .reseller_ids
            .iter()
            .map(|id| ids::decode_as(NodeType::Partner, id).unwrap_or(-1))
            .collect();
        let who = Who::of(ctx, actor);
        let result = service::assign(db, &who, &list, &resellers)
            .await
            .map(|()| list);
        list_payload(result)
    }
}
