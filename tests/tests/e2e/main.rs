//! One integration binary for the whole system: every test talks HTTP to a real server on
//! port 0 with a fresh database, and most run on both SQLite and PostgreSQL (`e2e!`).

// The schema's merged roots nest deeper than rustc's default query depth (128) allows
// when the executor's futures are laid out.
#![recursion_limit = "256"]

mod accounts;
mod admin_relationships;
mod api_clients;
mod audit;
mod browser;
mod catalog;
mod customer_imports;
mod customers;
mod direct;
mod directory;
mod events;
mod hardening;
mod http_surface;
mod languages;
mod limits;
mod members;
mod mfa;
mod observability;
mod paging;
mod partnerships;
mod price_lists;
mod races;
mod review;
mod schema_file;
mod tenancy;
mod terms;
mod trusted_documents;
