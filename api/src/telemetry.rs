//! Structured logs: the same set-up as the worker binary (`worker::telemetry`).

use crate::settings::LogFormat;

pub fn init(format: LogFormat) {
    worker::telemetry::init(format == LogFormat::Json);
}
