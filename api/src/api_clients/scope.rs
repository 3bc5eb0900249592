//! `ApiScope`: what an API client may do. Dotted on the wire (`orders:write` in the OAuth
//! `scope` parameter and in `extensions.requiredScope`), upper snake case in GraphQL.
//! A set of scopes is a small bit set, stored as dotted names separated by spaces.

use async_graphql::Enum;

/// What an API client may do; each root field states the scope it needs.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiScope {
    /// Read customers, their subscriptions, orders and relationships (`customers:read`).
    CustomersRead,
    /// Change customers and subscriptions (`customers:write`).
    CustomersWrite,
    /// Place orders; `createCustomer` and `placeOrder` need `customers:write` too
    /// (`orders:write`).
    OrdersWrite,
    /// Read partnerships and partnership invitations (`partnerships:read`).
    PartnershipsRead,
    /// Request, answer and end partnerships (`partnerships:write`).
    PartnershipsWrite,
    /// Manage webhook endpoints and deliveries (`webhooks:manage`).
    WebhooksManage,
    /// Read the audit log (`audit:read`).
    AuditRead,
    /// Subscribe to events over WebSocket (`events:read`).
    EventsRead,
    /// Submit and read profile change requests (`directory:write`).
    DirectoryWrite,
}

impl ApiScope {
    pub const ALL: [ApiScope; 9] = [
        Self::CustomersRead,
        Self::CustomersWrite,
        Self::OrdersWrite,
        Self::PartnershipsRead,
        Self::PartnershipsWrite,
        Self::WebhooksManage,
        Self::AuditRead,
        Self::EventsRead,
        Self::DirectoryWrite,
    ];

    /// The wire name (`customers:read`).
    pub fn dotted(self) -> &'static str {
        match self {
            Self::CustomersRead => "customers:read",
            Self::CustomersWrite => "customers:write",
            Self::OrdersWrite => "orders:write",
            Self::PartnershipsRead => "partnerships:read",
            Self::PartnershipsWrite => "partnerships:write",
            Self::WebhooksManage => "webhooks:manage",
            Self::AuditRead => "audit:read",
            Self::EventsRead => "events:read",
            Self::DirectoryWrite => "directory:write",
        }
    }

    pub fn from_dotted(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.dotted() == name)
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A set of scopes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scopes(u16);

impl Scopes {
    pub fn of(scopes: impl IntoIterator<Item = ApiScope>) -> Self {
        Self(scopes.into_iter().fold(0, |bits, s| bits | s.bit()))
    }

    pub fn contains(self, scope: ApiScope) -> bool {
        self.0 & scope.bit() != 0
    }

    pub fn is_subset_of(self, other: Scopes) -> bool {
        self.0 & !other.0 == 0
    }

    pub fn list(self) -> Vec<ApiScope> {
        ApiScope::ALL
            .into_iter()
            .filter(|s| self.contains(*s))
            .collect()
    }

    /// Dotted names separated by single spaces, in a fixed order (stored, and the OAuth
    /// `scope` of a token response).
    pub fn dotted(self) -> String {
        self.list()
            .iter()
            .map(|s| s.dotted())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A stored or requested list: `None` if a name is not a scope.
    pub fn parse(text: &str) -> Option<Self> {
        text.split_ascii_whitespace()
            .map(ApiScope::from_dotted)
            .collect::<Option<Vec<_>>>()
            .map(Self::of)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_through_their_dotted_names() {
        let all = Scopes::of(ApiScope::ALL);
        assert_eq!(Scopes::parse(&all.dotted()), Some(all));
        let some = Scopes::parse("orders:write  customers:read").unwrap();
        assert_eq!(some.dotted(), "customers:read orders:write");
        assert!(some.is_subset_of(all));
        assert!(!all.is_subset_of(some));
        assert_eq!(Scopes::parse("orders:write admin"), None);
        assert_eq!(Scopes::parse(""), Some(Scopes::default()));
    }
}
