//! Customers, orders and subscriptions on a reseller's behalf: the New customer wizard
//! (`domainAvailable`, `previewOrder`, `createCustomer`), delegated administration, orders
//! with one line per change, partner of record and support contact.

pub mod access;
pub mod graphql;
pub mod incentives;
mod mutations;
pub mod onboarding;
pub mod orders;
pub mod pricing;
pub mod subscriptions;

pub use graphql::{CustomerMutation, CustomerQuery};
