//! The delivery loop of one worker process: claim due deliveries in batches, send them with
//! bounded concurrency, write each result under the claim, back off, give up, disable.

use super::{WebhookSettings, message, target};
use crate::metrics::{Channel, JobKind, JobOutcome, WorkerMetrics};
use crate::signal::EventSignal;
use chrono::{DateTime, Duration, Utc};
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

/// What happened to one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Delivered {
        status: u16,
    },
    /// An answer that is not 2xx, or no answer (`status` is `None`).
    Failed {
        status: Option<u16>,
        error: String,
    },
    /// Not tried: the endpoint is disabled (or gone). Final, and says nothing about its
    /// health.
    Skipped {
        reason: String,
    },
}

pub fn http_client(settings: &WebhookSettings) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(Ord::max(
            settings.timeout_seconds,
            1,
        )))
        .user_agent(concat!(
            "PartnerCenter-Webhooks/",
            env!("CARGO_PKG_VERSION")
        ));
    if !settings.allow_insecure_targets {
        builder = builder
            .https_only(true)
            .dns_resolver(std::sync::Arc::new(target::PublicResolver));
    }
    builder.build().expect("a TLS backend is compiled in")
}

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
                        send(client, &delivery, endpoint, event).await
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
    for (delivery, attempt) in results {
        let started = std::time::Instant::now();
        let disabled = record(db, settings, &claim, &delivery, &attempt).await?;
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

async fn send(
    client: &reqwest::Client,
    delivery: &webhook_delivery::Model,
    endpoint: &webhook_endpoint::Model,
    event: &audit_entry::Model,
) -> Attempt {
    let message = match message::build(event, delivery.id, endpoint, Utc::now()) {
        Ok(m) => m,
        Err(e) => {
            return Attempt::Failed {
                status: None,
                error: format!("signing: {e}"),
            };
        }
    };
    let sent = client
        .post(&endpoint.url)
        .header("content-type", "application/json")
        .header("webhook-id", &message.id)
        .header("webhook-timestamp", message.timestamp.to_string())
        .header("webhook-signature", &message.signature)
        .body(message.body)
        .send()
        .await;
    match sent {
        Ok(response) if response.status().is_success() => Attempt::Delivered {
            status: response.status().as_u16(),
        },
        Ok(response) => {
            let status = response.status();
            let body: String = response
                .text()
                .await
                .unwrap_or_default()
                .chars()
                .take(200)
                .collect();
            Attempt::Failed {
                status: Some(status.as_u16()),
                error: format!("HTTP {status}: {body}").trim_end().to_owned(),
            }
        }
        Err(e) => Attempt::Failed {
            status: None,
            error: crate::delivery::error_chain(&e),
        },
    }
}

/// Writes an attempt's result under the claim, and the endpoint's health; true when the
/// endpoint was disabled now.
async fn record(
    db: &DatabaseConnection,
    settings: &WebhookSettings,
    claim: &str,
    delivery: &webhook_delivery::Model,
    attempt: &Attempt,
) -> Result<bool, DbErr> {
    let now = Utc::now();
    let attempts = delivery.attempts + 1;
    let txn = migration::database::begin_write(db).await?;
    let mine = webhook_delivery::Entity::update_many()
        .filter(Column::Id.eq(delivery.id))
        .filter(Column::ClaimId.eq(claim))
        .col_expr(Column::Attempts, Expr::value(attempts))
        .col_expr(
            Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        );
    let (written, healthy) = match attempt {
        Attempt::Delivered { status } => {
            let written = mine
                .col_expr(Column::Status, Expr::value(Status::Delivered))
                .col_expr(
                    Column::ResponseStatus,
                    Expr::value(Some(i32::from(*status))),
                )
                .col_expr(Column::LastError, Expr::value(Option::<String>::None))
                .col_expr(Column::DeliveredAt, Expr::value(Some(now)))
                .exec(&txn)
                .await?;
            (written.rows_affected == 1, true)
        }
        Attempt::Failed { status, error } => {
            let last = attempts >= settings.max_attempts;
            let next =
                now + Duration::from_std(settings.backoff(attempts)).unwrap_or(Duration::hours(1));
            let written = mine
                .col_expr(
                    Column::Status,
                    Expr::value(if last {
                        Status::Failed
                    } else {
                        Status::Pending
                    }),
                )
                .col_expr(Column::ResponseStatus, Expr::value(status.map(i32::from)))
                .col_expr(
                    Column::LastError,
                    Expr::value(Some(error.chars().take(1000).collect::<String>())),
                )
                .col_expr(Column::NextAttemptAt, Expr::value(next))
                .exec(&txn)
                .await?;
            (written.rows_affected == 1, false)
        }
        Attempt::Skipped { reason } => {
            mine.col_expr(Column::Status, Expr::value(Status::Failed))
                .col_expr(Column::LastError, Expr::value(Some(reason.clone())))
                .exec(&txn)
                .await?;
            txn.commit().await?;
            return Ok(false);
        }
    };
    let disabled = if written {
        endpoint_health(&txn, settings, delivery.endpoint_id, healthy, attempt, now).await?
    } else {
        false
    };
    txn.commit().await?;
    Ok(disabled)
}

/// A delivery that worked clears the endpoint's failing streak; one that failed starts it,
/// or disables the endpoint once it has lasted `disable_after_hours`.
async fn endpoint_health<C: ConnectionTrait>(
    txn: &C,
    settings: &WebhookSettings,
    endpoint_id: i32,
    healthy: bool,
    attempt: &Attempt,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use webhook_endpoint::Column as E;
    if healthy {
        webhook_endpoint::Entity::update_many()
            .col_expr(E::FailingSince, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(E::Id.eq(endpoint_id))
            .filter(E::FailingSince.is_not_null())
            .exec(txn)
            .await?;
        return Ok(false);
    }
    webhook_endpoint::Entity::update_many()
        .col_expr(E::FailingSince, Expr::value(Some(now)))
        .filter(E::Id.eq(endpoint_id))
        .filter(E::FailingSince.is_null())
        .exec(txn)
        .await?;
    let cutoff = now - Duration::hours(settings.disable_after_hours);
    let Attempt::Failed { error, .. } = attempt else {
        return Ok(false);
    };
    let reason = crate::msg!(
        "webhook-disabled-failing",
        since = cutoff.format("%Y-%m-%d %H:%M UTC").to_string(),
        error = error.chars().take(300).collect::<String>()
    );
    let disabled = webhook_endpoint::Entity::update_many()
        .col_expr(E::Enabled, Expr::value(false))
        .col_expr(E::DisabledReason, Expr::value(Some(reason.stored())))
        .col_expr(E::UpdatedAt, Expr::value(now))
        .filter(E::Id.eq(endpoint_id))
        .filter(E::Enabled.eq(true))
        .filter(E::FailingSince.lte(cutoff))
        .exec(txn)
        .await?
        .rows_affected
        == 1;
    if disabled {
        let endpoint = webhook_endpoint::Entity::find_by_id(endpoint_id)
            .one(txn)
            .await?;
        audit_entry::record(
            txn,
            audit_entry::NewEntry {
                request_id: "worker",
                actor_user_id: None,
                actor_partner_id: None,
                action: EventType::WebhookEndpointDisabled,
                target_type: "WebhookEndpoint",
                target_id: endpoint_id,
                summary: reason.render(crate::i18n::Lang::En),
                summary_message: Some(reason.stored()),
                subject_partner_id: endpoint.map(|e| e.partner_id),
            },
        )
        .await?;
    }
    Ok(disabled)
}
