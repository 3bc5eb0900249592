//! The benchmark harness (`scripts/bench`): starts the release build in production mode
//! against local PostgreSQL and Redis, seeds the dataset, measures each figure beside the
//! limit the machine itself allows, and prints a table and JSON. See BENCHMARKS.md.
//!
//! - `dataset`: the seeded database; `processes`: the product's binaries as children;
//! - `load`: the checking, closed-loop HTTP load generator; `scenarios`: what it sends;
//! - `pgbench`: the same SQL run by pgbench; `email`: SMTP sink and pipeline; `expiry`;
//! - `events` (with `subscriber`, `fanout`): live events to WebSocket subscribers; `webhooks` (with
//!   `receiver`): webhook deliveries beside a plain HTTP client;
//! - `cpu`: the API's own CPU time per request; `deep_page`: page 1,000 beside page 1;
//! - `trusted`: documents named by id beside their text (issue 26); `lists`: the partnership
//!   list and the audit log, prepared plans beside the general path;
//! - `imports`: a 10,000-row customer import beside `createCustomer` one by one and pgbench;
//! - `report`: table and JSON; `run`: the whole sequence.

pub mod budget;
pub mod cpu;
pub mod dataset;
pub mod deep_page;
pub mod email;
pub mod events;
pub mod expiry;
pub mod fanout;
pub mod imports;
pub mod lists;
pub mod load;
pub mod overhead;
pub mod pgbench;
pub mod pgcpu;
pub mod postgraphile;
pub mod processes;
pub mod read_trusted;
pub mod receiver;
pub mod report;
pub mod run;
pub mod scenarios;
pub mod subscriber;
pub mod terms;
pub mod trusted;
pub mod webhooks;
