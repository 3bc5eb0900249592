//! The benchmark harness (`scripts/bench`): starts the release build in production mode
//! against local PostgreSQL and Redis, seeds the dataset, measures each figure beside the
//! limit the machine itself allows, and prints a table and JSON. See BENCHMARKS.md.
//!
//! - `dataset`: the seeded database; `processes`: the product's binaries as children;
//! - `load`: the checking, closed-loop HTTP load generator; `scenarios`: what it sends;
//! - `pgbench`: the same SQL run by pgbench; `email`: SMTP sink and pipeline; `expiry`;
//! - `events` (with `subscriber`): live events to WebSocket subscribers; `webhooks` (with
//!   `receiver`): webhook deliveries beside a plain HTTP client;
//! - `report`: table and JSON; `run`: the whole sequence.

pub mod dataset;
pub mod email;
pub mod events;
pub mod expiry;
pub mod load;
pub mod pgbench;
pub mod processes;
pub mod receiver;
pub mod report;
pub mod run;
pub mod scenarios;
pub mod subscriber;
pub mod webhooks;
