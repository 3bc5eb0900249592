//! Accounts: sign-in with throttling, sessions, password changes, a user's own preferences,
//! and an organization ADMIN managing its users. `service`-style functions take a connection
//! and are usable without HTTP; `graphql`, `members_graphql` and `people` are the GraphQL
//! surface.

pub mod graphql;
pub mod login;
pub mod members;
pub mod members_graphql;
pub mod people;
pub mod preferences;
pub mod session;
pub mod validate;

pub use graphql::AccountMutation;
pub use members_graphql::MemberMutation;
pub use people::{AccountQuery, User};
