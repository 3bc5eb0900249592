//! One version of a reseller price on a list (`setResellerPrice`): rows are only ever
//! added; the version in force at a moment is the one with the latest `effective_from`
//! not after it (ties: the later row).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "price_list_prices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub price_list_id: i32,
    pub offer_id: i32,
    /// A fixed unit price in minor units (exactly one of this and the markup is set).
    pub unit_price_minor: Option<i64>,
    /// A markup on the list price in ten-thousandths of a percent (-12.5 % is -125000).
    pub markup_percent_e4: Option<i64>,
    /// The offer's currency when the version was set.
    pub currency: String,
    pub effective_from: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
