//! Logs and traces: the same set-up as the worker binary (`worker::telemetry`).

use crate::settings::LogFormat;
pub use worker::telemetry::Telemetry;

/// Keep the answer until the process exits: dropping it flushes the traces.
pub fn init(format: LogFormat) -> Telemetry {
    worker::telemetry::init(format == LogFormat::Json, "partner-center-api")
}
