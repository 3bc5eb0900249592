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
    /// The commitment terms sold, comma-separated ISO 8601 durations (`P1Y,P1M`); the first
    /// is the default of a new subscription.
    pub terms: String,
    /// How subscriptions may be billed, comma-separated (`MONTHLY,ANNUAL`).
    pub billing_cycles: String,
}

impl Model {
    /// The terms sold, the default first.
    pub fn term_list(&self) -> Vec<crate::terms::TermDuration> {
        crate::terms::parse_list(&self.terms)
    }

    /// The default term of a new subscription (one month if the list were ever empty).
    pub fn default_term(&self) -> crate::terms::TermDuration {
        self.term_list()
            .first()
            .copied()
            .unwrap_or(crate::terms::TermDuration::P1M)
    }

    /// The billing cycles offered, in order.
    pub fn billing_cycle_list(&self) -> Vec<BillingCycle> {
        self.billing_cycles
            .split(',')
            .filter_map(|c| match c.trim() {
                "MONTHLY" => Some(BillingCycle::Monthly),
                "ANNUAL" => Some(BillingCycle::Annual),
                _ => None,
            })
            .collect()
    }
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
