//! The rules that cross features, declared per root field in one table (`table`) and
//! enforced once, before execution, on both ways in (`POST /graphql` and `/graphql/ws`):
//!
//! - the scope an API client needs ([`Need`]): a token without it gets `FORBIDDEN` with
//!   `extensions.reason = "INSUFFICIENT_SCOPE"` and `extensions.requiredScope` (dotted);
//!   fields for people only (users, passwords, sessions, second factors, API clients,
//!   platform administration, `viewer`) answer a client `FORBIDDEN` with reason
//!   `NOT_A_USER`;
//! - whether a field is exempt from the second-factor enrolment rule (`mfa_exempt`, read by
//!   `mfa::gate`, which applies the organization's rule).
//!
//! Resolvers do not check scopes. `node`/`nodes` need no scope of their own; each object
//! they return needs its type's read scope ([`node_need`], one match over every node type).
//! A test walks the exported schema and fails on a root field without a row.

mod table;
#[cfg(test)]
mod tests;

use crate::api_clients::ApiScope;
use crate::auth::{Actor, ClientRef};
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::NodeType;
use async_graphql::parser::types::OperationType;

/// What an API client needs for a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// No scope (the field's own rules still apply).
    Open,
    /// Every one of these scopes.
    Scopes(&'static [ApiScope]),
    /// Never an API client.
    PeopleOnly,
}

/// The declaration of one root field.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub need: Need,
    /// Allowed while the organization requires a second factor the user has not enrolled.
    pub mfa_exempt: bool,
}

/// Every declaration of a root type, in schema order.
pub fn declared(root: OperationType) -> &'static [(&'static str, Policy)] {
    match root {
        OperationType::Query => table::QUERY,
        OperationType::Mutation => table::MUTATION,
        OperationType::Subscription => table::SUBSCRIPTION,
    }
}

/// The declarations of a root type by its name in the schema (`QueryRoot`,
/// `MutationRoot`, `SubscriptionRoot`), for tests generated from the schema.
pub fn declared_on(type_name: &str) -> Option<&'static [(&'static str, Policy)]> {
    Some(declared(match type_name {
        "QueryRoot" => OperationType::Query,
        "MutationRoot" => OperationType::Mutation,
        "SubscriptionRoot" => OperationType::Subscription,
        _ => return None,
    }))
}

/// The declaration of `field` on `root`; none for a field the schema does not have.
pub fn of(root: OperationType, field: &str) -> Option<&'static Policy> {
    declared(root)
        .iter()
        .find(|(name, _)| *name == field)
        .map(|(_, policy)| policy)
}

/// Why a client was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// `INSUFFICIENT_SCOPE`, with the scope missing.
    Scope(ApiScope),
    /// `NOT_A_USER`.
    NotAUser,
}

impl Refused {
    pub fn reason(self) -> &'static str {
        match self {
            Self::Scope(_) => "INSUFFICIENT_SCOPE",
            Self::NotAUser => "NOT_A_USER",
        }
    }

    pub fn required_scope(self) -> Option<&'static str> {
        match self {
            Self::Scope(scope) => Some(scope.dotted()),
            Self::NotAUser => None,
        }
    }

    pub fn message(self) -> worker::i18n::Message {
        match self {
            Self::Scope(scope) => worker::msg!("error-insufficient-scope", scope = scope.dotted()),
            Self::NotAUser => worker::msg!("error-not-a-user"),
        }
    }
}

impl From<Refused> for ApiError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Scope(scope) => ApiError::MissingScope(scope.dotted()),
            Refused::NotAUser => ApiError::Forbidden("NOT_A_USER"),
        }
    }
}

fn check(client: &ClientRef, need: Need) -> Result<(), Refused> {
    match need {
        Need::Open => Ok(()),
        Need::PeopleOnly => Err(Refused::NotAUser),
        Need::Scopes(needed) => match needed.iter().find(|s| !client.scopes.contains(**s)) {
            Some(missing) => Err(Refused::Scope(*missing)),
            None => Ok(()),
        },
    }
}

/// Whether `client` may still run `field` on `root` as declared (for work that outlives the
/// request, such as a customer import's batches).
pub fn allows(client: &ClientRef, root: OperationType, field: &str) -> Result<(), Refused> {
    match of(root, field) {
        Some(policy) => check(client, policy.need),
        None => Err(Refused::NotAUser),
    }
}

/// The check before execution: the root fields the operation runs, against the caller. Only
/// API clients are limited here; a field the schema does not have is left to validation.
pub fn admit(actor: Option<&Actor>, root: OperationType, fields: &[String]) -> Result<(), Refused> {
    let Some(client) = actor.and_then(Actor::client) else {
        return Ok(());
    };
    for field in fields.iter().filter(|f| !f.starts_with("__")) {
        if let Some(policy) = of(root, field) {
            check(client, policy.need)?;
        }
    }
    Ok(())
}

/// What a client needs to read an object of `node_type` through `node`/`nodes` (its
/// domain's read scope).
pub fn node_need(node_type: NodeType) -> Need {
    use ApiScope::*;
    match node_type {
        NodeType::Offer => Need::Open,
        NodeType::Partner | NodeType::PartnershipInvitation | NodeType::Partnership => {
            Need::Scopes(&[PartnershipsRead])
        }
        NodeType::Customer
        | NodeType::Subscription
        | NodeType::Order
        | NodeType::CustomerRelationshipRequest
        | NodeType::AdminRelationship => Need::Scopes(&[CustomersRead]),
        // A provider's prices to its resellers: partnership business.
        NodeType::PriceList => Need::Scopes(&[PartnershipsRead]),
        // An import is customer business: its rows are customers.
        NodeType::CustomerImport => Need::Scopes(&[CustomersRead]),
        NodeType::ProfileChangeRequest => Need::Scopes(&[DirectoryWrite]),
        NodeType::Event => Need::Scopes(&[AuditRead]),
        NodeType::WebhookEndpoint | NodeType::WebhookDelivery => Need::Scopes(&[WebhooksManage]),
        NodeType::User | NodeType::ApiClient => Need::PeopleOnly,
    }
}

/// The few fields below the root that lead to people (`Partner.users`,
/// `ApiClient.createdBy`): refused to API clients, as `User` is through `node`.
pub fn people_only(actor: &Actor) -> ApiResult<()> {
    match actor.client() {
        Some(_) => Err(Refused::NotAUser.into()),
        None => Ok(()),
    }
}

/// `node`/`nodes` for a client: refused without the object type's read scope.
pub fn admit_node(client: &ClientRef, node_type: NodeType) -> ApiResult<()> {
    Ok(check(client, node_need(node_type))?)
}
