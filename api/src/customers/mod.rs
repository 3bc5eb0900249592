//! Customers, orders and subscriptions on a reseller's behalf: the New customer wizard
//! (`domainAvailable`, `previewOrder`, `createCustomer`), delegated administration, orders
//! with one line per change, partner of record and support contact.

pub mod access;
pub mod admin_account;
pub mod cancellation;
pub mod designations;
pub mod eligibility;
pub mod graphql;
pub mod incentives;
mod mutations;
pub mod onboarding;
mod onboarding_checks;
pub mod ordering;
pub mod orders;
pub mod page;
mod page_list;
pub mod pricing;
mod queries;
pub mod relationship_api;
pub mod relationships;
pub mod subscriptions;

pub use admin_account::CustomerAdminMutation;
pub use graphql::{CustomerMutation, CustomerQuery};
pub use relationship_api::RelationshipMutation;

/// `GET /customer-relationships/accept?token=…`: where the customer's admin accepts, in
/// the reader's language (`?lang=` or `Accept-Language`).
pub async fn relationship_page(
    query: crate::pages::PageQuery,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    let reader = crate::pages::Reader::of("/customer-relationships/accept", query, &headers);
    crate::pages::with_token_headers(crate::pages::render_for(
        &reader,
        "relationship.html",
        minijinja::Value::UNDEFINED,
    ))
}
