//! Accounts: sign-in with throttling, sessions, password changes, and an organization ADMIN
//! managing its users. `service`-style functions take a connection and are usable without HTTP.

pub mod graphql;
pub mod login;
pub mod members;
pub mod session;
pub mod validate;

pub use graphql::{AccountMutation, AccountQuery, User};
