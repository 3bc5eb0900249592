//! What a reseller manages on a provider's behalf: the `PARTNERSHIP_IN_USE` rule counts it
//! before a partnership may end, so no customer or subscription is left orphaned.

use crate::error::ApiResult;
use chrono::Utc;
use entity::enums::SubscriptionStatus;
use entity::{customer, subscription};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

#[derive(Debug, Default, Clone, Copy)]
pub struct Usage {
    /// Customers of the provider on which the reseller holds an ACTIVE admin relationship in
    /// force, or whose Azure tenant it owns.
    pub customers: u64,
    /// Live subscriptions of the provider's customers crediting the reseller or naming it
    /// support contact.
    pub subscriptions: u64,
}

impl Usage {
    pub fn any(&self) -> bool {
        self.customers > 0 || self.subscriptions > 0
    }
}

pub async fn reseller_serves_provider<C: ConnectionTrait>(
    db: &C,
    provider_id: i32,
    reseller_id: i32,
) -> ApiResult<Usage> {
    let customers = customer::Entity::find()
        .filter(customer::Column::ProviderId.eq(provider_id))
        .filter(
            Condition::any()
                .add(customer::Column::Id.in_subquery(
                    crate::admin_relationships::access::customers_of(reseller_id, Utc::now()),
                ))
                .add(customer::Column::AzureTenantOwnerId.eq(reseller_id)),
        )
        .count(db)
        .await?;
    let subscriptions = subscription::Entity::find()
        .filter(subscription::Column::Status.ne(SubscriptionStatus::Cancelled))
        .filter(
            Condition::any()
                .add(subscription::Column::PartnerOfRecordId.eq(reseller_id))
                .add(subscription::Column::SupportContactPartnerId.eq(reseller_id)),
        )
        .filter(
            subscription::Column::CustomerId.in_subquery(
                Query::select()
                    .column(customer::Column::Id)
                    .from(customer::Entity)
                    .and_where(customer::Column::ProviderId.eq(provider_id))
                    .to_owned(),
            ),
        )
        .count(db)
        .await?;
    Ok(Usage {
        customers,
        subscriptions,
    })
}
