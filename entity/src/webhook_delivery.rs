//! One event on its way to one webhook endpoint: the webhook outbox. Rows are written in the
//! transaction of the change (see `audit_entry::FAN_OUT_SQL`), claimed and sent by the
//! worker, retried with backoff, and kept as the endpoint's delivery log.

use crate::enums::WebhookDeliveryStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub endpoint_id: i32,
    /// The event: an audit entry.
    pub audit_entry_id: i32,
    pub status: WebhookDeliveryStatus,
    pub attempts: i32,
    /// The HTTP status of the last attempt that got an answer.
    pub response_status: Option<i32>,
    /// Why the last attempt failed (bounded text).
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    /// When the next attempt is due (PENDING).
    pub next_attempt_at: DateTimeUtc,
    /// Set while a worker is sending; a dead worker's claim lapses.
    pub locked_until: Option<DateTimeUtc>,
    /// Which send holds the row; results are written only under it.
    pub claim_id: Option<String>,
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
