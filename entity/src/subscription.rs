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
    /// The commitment term (issue 24): each term renews for another of the same length.
    pub term: crate::terms::TermDuration,
    /// When the current term began: the purchase, or the last renewal. The cancellation
    /// window runs from here.
    pub term_started_at: DateTimeUtc,
    /// When the current term ends; the worker renews or ends the subscription then.
    pub term_ends_at: DateTimeUtc,
    /// Renew for another term at `term_ends_at` (else the subscription ends then).
    pub auto_renew: bool,
    /// 1 for the first term, one more for each renewal (the worker's claim compares it, so
    /// a term renews once however many workers run).
    pub term_number: i32,
    /// The nearest term-end notice already sent for the current term (30, then 7 days).
    pub term_reminded_days: Option<i32>,
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

impl ActiveModel {
    /// The first term of a new subscription: `term` from `start`, renewing or not.
    pub fn with_first_term(
        mut self,
        term: crate::terms::TermDuration,
        start: DateTimeUtc,
        auto_renew: bool,
    ) -> Self {
        use sea_orm::ActiveValue::Set;
        self.term = Set(term);
        self.term_started_at = Set(start);
        self.term_ends_at = Set(term.end_of_term_from(start));
        self.auto_renew = Set(auto_renew);
        self.term_number = Set(1);
        self.term_reminded_days = Set(None);
        self
    }
}
