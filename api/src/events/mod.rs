//! Events: every audit entry, told to those who may see it, three ways (DESIGN "Events"):
//! the `auditLog` query, live GraphQL subscriptions (`events`, served on `/graphql/ws` by
//! `http::ws`), and webhooks (`webhooks`, delivered by the worker).
//!
//! - `audience`: who sees an event (one rule, for all three);
//! - `hub`: this process's tail of the audit log, broadcasting new entries in id order;
//! - `graphql`: the `Event` type and the `events` subscription;
//! - `tail`: one subscriber's stream (replay, then live), filtered with the caller's rights
//!   as of each event.

pub mod audience;
pub mod graphql;
pub mod hub;
mod tail;

pub use graphql::EventSubscription;
pub use hub::Hub;
