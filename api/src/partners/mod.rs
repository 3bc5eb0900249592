//! Partner organizations and their enrollment: public sign-up of a provider or reseller with
//! its first ADMIN, platform approval (PENDING -> ACTIVE) and suspension.

pub mod graphql;
pub mod service;

pub use graphql::{EnrollmentMutation, Partner, PartnerQuery};
