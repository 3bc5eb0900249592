//! Sending one outbox row, idempotently.
//!
//! A send first claims the row (`QUEUED`, not claimed by a live sender) with one conditional
//! update, so duplicate jobs for the same row never both send. Success marks it `SENT`;
//! failure counts the attempt, keeps the error, and either schedules the next attempt with
//! exponential backoff (the relay re-enqueues it when due) or, after the last attempt,
//! marks it `FAILED`.

use crate::mail::{self, Mailer};
use crate::settings::JobSettings;
use chrono::{Duration, Utc};
use entity::enums::DeliveryStatus;
use entity::outbound_email::{self, Column};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, TransactionTrait,
};

const REDACTED: &str = "[redacted]";

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Already SENT or FAILED: nothing to do (a duplicate job).
    AlreadyDone,
    /// Another sender holds the claim.
    Claimed,
    /// The row does not exist.
    Missing,
    /// This attempt failed; another is scheduled.
    WillRetry {
        attempts: i32,
    },
    /// The last attempt failed.
    Failed {
        attempts: i32,
    },
}

pub async fn deliver(
    db: &sea_orm::DatabaseConnection,
    mailer: &Mailer,
    settings: &JobSettings,
    email_id: i32,
) -> Result<Outcome, DbErr> {
    let now = Utc::now();
    let claimed = outbound_email::Entity::update_many()
        .col_expr(
            Column::LockedUntil,
            Expr::value(now + Duration::seconds(settings.claim_seconds)),
        )
        .filter(Column::Id.eq(email_id))
        .filter(Column::Status.eq(DeliveryStatus::Queued))
        .filter(
            Condition::any()
                .add(Column::LockedUntil.is_null())
                .add(Column::LockedUntil.lt(now)),
        )
        .filter(
            Condition::any()
                .add(Column::RetryAfter.is_null())
                .add(Column::RetryAfter.lte(now)),
        )
        .exec(db)
        .await?
        .rows_affected
        == 1;
    let Some(email) = outbound_email::Entity::find_by_id(email_id).one(db).await? else {
        return Ok(Outcome::Missing);
    };
    if !claimed {
        return Ok(match email.status {
            DeliveryStatus::Queued => Outcome::Claimed,
            DeliveryStatus::Sent | DeliveryStatus::Failed => Outcome::AlreadyDone,
        });
    }

    let result = match mail::build_message(&email, &settings.mail_from) {
        Ok(message) => mailer.send(message).await,
        Err(e) => Err(e),
    };
    let attempts = email.attempts + 1;
    let done = Utc::now();
    let update = outbound_email::Entity::update_many()
        .filter(Column::Id.eq(email_id))
        .col_expr(Column::Attempts, Expr::value(attempts))
        .col_expr(
            Column::LockedUntil,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        );
    let outcome = match result {
        Ok(()) => {
            let mut update = update;
            if let Some(secret) = email.scrub_after_send.as_deref().filter(|s| !s.is_empty()) {
                update = update
                    .col_expr(
                        Column::TextBody,
                        Expr::value(email.text_body.replace(secret, REDACTED)),
                    )
                    .col_expr(
                        Column::HtmlBody,
                        Expr::value(email.html_body.replace(secret, REDACTED)),
                    )
                    .col_expr(Column::ScrubAfterSend, Expr::value(Option::<String>::None));
            }
            // The status and its audit entry commit together.
            let txn = db.begin().await?;
            update
                .col_expr(Column::Status, Expr::value(DeliveryStatus::Sent))
                .col_expr(Column::SentAt, Expr::value(Some(done)))
                .col_expr(Column::LastError, Expr::value(Option::<String>::None))
                .exec(&txn)
                .await?;
            audit(
                &txn,
                &email,
                "email.sent",
                format!("Email to {} sent", email.to_address),
            )
            .await?;
            txn.commit().await?;
            tracing::info!(email_id, attempts, to = %email.to_address, "email sent");
            Outcome::Sent
        }
        Err(err) => {
            let error = error_chain(&err);
            let last = attempts >= settings.max_attempts;
            let next = done
                + Duration::from_std(settings.backoff(attempts)).unwrap_or(Duration::minutes(10));
            let status = if last {
                DeliveryStatus::Failed
            } else {
                DeliveryStatus::Queued
            };
            // A FAILED email is never sent again (a re-send makes a new one): drop its secret.
            let update = if last {
                scrubbed(update, &email)
            } else {
                update
            };
            let txn = db.begin().await?;
            update
                .col_expr(Column::Status, Expr::value(status))
                .col_expr(Column::LastError, Expr::value(Some(error.clone())))
                .col_expr(Column::NextAttemptAt, Expr::value(next))
                .col_expr(Column::RetryAfter, Expr::value(Some(next)))
                .exec(&txn)
                .await?;
            if last {
                let summary = format!(
                    "Email to {} failed after {attempts} attempts: {error}",
                    email.to_address
                );
                audit(&txn, &email, "email.failed", summary).await?;
            }
            txn.commit().await?;
            tracing::warn!(email_id, attempts, last, %error, "email delivery failed");
            if last {
                Outcome::Failed { attempts }
            } else {
                Outcome::WillRetry { attempts }
            }
        }
    };
    Ok(outcome)
}

/// Records a delivery event, visible to the organization the email was sent for.
async fn audit<C: ConnectionTrait>(
    db: &C,
    email: &outbound_email::Model,
    action: &str,
    summary: String,
) -> Result<(), DbErr> {
    use entity::{
        customer_relationship_request as relationship, partnership_invitation as invitation,
    };
    let owner = match invitation::Entity::find()
        .filter(invitation::Column::OutboundEmailId.eq(email.id))
        .one(db)
        .await?
    {
        Some(inv) => Some(inv.provider_id),
        None => relationship::Entity::find()
            .filter(relationship::Column::OutboundEmailId.eq(email.id))
            .one(db)
            .await?
            .map(|r| r.provider_id),
    };
    entity::audit_entry::record(
        db,
        entity::audit_entry::NewEntry {
            request_id: "worker",
            actor_user_id: None,
            actor_partner_id: None,
            action,
            target_type: "OutboundEmail",
            target_id: email.id,
            summary,
            subject_partner_id: owner,
        },
    )
    .await
}

/// Adds to `update` the bodies with the row's secret replaced by `[redacted]`.
fn scrubbed(
    update: sea_orm::UpdateMany<outbound_email::Entity>,
    email: &outbound_email::Model,
) -> sea_orm::UpdateMany<outbound_email::Entity> {
    match email.scrub_after_send.as_deref().filter(|s| !s.is_empty()) {
        Some(secret) => update
            .col_expr(
                Column::TextBody,
                Expr::value(email.text_body.replace(secret, REDACTED)),
            )
            .col_expr(
                Column::HtmlBody,
                Expr::value(email.html_body.replace(secret, REDACTED)),
            )
            .col_expr(Column::ScrubAfterSend, Expr::value(Option::<String>::None)),
        None => update,
    }
}

/// Withdraws a still-QUEUED email whose link no longer works (the invitation was re-sent,
/// revoked or answered): FAILED with `reason`, its secret scrubbed. Returns true if it was.
pub async fn supersede<C: ConnectionTrait>(
    db: &C,
    email_id: i32,
    reason: &str,
) -> Result<bool, DbErr> {
    let Some(email) = outbound_email::Entity::find_by_id(email_id).one(db).await? else {
        return Ok(false);
    };
    if email.status != DeliveryStatus::Queued {
        return Ok(false);
    }
    let update = outbound_email::Entity::update_many()
        .filter(Column::Id.eq(email_id))
        .filter(Column::Status.eq(DeliveryStatus::Queued))
        .col_expr(Column::Status, Expr::value(DeliveryStatus::Failed))
        .col_expr(Column::LastError, Expr::value(Some(reason.to_owned())));
    Ok(scrubbed(update, &email).exec(db).await?.rows_affected == 1)
}

/// "outer: inner: root" — the message a person reads in `lastError`.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text.chars().take(1000).collect()
}
