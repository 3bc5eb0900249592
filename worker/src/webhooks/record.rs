//! Writing an attempt's result under its claim, and the endpoint's health.
//!
//! One rule: a result is always written. Texts that come from the receiver are cleaned
//! (no control characters: PostgreSQL refuses NUL) and cut to fit their columns *as
//! stored* (a stored message is JSON: a quote takes two characters there). A write that
//! still fails is retried when the database says so (deadlock, serialization, busy), and
//! otherwise replaced by a minimal one of the delivery row alone, so an attempt always
//! counts: without it the claim would lapse and the receiver be called again, for ever.

use super::WebhookSettings;
use super::send::Attempt;
use super::stored_text::{LAST_ERROR_COLUMN, clean, disabled_reason};
use chrono::{DateTime, Duration, Utc};
use entity::enums::WebhookDeliveryStatus as Status;
use entity::event_type::EventType;
use entity::webhook_delivery::{self, Column};
use entity::{audit_entry, webhook_endpoint};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

/// Tries of a write the database refused for a reason that passes (deadlock …).
const TRIES: usize = 3;

/// Writes an attempt's result; true when the endpoint was disabled now. Never leaves the
/// attempt unwritten while the database takes any write at all.
pub async fn record_attempt(
    db: &DatabaseConnection,
    settings: &WebhookSettings,
    claim: &str,
    delivery: &webhook_delivery::Model,
    attempt: &Attempt,
) -> bool {
    let mut tries = 0;
    let err = loop {
        tries += 1;
        match record(db, settings, claim, delivery, attempt).await {
            Ok(disabled) => return disabled,
            Err(e) if tries < TRIES && is_transient(&e) => continue,
            Err(e) => break e,
        }
    };
    tracing::warn!(delivery = delivery.id, error = %err, "webhook result not recorded in full");
    if let Err(e) = record_minimal(db, settings, claim, delivery, attempt).await {
        tracing::error!(delivery = delivery.id, error = %e, "webhook result not recorded");
    }
    false
}

/// Whether the database refused a write for a reason that passes: deadlock and
/// serialization failures (PostgreSQL), busy and locked (SQLite).
pub fn is_transient(err: &DbErr) -> bool {
    let (DbErr::Exec(sea_orm::RuntimeErr::SqlxError(e))
    | DbErr::Query(sea_orm::RuntimeErr::SqlxError(e))) = err
    else {
        return false;
    };
    let sea_orm::sqlx::Error::Database(e) = &**e else {
        return false;
    };
    matches!(
        e.code().as_deref(),
        Some("40P01" | "40001" | "5" | "6" | "517" | "261")
    )
}

fn next_status(settings: &WebhookSettings, attempts: i32) -> Status {
    if attempts >= settings.max_attempts {
        Status::Failed
    } else {
        Status::Pending
    }
}

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
            let next =
                now + Duration::from_std(settings.backoff(attempts)).unwrap_or(Duration::hours(1));
            let written = mine
                .col_expr(Column::Status, Expr::value(next_status(settings, attempts)))
                .col_expr(Column::ResponseStatus, Expr::value(status.map(i32::from)))
                .col_expr(
                    Column::LastError,
                    Expr::value(Some(clean(error, LAST_ERROR_COLUMN))),
                )
                .col_expr(Column::NextAttemptAt, Expr::value(next))
                .exec(&txn)
                .await?;
            (written.rows_affected == 1, false)
        }
        Attempt::Skipped { reason } => {
            mine.col_expr(Column::Status, Expr::value(Status::Failed))
                .col_expr(
                    Column::LastError,
                    Expr::value(Some(clean(reason, LAST_ERROR_COLUMN))),
                )
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

/// The attempt counted on the delivery row alone (status, attempts, next attempt, claim
/// released), with a fixed error text: what the full write could not store is not retried.
async fn record_minimal(
    db: &DatabaseConnection,
    settings: &WebhookSettings,
    claim: &str,
    delivery: &webhook_delivery::Model,
    attempt: &Attempt,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let attempts = delivery.attempts + 1;
    let status = match attempt {
        Attempt::Delivered { .. } => Status::Delivered,
        Attempt::Failed { .. } => next_status(settings, attempts),
        Attempt::Skipped { .. } => Status::Failed,
    };
    let next = now + Duration::from_std(settings.backoff(attempts)).unwrap_or(Duration::hours(1));
    let error = match attempt {
        Attempt::Delivered { .. } => None,
        _ => Some("the result of this attempt could not be recorded".to_owned()),
    };
    webhook_delivery::Entity::update_many()
        .filter(Column::Id.eq(delivery.id))
        .filter(Column::ClaimId.eq(claim))
        .col_expr(Column::Attempts, Expr::value(attempts))
        .col_expr(
            Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::LastError, Expr::value(error))
        .col_expr(Column::NextAttemptAt, Expr::value(next))
        .col_expr(
            Column::DeliveredAt,
            Expr::value((status == Status::Delivered).then_some(now)),
        )
        .exec(db)
        .await?;
    Ok(())
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
    let since = cutoff.format("%Y-%m-%d %H:%M UTC").to_string();
    let reason = disabled_reason(&since, error);
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
        // Every member reads the event: the receiver's error (which may quote the URL) is
        // for the endpoint's ADMINs only, in its disabled reason.
        let summary = crate::msg!("audit-webhook-endpoint-disabled");
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
                summary: summary.render(crate::i18n::Lang::En),
                summary_message: Some(summary.stored()),
                subject_partner_id: endpoint.map(|e| e.partner_id),
                actor_api_client_id: None,
            },
        )
        .await?;
    }
    Ok(disabled)
}
