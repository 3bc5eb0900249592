//! Incentives: the live subscriptions of a provider's customers that credit a reseller as
//! partner of record, with license counts and monthly value — what the reseller earns
//! credit on. Both sides of the partnership see it.

use crate::error::ApiResult;
use entity::enums::SubscriptionStatus;
use entity::{customer, offer, subscription};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

pub struct Credited {
    pub subscription: subscription::Model,
    pub offer: offer::Model,
}

pub async fn credited<C: ConnectionTrait>(
    db: &C,
    provider_id: i32,
    reseller_id: i32,
) -> ApiResult<Vec<Credited>> {
    let rows = subscription::Entity::find()
        .find_also_related(offer::Entity)
        .filter(subscription::Column::PartnerOfRecordId.eq(reseller_id))
        .filter(subscription::Column::Status.ne(SubscriptionStatus::Cancelled))
        .filter(
            subscription::Column::CustomerId.in_subquery(
                Query::select()
                    .column(customer::Column::Id)
                    .from(customer::Entity)
                    .and_where(customer::Column::ProviderId.eq(provider_id))
                    .to_owned(),
            ),
        )
        .order_by_asc(subscription::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(subscription, offer)| {
            offer.map(|offer| Credited {
                subscription,
                offer,
            })
        })
        .collect())
}
