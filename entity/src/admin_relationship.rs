//! A granular, time-bound delegation: the customer's provider asks, on a reseller's behalf,
//! for the roles in `roles`; the customer's admin approves; it ends at `ends_at` (unless it
//! auto-extends), or earlier when a party terminates it.

use crate::enums::AdminRelationshipStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "admin_relationships")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub customer_id: i32,
    pub reseller_id: i32,
    pub provider_id: i32,
    /// Comma-separated `AdminRole` names (see `AdminRole::store`).
    pub roles: String,
    pub status: AdminRelationshipStatus,
    pub duration_days: i32,
    pub auto_extend: bool,
    pub created_by_user_id: Option<i32>,
    pub created_at: DateTimeUtc,
    /// Until when the customer may approve (30 days after creation).
    pub approval_expires_at: DateTimeUtc,
    pub approved_at: Option<DateTimeUtc>,
    pub ends_at: Option<DateTimeUtc>,
    pub terminated_at: Option<DateTimeUtc>,
    /// Hex SHA-256 of the approval link's token; cleared once answered.
    #[sea_orm(unique)]
    pub token_hash: Option<String>,
    pub outbound_email_id: Option<i32>,
    /// The smallest reminder (days before `ends_at`) already sent for this `ends_at`.
    pub reminded_days: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
