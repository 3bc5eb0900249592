//! Job payloads shared by the API (which enqueues) and the worker (which runs them), with
//! their explicit queue names. Payloads carry ids only (the worker re-reads the row), and
//! the trace they continue.

use serde::{Deserialize, Serialize};

/// Deliver one row of the `outbound_emails` outbox.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SendEmail {
    pub outbound_email_id: i32,
    /// W3C `traceparent` of the request that queued it (none from the relay, or with
    /// traces off); jobs queued before this field existed read as none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
}

/// Queue (Redis key prefix / SQLite job type) of [`SendEmail`].
pub const SEND_EMAIL_QUEUE: &str = "partner-center:send-email";
