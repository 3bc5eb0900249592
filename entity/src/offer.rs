//! An offer of the catalog owned by the platform operator.

use crate::enums::{BillingCycle, OfferCategory};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub sku: String,
    pub name: String,
    pub description: String,
    pub category: OfferCategory,
    pub min_quantity: i32,
    pub max_quantity: i32,
    /// Price of one license for one month, in minor units of `currency` (cents).
    pub monthly_unit_price_minor: i64,
    /// ISO 4217.
    pub currency: String,
    pub billing_cycle: BillingCycle,
    pub term_months: i32,
    pub is_add_on: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::offer_country::Entity")]
    OfferCountry,
}

impl Related<super::offer_country::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::OfferCountry.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
