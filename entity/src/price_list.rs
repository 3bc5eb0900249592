//! A provider's price list: the prices its resellers pay (`price_list_price` holds the
//! versions). At most one list of a provider is its default, for resellers without one.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "price_lists")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The provider that owns the list (only it and its assigned resellers see it).
    pub provider_id: i32,
    pub name: String,
    pub is_default: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
