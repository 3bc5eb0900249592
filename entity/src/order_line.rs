//! One change of an order: a new subscription, more or fewer licenses, an upgrade.

use crate::enums::OrderLineKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_lines")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub order_id: i32,
    pub kind: OrderLineKind,
    pub subscription_id: i32,
    pub offer_id: i32,
    /// Licenses added (positive) or removed (negative); for NEW and UPGRADE the quantity.
    pub quantity_change: i32,
    pub monthly_unit_price_minor: i64,
    pub currency: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
