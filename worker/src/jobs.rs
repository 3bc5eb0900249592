//! Job payloads shared by the API (which enqueues) and the worker (which runs them), with
//! their explicit queue names. Payloads carry ids only: the worker re-reads the row.

use serde::{Deserialize, Serialize};

/// Deliver one row of the `outbound_emails` outbox.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct SendEmail {
    pub outbound_email_id: i32,
}

/// Queue (Redis key prefix / SQLite job type) of [`SendEmail`].
pub const SEND_EMAIL_QUEUE: &str = "partner-center:send-email";
