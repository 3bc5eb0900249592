//! The clock of second-factor codes and challenge lifetimes. The system clock in service;
//! end-to-end tests set it (`Settings::clock` is shared with the running server) to walk
//! across 30-second steps without sleeping.

use chrono::{DateTime, TimeZone, Utc};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Unset: the system clock.
const SYSTEM: i64 = i64::MIN;

#[derive(Debug, Clone)]
pub struct Clock(Arc<AtomicI64>);

impl Default for Clock {
    fn default() -> Self {
        Self(Arc::new(AtomicI64::new(SYSTEM)))
    }
}

impl Clock {
    /// Now, as codes and challenges see it.
    pub fn now(&self) -> DateTime<Utc> {
        match self.0.load(Ordering::SeqCst) {
            SYSTEM => Utc::now(),
            millis => Utc
                .timestamp_millis_opt(millis)
                .single()
                .unwrap_or_else(Utc::now),
        }
    }

    /// Stops the clock at `at` (tests).
    pub fn set(&self, at: DateTime<Utc>) {
        self.0.store(at.timestamp_millis(), Ordering::SeqCst);
    }

    /// Back to the system clock.
    pub fn reset(&self) {
        self.0.store(SYSTEM, Ordering::SeqCst);
    }
}
