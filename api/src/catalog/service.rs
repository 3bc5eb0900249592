//! Catalog queries, independent of GraphQL.

use crate::error::{ApiError, ApiResult};
use crate::graphql::search::SearchTerm;
use entity::enums::OfferCategory;
use entity::{offer, offer_country, offer_upgrade};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};

#[derive(Default)]
pub struct OfferFilter {
    /// Only offers sold in this country (ISO alpha-2).
    pub country: Option<String>,
    /// Case-insensitive part of the name or SKU.
    pub search: Option<SearchTerm>,
    pub category: Option<OfferCategory>,
}

pub fn list(filter: &OfferFilter) -> Select<offer::Entity> {
    let mut select = offer::Entity::find().order_by_asc(offer::Column::Id);
    if let Some(category) = filter.category {
        select = select.filter(offer::Column::Category.eq(category));
    }
    if let Some(country) = filter.country.as_deref() {
        select = select.filter(
            offer::Column::Id.in_subquery(
                Query::select()
                    .column(offer_country::Column::OfferId)
                    .from(offer_country::Entity)
                    .and_where(
                        Expr::col(offer_country::Column::Country).eq(country.trim().to_uppercase()),
                    )
                    .to_owned(),
            ),
        );
    }
    if let Some(search) = &filter.search {
        select = select.filter(
            Condition::any()
                .add(crate::graphql::search::contains(
                    offer::Column::Name,
                    search,
                ))
                .add(crate::graphql::search::contains(offer::Column::Sku, search)),
        );
    }
    select
}

/// Every signed-in user may read the catalog.
pub async fn find<C: ConnectionTrait>(db: &C, offer_id: i32) -> ApiResult<offer::Model> {
    offer::Entity::find_by_id(offer_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

pub async fn countries<C: ConnectionTrait>(db: &C, offer_id: i32) -> ApiResult<Vec<String>> {
    Ok(offer_country::Entity::find()
        .select_only()
        .column(offer_country::Column::Country)
        .filter(offer_country::Column::OfferId.eq(offer_id))
        .order_by_asc(offer_country::Column::Country)
        .into_tuple()
        .all(db)
        .await?)
}

pub async fn upgrade_targets<C: ConnectionTrait>(
    db: &C,
    offer_id: i32,
) -> ApiResult<Vec<offer::Model>> {
    Ok(offer::Entity::find()
        .filter(
            offer::Column::Id.in_subquery(
                Query::select()
                    .column(offer_upgrade::Column::ToOfferId)
                    .from(offer_upgrade::Entity)
                    .and_where(Expr::col(offer_upgrade::Column::FromOfferId).eq(offer_id))
                    .to_owned(),
            ),
        )
        .order_by_asc(offer::Column::Id)
        .all(db)
        .await?)
}
