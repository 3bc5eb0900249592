//! The job worker: email delivery from the transactional outbox and scheduled invitation
//! expiry, on apalis (Redis in production, SQLite in embedded mode).
//!
//! The job payload types live here and are shared with the API, which enqueues them.
