//! Regressions of the outside probe (issue 10): each module holds one class of defect.

mod conformance;
mod csrf;
mod documents;
mod inputs;
mod introspection;
mod operations;
mod queue_outage;
