//! Admin relationships: granular, time-bound delegated administration of a customer by a
//! reseller, and the ways out of a delegation (offboarding).
//!
//! Owns the `admin_relationships` table and everything that decides what a reseller may do
//! with a customer's objects (`access`), the lifecycle (`service`: created by the provider;
//! `approval`: approved or declined by the customer's admin through an emailed single-use
//! link to `GET /admin-relationships/approve`; `ending`: terminated by any party,
//! auto-extension switched by the provider; the worker expires, extends and reminds,
//! `worker::delegation`), one audit entry per transition (`lifecycle`), the
//! mapping of the single designation of earlier versions (`replace`), and offboarding a
//! reseller (`offboarding`).

pub mod access;
mod approval;
mod ending;
pub mod graphql;
pub mod lifecycle;
mod mutations;
pub mod offboarding;
mod offboarding_api;
mod offboarding_designations;
pub mod replace;
pub mod service;

pub use graphql::AdminRelationshipQuery;
pub use mutations::AdminRelationshipMutation;
pub use offboarding_api::OffboardingMutation;

/// `GET /admin-relationships/approve?token=…`: where the customer's admin signs in, sees
/// the provider, reseller, roles and duration, and approves or declines, in the reader's
/// language (`?lang=` or `Accept-Language`).
pub async fn approval_page(
    query: crate::pages::PageQuery,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    let reader = crate::pages::Reader::of("/admin-relationships/approve", query, &headers);
    crate::pages::with_token_headers(crate::pages::render_for(
        &reader,
        "admin_relationship.html",
        minijinja::Value::UNDEFINED,
    ))
}
