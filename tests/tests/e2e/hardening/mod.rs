//! Regressions of the outside probe (issue 10): each module holds one class of defect.

mod csrf;
mod documents;
mod inputs;
mod operations;
mod queue_outage;
mod webhooks;
