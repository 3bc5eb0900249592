//! A customer's subscription to an offer.

use crate::enums::SubscriptionStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subscriptions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub customer_id: i32,
    pub offer_id: i32,
    pub quantity: i32,
    pub status: SubscriptionStatus,
    /// The reseller credited for incentives ("partner of record"), if any.
    pub partner_of_record_id: Option<i32>,
    /// Who handles support: the provider itself or a partner reseller.
    pub support_contact_partner_id: i32,
    /// The subscription this one was upgraded from.
    pub upgraded_from_id: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::offer::Entity",
        from = "Column::OfferId",
        to = "super::offer::Column::Id"
    )]
    Offer,
}

impl Related<super::offer::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Offer.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
