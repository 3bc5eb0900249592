//! Domain enums stored as upper-case strings (portable across SQLite and PostgreSQL).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The two tiers of the indirect program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum PartnerKind {
    #[sea_orm(string_value = "INDIRECT_PROVIDER")]
    IndirectProvider,
    #[sea_orm(string_value = "INDIRECT_RESELLER")]
    IndirectReseller,
}

/// Enrollment lifecycle: PENDING -> ACTIVE (platform approves) -> SUSPENDED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum EnrollmentStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "SUSPENDED")]
    Suspended,
}

/// What a user may do. Partner roles apply inside one partner organization;
/// `PlatformAdmin` belongs to the program operator and has no partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum UserRole {
    #[sea_orm(string_value = "PLATFORM_ADMIN")]
    PlatformAdmin,
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    #[sea_orm(string_value = "SALES_AGENT")]
    SalesAgent,
    #[sea_orm(string_value = "HELPDESK_AGENT")]
    HelpdeskAgent,
    /// The admin account of an end customer's tenant.
    #[sea_orm(string_value = "CUSTOMER_ADMIN")]
    CustomerAdmin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum OfferCategory {
    #[sea_orm(string_value = "PRODUCTIVITY")]
    Productivity,
    #[sea_orm(string_value = "AZURE")]
    Azure,
    #[sea_orm(string_value = "SECURITY")]
    Security,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum BillingCycle {
    #[sea_orm(string_value = "MONTHLY")]
    Monthly,
    #[sea_orm(string_value = "ANNUAL")]
    Annual,
}

/// Invitation lifecycle: PENDING -> ACCEPTED | DECLINED | REVOKED | EXPIRED. Single use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum InvitationStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    #[sea_orm(string_value = "DECLINED")]
    Declined,
    #[sea_orm(string_value = "REVOKED")]
    Revoked,
    #[sea_orm(string_value = "EXPIRED")]
    Expired,
}

/// Partnership lifecycle: ACTIVE -> ENDED. At most one ACTIVE per provider-reseller pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PartnershipStatus {
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "ENDED")]
    Ended,
}

/// Email delivery: QUEUED -> SENT | FAILED (after the last attempt; can be re-sent) |
/// CANCELLED (deliberately not sent: its link stopped working first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum DeliveryStatus {
    /// Waiting to be sent, or to be tried again.
    #[sea_orm(string_value = "QUEUED")]
    Queued,
    /// Accepted by the mail server.
    #[sea_orm(string_value = "SENT")]
    Sent,
    /// Every attempt failed; `lastError` says why. Re-send the invitation to try again.
    #[sea_orm(string_value = "FAILED")]
    Failed,
    /// Not sent on purpose: the invitation or request was answered, revoked, re-sent or
    /// expired before the email went out. Not a failure.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// Subscription lifecycle: ACTIVE <-> SUSPENDED, -> CANCELLED (also when upgraded away).
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SubscriptionStatus {
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "SUSPENDED")]
    Suspended,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// One change recorded on an order, like a commerce order history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum OrderLineKind {
    /// A new subscription.
    #[sea_orm(string_value = "NEW")]
    New,
    #[sea_orm(string_value = "ADD_QUANTITY")]
    AddQuantity,
    #[sea_orm(string_value = "REMOVE_QUANTITY")]
    RemoveQuantity,
    /// The subscription moved to another offer.
    #[sea_orm(string_value = "UPGRADE")]
    Upgrade,
}

/// Profile change (support) request: SUBMITTED -> IN_REVIEW -> COMPLETED | REJECTED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ProfileRequestStatus {
    #[sea_orm(string_value = "SUBMITTED")]
    Submitted,
    #[sea_orm(string_value = "IN_REVIEW")]
    InReview,
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
}

/// A webhook delivery: PENDING -> DELIVERED (a 2xx answer) | FAILED (after the last attempt;
/// can be redelivered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum WebhookDeliveryStatus {
    /// Waiting for its first or next attempt.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// The endpoint answered 2xx.
    #[sea_orm(string_value = "DELIVERED")]
    Delivered,
    /// Every attempt failed; `lastError` and `responseStatus` say why.
    #[sea_orm(string_value = "FAILED")]
    Failed,
}
