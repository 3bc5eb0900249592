//! An allowed upgrade path: a subscription to `from_offer_id` may move to `to_offer_id`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offer_upgrades")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub from_offer_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub to_offer_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
