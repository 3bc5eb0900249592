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
    /// The offer's list price when the line was placed (null on lines older than price
    /// lists: then `monthly_unit_price_minor` is the list price).
    pub list_unit_price_minor: Option<i64>,
    /// What the reseller the order was on behalf of paid for one license when the line
    /// was placed (its price list's version in force then); null without a reseller.
    pub reseller_unit_price_minor: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
