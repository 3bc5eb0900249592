//! The delivery loop of one worker process: claim due deliveries in batches, send them with
//! bounded concurrency (`send`), write each result under the claim (`record`): back off,
//! give up, disable.

use super::{WebhookSettings, record, send};
use crate::metrics::{Channel, JobKind, JobOutcome, WorkerMetrics};
use crate::signal::EventSignal;
use chrono::{Duration, Utc};
use entity::enums::WebhookDeliveryStatus as Status;
use entity::event_type::EventType;
use entity::webhook_delivery::{self, Column};
use entity::{audit_entry, webhook_endpoint};
use futures::StreamExt;
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Order, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, Iden,
    QueryFilter,
};
use std::collections::HashMap;

pub use super::send::{Attempt, http_client};

/// Runs until `stop` turns true: every pass claims and sends a batch; an idle loop waits
/// for new events (`signal`) or the poll interval.
pub async fn run(
    db: DatabaseConnection,
    settings: WebhookSettings,
    signal: EventSignal,
    metrics: WorkerMetrics,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let client = http_client(&settings);
    let mut wake = signal.listen();
    let idle = std::time::Duration::from_millis(Ord::max(settings.poll_interval_ms, 10));
    while !*stop.borrow() {
        let sent = match pass(&db, &client, &settings, &signal, &metrics).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "webhook delivery pass failed");
                0
            }
        };
        if sent == 0 {
            tokio::select! {
                _ = wake.recv() => {}
                () = tokio::time::sleep(idle) => {}
                _ = stop.changed() => {}
            }
        }
    }
}

/// One pass: claims up to `batch` due deliveries and sends them; returns how many.
pub async fn pass(
    db: &DatabaseConnection,
    client: &reqwest::Client,
    settings: &WebhookSettings,
    signal: &EventSignal,
    metrics: &WorkerMetrics,
) -> Result<usize, DbErr> {
    let claim = uuid::Uuid::new_v4().to_string();
    let claimed = claim_due(db, settings, &claim).await?;
    if claimed.is_empty() {
        return Ok(0);
    }
    let deliveries = webhook_delivery::Entity::find()
        .filter(Column::Id.is_in(claimed.iter().copied()))
        .all(db)
        .await?;
    let endpoints: HashMap<i32, webhook_endpoint::Model> = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::Id.is_in(deliveries.iter().map(|d| d.endpoint_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let events: HashMap<i32, audit_entry::Model> = audit_entry::Entity::find()
        .filter(audit_entry::Column::Id.is_in(deliveries.iter().map(|d| d.audit_entry_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let count = deliveries.len();
    let results = futures::stream::iter(deliveries)
        .map(|delivery| {
            let endpoint = endpoints.get(&delivery.endpoint_id);
            let event = events.get(&delivery.audit_entry_id);
            async move {
                let attempt = match (endpoint, event) {
                    // A test event goes out even to a disabled endpoint (testing it before
                    // enabling it again is the point).
                    (Some(endpoint), Some(event))
                        if endpoint.enabled || event.action == EventType::WebhookTest.dotted() =>
                    {
                        send::send(client, settings, &delivery, endpoint, event).await
                    }
                    _ => Attempt::Skipped {
                        reason: "the endpoint is disabled".into(),
                    },
                };
                (delivery, attempt)
            }
        })
        .buffer_unordered(Ord::max(settings.concurrency, 1))
        .collect::<Vec<_>>()
        .await;
    // Each result is written on its own: one the database refuses does not keep the
    // others of the batch from being written (see `record`).
    for (delivery, attempt) in results {
        let started = std::time::Instant::now();
        let disabled = record::record_attempt(db, settings, &claim, &delivery, &attempt).await;
        observe(metrics, settings, &delivery, &attempt, started);
        if disabled {
            signal.notify();
        }
    }
    Ok(count)
}

/// One delivery attempt in the jobs' series (its duration is the recording's; the request's
/// own time is in the delivery latency).
fn observe(
    metrics: &WorkerMetrics,
    settings: &WebhookSettings,
    delivery: &webhook_delivery::Model,
    attempt: &Attempt,
    started: std::time::Instant,
) {
    let outcome = match attempt {
        Attempt::Delivered { .. } => {
            metrics.delivered(Channel::Webhook, delivery.created_at);
            JobOutcome::Done
        }
        Attempt::Failed { .. } if delivery.attempts + 1 < settings.max_attempts => {
            JobOutcome::Retried
        }
        Attempt::Failed { .. } | Attempt::Skipped { .. } => JobOutcome::Failed,
    };
    metrics.job(JobKind::WebhookPass, outcome, started.elapsed());
}

/// Takes due rows for this pass (one conditional update: rows another worker took since,
/// or whose claim is still live, are not taken twice).
async fn claim_due(
    db: &DatabaseConnection,
    settings: &WebhookSettings,
    claim: &str,
) -> Result<Vec<i32>, DbErr> {
    let now = Utc::now();
    let claimable = || {
        Condition::all()
            .add(Expr::col(Column::Status).eq(Status::Pending))
            .add(Expr::col(Column::NextAttemptAt).lte(now))
            .add(
                Expr::col(Column::LockedUntil)
                    .is_null()
                    .or(Expr::col(Column::LockedUntil).lt(now)),
            )
    };
    let due = Query::select()
        .column(Column::Id)
        .from(webhook_delivery::Entity)
        .cond_where(claimable())
        .order_by(Column::NextAttemptAt, Order::Asc)
        .limit(Ord::max(settings.batch, 1))
        // PostgreSQL: workers skip each other's rows instead of queueing behind them.
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .to_owned();
    let take = Query::update()
        .table(webhook_delivery::Entity)
        .value(
            Column::LockedUntil,
            now + Duration::seconds(Ord::max(settings.claim_seconds, 1)),
        )
        .value(Column::ClaimId, claim)
        .and_where(Expr::col(Column::Id).in_subquery(due))
        .cond_where(claimable())
        .returning_col(Column::Id)
        .to_owned();
    db.query_all(&take)
        .await?
        .iter()
        .map(|row| row.try_get::<i32>("", &Column::Id.to_string()))
        .collect()
}
