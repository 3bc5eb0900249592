//! Which price is in force: the list a reseller buys from a provider at (its assigned
//! list, else the provider's default list), the version of an offer's price on a list at a
//! moment (latest `effective_from` not after it; on a tie the later version), and the unit
//! price that version gives (an offer not on the list is sold at its list price).

use super::markup;
use crate::{offer, price_list, price_list_price, price_list_reseller};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Select,
};

type DateTime = chrono::DateTime<chrono::Utc>;

/// The versions of a list in force at `at` (one per offer), optionally of one offer only:
/// a version counts unless a later one (by `effective_from`, then id) has also started.
pub fn versions_at(
    list_id: i32,
    offer_id: Option<i32>,
    at: DateTime,
) -> Select<price_list_price::Entity> {
    use price_list_price::{Column, Entity};
    let newer = Alias::new("newer");
    let started = Expr::col((newer.clone(), Column::EffectiveFrom)).lte(at);
    let later = Condition::any()
        .add(
            Expr::col((newer.clone(), Column::EffectiveFrom))
                .gt(Expr::col((Entity, Column::EffectiveFrom))),
        )
        .add(
            Condition::all()
                .add(
                    Expr::col((newer.clone(), Column::EffectiveFrom))
                        .eq(Expr::col((Entity, Column::EffectiveFrom))),
                )
                .add(Expr::col((newer.clone(), Column::Id)).gt(Expr::col((Entity, Column::Id)))),
        );
    let superseded = Query::select()
        .expr(Expr::val(1))
        .from_as(Entity, newer.clone())
        .and_where(
            Expr::col((newer.clone(), Column::PriceListId))
                .eq(Expr::col((Entity, Column::PriceListId))),
        )
        .and_where(
            Expr::col((newer.clone(), Column::OfferId)).eq(Expr::col((Entity, Column::OfferId))),
        )
        .and_where(started)
        .cond_where(later)
        .to_owned();
    let mut select = Entity::find()
        .filter(Column::PriceListId.eq(list_id))
        .filter(Column::EffectiveFrom.lte(at))
        .filter(Expr::exists(superseded).not());
    if let Some(offer_id) = offer_id {
        select = select.filter(Column::OfferId.eq(offer_id));
    }
    select
}

/// The unit price a version gives for the offer; the list price without a version (or
/// with one of another currency, should the catalog's currency ever change).
pub fn unit_price(offer: &offer::Model, version: Option<&price_list_price::Model>) -> i64 {
    let list = offer.monthly_unit_price_minor;
    match version {
        Some(v) if v.currency == offer.currency => {
            match (v.unit_price_minor, v.markup_percent_e4) {
                (Some(fixed), _) => fixed,
                (None, Some(e4)) => markup::apply(list, e4),
                (None, None) => list,
            }
        }
        _ => list,
    }
}

/// What `reseller_id` pays `provider_id` for one license of the offer at `at`: one
/// statement (the list as `COALESCE` of the assigned one and the provider's first default,
/// then the version in force on it: latest `effective_from` not after `at`, on a tie the
/// later version).
pub async fn reseller_unit_price<C: ConnectionTrait>(
    db: &C,
    provider_id: i32,
    reseller_id: i32,
    offer: &offer::Model,
    at: DateTime,
) -> Result<i64, DbErr> {
    let version = price_list_price::Entity::find()
        .filter(
            Expr::col(price_list_price::Column::PriceListId)
                .eq(list_of_pair(provider_id, reseller_id)),
        )
        .filter(price_list_price::Column::OfferId.eq(offer.id))
        .filter(price_list_price::Column::EffectiveFrom.lte(at))
        .order_by_desc(price_list_price::Column::EffectiveFrom)
        .order_by_desc(price_list_price::Column::Id)
        .one(db)
        .await?;
    Ok(unit_price(offer, version.as_ref()))
}

/// The id of the list `reseller_id` buys from `provider_id` at, as an expression for one
/// statement (NULL: none): `COALESCE` of the list assigned to the pair and the provider's
/// first default list (by id).
pub fn list_of_pair(provider_id: i32, reseller_id: i32) -> Expr {
    use sea_orm::sea_query::{Func, Order};
    let assigned = Query::select()
        .column(price_list_reseller::Column::PriceListId)
        .from(price_list_reseller::Entity)
        .and_where(price_list_reseller::Column::ProviderId.eq(provider_id))
        .and_where(price_list_reseller::Column::ResellerId.eq(reseller_id))
        .limit(1)
        .to_owned();
    let default = Query::select()
        .column(price_list::Column::Id)
        .from(price_list::Entity)
        .and_where(price_list::Column::ProviderId.eq(provider_id))
        .and_where(price_list::Column::IsDefault.eq(true))
        .order_by(price_list::Column::Id, Order::Asc)
        .limit(1)
        .to_owned();
    Func::coalesce([
        Expr::SubQuery(None, Box::new(assigned.into())),
        Expr::SubQuery(None, Box::new(default.into())),
    ])
    .into()
}
