//! The job worker: email delivery from the transactional outbox and scheduled invitation
//! expiry, on apalis (Redis in production, SQLite in embedded mode).
//!
//! The job payload types and queue names live in [`jobs`] and are shared with the API,
//! which enqueues them after committing the outbox row ([`queue::EmailQueue::push`]).

pub mod board;
pub mod boot;
pub mod compose;
pub mod delegation;
pub mod delivery;
pub mod expiry;
pub mod http;
pub mod i18n;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod queue;
pub mod relay;
pub mod retention;
pub mod runtime;
pub mod settings;
pub mod signal;
pub mod telemetry;
pub mod terms;
pub mod webhooks;

pub use settings::{JobSettings, WorkerSettings};
