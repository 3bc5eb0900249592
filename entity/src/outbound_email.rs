//! The transactional outbox: an email written in the same transaction as the change that
//! causes it, delivered afterwards by the worker.

use crate::enums::DeliveryStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbound_emails")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// What the email is about, e.g. `PARTNERSHIP_INVITATION`.
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    /// When the relay may hand the row to the queue again if it is still unsent.
    pub next_attempt_at: DateTimeUtc,
    /// Set while a worker is sending, so two copies of the job never both send.
    pub locked_until: Option<DateTimeUtc>,
    pub sent_at: Option<DateTimeUtc>,
    /// A secret in the bodies (an invitation token) that is replaced by `[redacted]` once the
    /// email is sent, so the database keeps no usable token after delivery.
    pub scrub_after_send: Option<String>,
    /// After a failed attempt: no new attempt before this time, whichever copy of the job
    /// runs (the backoff holds even against duplicate jobs).
    pub retry_after: Option<DateTimeUtc>,
    /// Which send holds the row (a fresh id per claim): a sender writes its result only while
    /// the claim is still its own, so a stale sender cannot resurrect a withdrawn email.
    pub claim_id: Option<String>,
    /// The reader's language (BCP 47) and what the email says (JSON of
    /// `worker::compose::EmailContent`): the worker renders subject and bodies from them at
    /// send time, so a template fix reaches emails not yet sent. Older rows have neither and
    /// are sent as stored.
    pub language: Option<String>,
    pub content: Option<String>,
    /// The W3C `traceparent` of the request that wrote the row (traces on): the job the
    /// outbox relay enqueues for it continues that trace, as the pushed job does.
    pub trace_parent: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
