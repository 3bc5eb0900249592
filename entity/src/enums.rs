//! Domain enums stored as upper-case strings (portable across SQLite and PostgreSQL).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The two tiers of the indirect program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum PartnerKind {
    /// Tier 1: buys from the vendor and sells through resellers; invites resellers, creates
    /// customers and places orders.
    #[sea_orm(string_value = "INDIRECT_PROVIDER")]
    IndirectProvider,
    /// Tier 2: sells to customers through its providers; accepts partnership invitations
    /// and administers the customers delegated to it.
    #[sea_orm(string_value = "INDIRECT_RESELLER")]
    IndirectReseller,
}

/// Enrollment lifecycle: PENDING -> ACTIVE (platform approves) -> SUSPENDED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum EnrollmentStatus {
    /// Enrolled, waiting for the platform's approval: users can sign in, but the
    /// organization cannot invite, accept or be designated yet.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// Approved: a full member of the program.
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    /// Suspended by the platform: users can sign in and read, not change anything.
    #[sea_orm(string_value = "SUSPENDED")]
    Suspended,
}

/// What a user may do. Partner roles apply inside one partner organization;
/// `PlatformAdmin` belongs to the program operator and has no partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum UserRole {
    /// The program operator's administrator: approves enrollments, resolves profile change
    /// requests, sees every partner and the whole audit log (not customers).
    #[sea_orm(string_value = "PLATFORM_ADMIN")]
    PlatformAdmin,
    /// Everything in its organization, including users, partnerships, invitations, the
    /// profile and webhooks.
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    /// Customers, orders and subscriptions.
    #[sea_orm(string_value = "SALES_AGENT")]
    SalesAgent,
    /// Reads; support contact work.
    #[sea_orm(string_value = "HELPDESK_AGENT")]
    HelpdeskAgent,
    /// The admin account of an end customer's tenant.
    #[sea_orm(string_value = "CUSTOMER_ADMIN")]
    CustomerAdmin,
}

/// The product family of an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum OfferCategory {
    /// Office and collaboration suites (Microsoft 365 and the like).
    #[sea_orm(string_value = "PRODUCTIVITY")]
    Productivity,
    /// Azure cloud services: a customer holding one has an Azure tenant a reseller can be
    /// granted ownership of.
    #[sea_orm(string_value = "AZURE")]
    Azure,
    /// Security products.
    #[sea_orm(string_value = "SECURITY")]
    Security,
}

/// How often a subscription to an offer is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum BillingCycle {
    /// Billed every month.
    #[sea_orm(string_value = "MONTHLY")]
    Monthly,
    /// Billed once a year.
    #[sea_orm(string_value = "ANNUAL")]
    Annual,
}

/// Invitation lifecycle: PENDING -> ACCEPTED | DECLINED | REVOKED | EXPIRED. Single use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum InvitationStatus {
    /// Sent, waiting for an answer; the link works until `expiresAt`.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// Accepted through the link (final).
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    /// Declined through the link (final).
    #[sea_orm(string_value = "DECLINED")]
    Declined,
    /// Withdrawn by the provider; the link no longer works (final).
    #[sea_orm(string_value = "REVOKED")]
    Revoked,
    /// Not answered in time (30 days by default); a partnership invitation can be re-sent
    /// with a new link.
    #[sea_orm(string_value = "EXPIRED")]
    Expired,
}

/// Partnership lifecycle: ACTIVE -> ENDED. At most one ACTIVE per provider-reseller pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PartnershipStatus {
    /// In force: the provider can designate the reseller and order on its behalf.
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    /// Ended by either side's ADMIN (final; a new invitation starts a new partnership).
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
    /// In use; licenses can be added, removed or upgraded.
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    /// Paused by the provider or the delegated reseller; can be reactivated.
    #[sea_orm(string_value = "SUSPENDED")]
    Suspended,
    /// Ended, e.g. upgraded to another offer (final).
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
    /// Licenses added to an existing subscription.
    #[sea_orm(string_value = "ADD_QUANTITY")]
    AddQuantity,
    /// Licenses removed from an existing subscription (`quantityChange` is negative).
    #[sea_orm(string_value = "REMOVE_QUANTITY")]
    RemoveQuantity,
    /// The subscription moved to another offer.
    #[sea_orm(string_value = "UPGRADE")]
    Upgrade,
    /// The subscription's term ended and it renewed for another (placed by the worker, at
    /// the prices in force when the new term began).
    #[sea_orm(string_value = "RENEWAL")]
    Renewal,
}

/// Profile change (support) request: SUBMITTED -> IN_REVIEW -> COMPLETED | REJECTED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ProfileRequestStatus {
    /// Sent by the provider, not yet looked at.
    #[sea_orm(string_value = "SUBMITTED")]
    Submitted,
    /// A platform administrator is working on it.
    #[sea_orm(string_value = "IN_REVIEW")]
    InReview,
    /// Applied: the profile and the directory show the change (final).
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    /// Refused, with a `rejectionReason` (final).
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

/// Admin relationship lifecycle: PENDING_APPROVAL -> ACTIVE -> EXPIRED | TERMINATED, and
/// PENDING_APPROVAL -> DECLINED | EXPIRED (not approved in time) | TERMINATED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum AdminRelationshipStatus {
    /// Created by the provider, waiting for the customer's admin.
    #[sea_orm(string_value = "PENDING_APPROVAL")]
    PendingApproval,
    /// Approved: the reseller holds its roles until `endsAt`.
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    /// The customer's admin declined it.
    #[sea_orm(string_value = "DECLINED")]
    Declined,
    /// Reached its end without extending, or was not approved within 30 days.
    #[sea_orm(string_value = "EXPIRED")]
    Expired,
    /// Ended early by the provider, the reseller or the customer.
    #[sea_orm(string_value = "TERMINATED")]
    Terminated,
}

/// What an admin relationship lets a reseller do with the customer's objects. Every role
/// includes `CUSTOMER_READER`. Stored as a comma-separated list in `admin_relationships.roles`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
pub enum AdminRole {
    /// Read the customer, its subscriptions, orders and support contacts.
    CustomerReader,
    /// Place orders for the customer.
    OrderManager,
    /// Change quantities, suspend, reactivate, upgrade and cancel subscriptions.
    SubscriptionManager,
    /// Reset the customer admin's password.
    UserAdministrator,
    /// Own the customer's Azure tenant (`grantAzureTenantOwner`).
    TenantOwner,
}

impl AdminRole {
    pub const ALL: [AdminRole; 5] = [
        AdminRole::CustomerReader,
        AdminRole::OrderManager,
        AdminRole::SubscriptionManager,
        AdminRole::UserAdministrator,
        AdminRole::TenantOwner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AdminRole::CustomerReader => "CUSTOMER_READER",
            AdminRole::OrderManager => "ORDER_MANAGER",
            AdminRole::SubscriptionManager => "SUBSCRIPTION_MANAGER",
            AdminRole::UserAdministrator => "USER_ADMINISTRATOR",
            AdminRole::TenantOwner => "TENANT_OWNER",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The stored form of a set of roles: sorted, deduplicated, `CUSTOMER_READER` always in.
    pub fn store(roles: &[AdminRole]) -> String {
        let mut all: Vec<AdminRole> = roles.to_vec();
        all.push(AdminRole::CustomerReader);
        all.sort();
        all.dedup();
        all.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
    }

    /// The roles of a stored list (unknown names are skipped).
    pub fn load(stored: &str) -> Vec<AdminRole> {
        stored
            .split(',')
            .filter_map(|s| Self::parse(s.trim()))
            .collect()
    }

    /// What a relationship grants by default: every role but `TENANT_OWNER`.
    pub const DEFAULTS: [AdminRole; 4] = [
        AdminRole::CustomerReader,
        AdminRole::OrderManager,
        AdminRole::SubscriptionManager,
        AdminRole::UserAdministrator,
    ];
}
