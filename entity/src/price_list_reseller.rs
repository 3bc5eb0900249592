//! Which list a reseller buys from a provider at: at most one row per provider and
//! reseller (unique), so assigning another list moves the reseller.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "price_list_resellers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub price_list_id: i32,
    pub provider_id: i32,
    pub reseller_id: i32,
    pub assigned_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
