//! Retention: what the product stops keeping once it is no longer needed, run on a schedule
//! in every worker (each step is one set-based statement, safe to run concurrently):
//! - sessions that expired more than `expired_sessions_days` ago;
//! - the bodies of emails that are done (sent, failed or cancelled) for more than
//!   `email_body_days` (the row, its status and its audit entries stay);
//! - rate-limit attempts older than `rate_limit_hours` (no window is that long);
//! - queue jobs that finished more than `finished_jobs_hours` ago;
//! - webhook deliveries done (delivered or failed) for more than the webhooks'
//!   `delivery_log_days` (the delivery log is bounded).

use crate::queue::EmailQueue;
use chrono::{Duration, Utc};
use entity::enums::{DeliveryStatus, WebhookDeliveryStatus};
use entity::{outbound_email, rate_limit_hit, session, webhook_delivery};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct RetentionSettings {
    /// How often the cleanup runs.
    pub interval_seconds: u64,
    pub expired_sessions_days: i64,
    pub email_body_days: i64,
    pub rate_limit_hours: i64,
    pub finished_jobs_hours: u64,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self {
            interval_seconds: 3600,
            expired_sessions_days: 1,
            email_body_days: 30,
            rate_limit_hours: 24,
            finished_jobs_hours: 24,
        }
    }
}

/// What one cleanup pass removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cleaned {
    pub sessions: u64,
    pub email_bodies: u64,
    pub rate_limit_hits: u64,
    pub finished_jobs: u64,
    pub webhook_deliveries: u64,
}

pub async fn clean(
    db: &DatabaseConnection,
    queue: &EmailQueue,
    settings: &RetentionSettings,
    webhooks: &crate::webhooks::WebhookSettings,
) -> Result<Cleaned, sea_orm::DbErr> {
    let now = Utc::now();
    let sessions = session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lt(now - Duration::days(settings.expired_sessions_days)))
        .exec(db)
        .await?
        .rows_affected;
    let email_bodies = outbound_email::Entity::update_many()
        .col_expr(outbound_email::Column::TextBody, Expr::value(""))
        .col_expr(outbound_email::Column::HtmlBody, Expr::value(""))
        .col_expr(
            outbound_email::Column::Content,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            outbound_email::Column::ScrubAfterSend,
            Expr::value(Option::<String>::None),
        )
        .filter(outbound_email::Column::Status.ne(DeliveryStatus::Queued))
        .filter(
            outbound_email::Column::CreatedAt.lt(now - Duration::days(settings.email_body_days)),
        )
        .filter(outbound_email::Column::TextBody.ne(""))
        .exec(db)
        .await?
        .rows_affected;
    let rate_limit_hits = rate_limit_hit::Entity::delete_many()
        .filter(rate_limit_hit::Column::At.lt(now - Duration::hours(settings.rate_limit_hours)))
        .exec(db)
        .await?
        .rows_affected;
    let webhook_deliveries = webhook_delivery::Entity::delete_many()
        .filter(webhook_delivery::Column::Status.ne(WebhookDeliveryStatus::Pending))
        .filter(
            webhook_delivery::Column::CreatedAt
                .lt(now - Duration::days(webhooks.delivery_log_days)),
        )
        .exec(db)
        .await?
        .rows_affected;
    // The queue may be down; the database part still counts.
    let finished_jobs = queue
        .remove_finished(std::time::Duration::from_secs(
            settings.finished_jobs_hours * 3600,
        ))
        .await
        .inspect_err(|e| tracing::warn!(error = %e, "could not remove finished jobs"))
        .unwrap_or(0);
    let cleaned = Cleaned {
        sessions,
        email_bodies,
        rate_limit_hits,
        finished_jobs,
        webhook_deliveries,
    };
    if cleaned != Cleaned::default() {
        tracing::info!(?cleaned, "retention cleanup");
    }
    Ok(cleaned)
}
