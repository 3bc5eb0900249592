//! Partnerships with indirect resellers: invitations by email (through the outbox and the
//! worker), the public preview and landing page, acceptance, and the partnership lists.

pub mod draft;
pub mod graphql;
pub mod invitations;
pub mod landing;
mod mutations;
mod queries;
pub mod service;
pub mod usage;

pub use graphql::PartnershipMutation;
pub use queries::PartnershipQuery;
