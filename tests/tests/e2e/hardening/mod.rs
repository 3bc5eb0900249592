//! Regressions of the outside probe (issue 10): each module holds one class of defect.

mod conformance;
mod csrf;
mod documents;
mod enumeration;
mod inputs;
mod introspection;
mod logos;
mod operations;
mod queue_outage;
mod socket_documents;
mod webhooks;
