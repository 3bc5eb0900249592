//! Partner Center API: the GraphQL server of the two-tier reseller program.
//!
//! Map: `startup` builds the application; `http` owns routes and middleware; `graphql` the
//! schema core (ids, connections, errors); feature modules (`accounts`, `partners`,
//! `catalog`) each own their service functions and resolvers.

// The schema's merged roots nest deeper than rustc's default query depth (128) allows
// when the executor's futures are laid out.
#![recursion_limit = "256"]

pub mod accounts;
pub mod admin;
pub mod admin_relationships;
pub mod api_clients;
pub mod audit;
pub mod auth;
pub mod budget;
pub mod catalog;
pub mod cli;
pub mod customer_imports;
pub mod customers;
pub mod dashboard;
pub mod db;
pub mod demo;
mod demo_delegation;
mod demo_terms;
pub mod directory;
pub mod error;
pub mod events;
pub mod graphql;
pub mod http;
pub mod jobs;
pub mod language;
pub mod mailbox;
pub(crate) mod memory;
pub mod metrics;
pub mod mfa;
pub mod outbox;
pub mod pages;
pub mod partners;
pub mod partnerships;
pub mod price_lists;
pub mod settings;
pub mod startup;
pub mod telemetry;
pub mod terms;
pub mod throttle;
pub mod trusted_documents;
pub mod webhooks;

pub use settings::Settings;
pub use startup::Application;
