//! The offer catalog owned by the platform operator: what can be ordered, where, in what
//! quantities and at what price, and which offers a subscription may be upgraded to.

pub mod graphql;
pub mod service;

pub use graphql::{CatalogQuery, Money, Offer};
