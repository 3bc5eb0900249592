//! Webhook endpoints as organizations manage them (registration, secrets, the delivery
//! log, test events, redelivery). Delivery itself is the worker's (`worker::webhooks`);
//! which events reach an endpoint is decided where events are written
//! (`entity::audit_entry::fan_out_insert`), by the audit log's visibility rule.

mod delivery_log;
pub mod graphql;
mod mutations;
mod rows;
mod rules;
pub mod service;

pub use graphql::WebhookQuery;
pub use mutations::WebhookMutation;
