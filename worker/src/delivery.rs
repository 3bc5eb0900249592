//! Sending one outbox row, idempotently.
//!
//! A send first claims the row (`QUEUED`, not claimed by a live sender) with one conditional
//! update that stamps a fresh `claim_id`, so duplicate jobs for the same row never both
//! send. The result is written only under that claim: success marks it `SENT` (it did go
//! out, even if it was withdrawn meanwhile); a failure counts the attempt, keeps the error,
//! and either schedules the next attempt with exponential backoff (the relay re-enqueues it
//! when due) or, after the last attempt, marks it `FAILED`, and only while the row is still
//! `QUEUED`: an email withdrawn while it was being tried stays `CANCELLED`.

use crate::mail::{self, Mailer};
use crate::settings::JobSettings;
use chrono::{Duration, Utc};
use entity::enums::DeliveryStatus;
use entity::event_type::EventType;
use entity::outbound_email::{self, Column};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

const REDACTED: &str = "[redacted]";

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted by the mail server; `queued_at` is when the email was committed.
    Sent { queued_at: chrono::DateTime<Utc> },
    /// Already SENT, FAILED or CANCELLED: nothing to do (a duplicate job).
    AlreadyDone,
    /// Another sender holds the claim.
    Claimed,
    /// The row does not exist.
    Missing,
    /// This attempt failed; another is scheduled.
    WillRetry { attempts: i32 },
    /// The last attempt failed.
    Failed { attempts: i32 },
    /// The row was withdrawn (or re-claimed) while this attempt ran; nothing was recorded.
    Superseded,
}

/// Takes the row for this sender; returns the claim id, or `None` if it is not sendable now.
async fn claim<C: ConnectionTrait>(
    db: &C,
    settings: &JobSettings,
    email_id: i32,
) -> Result<Option<String>, DbErr> {
    let now = Utc::now();
    let claim = uuid::Uuid::new_v4().to_string();
    let claimed = outbound_email::Entity::update_many()
        .col_expr(
            Column::LockedUntil,
            Expr::value(now + Duration::seconds(settings.claim_seconds)),
        )
        .col_expr(Column::ClaimId, Expr::value(claim.clone()))
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
    Ok(claimed.then_some(claim))
}

pub async fn deliver(
    db: &sea_orm::DatabaseConnection,
    mailer: &Mailer,
    settings: &JobSettings,
    email_id: i32,
) -> Result<Outcome, DbErr> {
    let claim = claim(db, settings, email_id).await?;
    let Some(email) = outbound_email::Entity::find_by_id(email_id).one(db).await? else {
        return Ok(Outcome::Missing);
    };
    let Some(claim) = claim else {
        return Ok(match email.status {
            DeliveryStatus::Queued => Outcome::Claimed,
            _ => Outcome::AlreadyDone,
        });
    };

    // Rendered now, in the reader's language, from what the row says the email is about.
    let email = rendered(email);
    let result = match mail::build_message(&email, &settings.mail_from) {
        Ok(message) => {
            use tracing::Instrument;
            let span = tracing::info_span!("smtp-send", email_id);
            mailer.send(message).instrument(span).await
        }
        Err(e) => Err(e),
    };
    let attempts = email.attempts + 1;
    let done = Utc::now();
    // Written only while this sender's claim still stands.
    let mine = outbound_email::Entity::update_many()
        .filter(Column::Id.eq(email_id))
        .filter(Column::ClaimId.eq(claim))
        .col_expr(Column::Attempts, Expr::value(attempts))
        .col_expr(
            Column::LockedUntil,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        );
    // The status and its audit entry commit together.
    let txn = migration::database::begin_write(db).await?;
    let outcome = match result {
        Ok(()) => {
            // What was sent is what is kept (its secret scrubbed).
            let written = scrubbed(mine, &email)
                .col_expr(Column::Subject, Expr::value(email.subject.clone()))
                .col_expr(Column::Status, Expr::value(DeliveryStatus::Sent))
                .col_expr(Column::SentAt, Expr::value(Some(done)))
                .col_expr(Column::LastError, Expr::value(Option::<String>::None))
                .exec(&txn)
                .await?
                .rows_affected
                == 1;
            if written {
                audit(
                    &txn,
                    &email,
                    EventType::EmailSent,
                    crate::msg!("audit-email-sent", email = &email.to_address),
                )
                .await?;
                tracing::info!(email_id, attempts, to = %email.to_address, "email sent");
                Outcome::Sent {
                    queued_at: email.created_at,
                }
            } else {
                Outcome::Superseded
            }
        }
        Err(err) => {
            let error = error_chain(&err);
            let last = attempts >= settings.max_attempts;
            let next = done
                + Duration::from_std(settings.backoff(attempts)).unwrap_or(Duration::minutes(10));
            // A FAILED email is never sent again (a re-send makes a new one): drop its secret.
            let update = if last { scrubbed(mine, &email) } else { mine };
            let written = update
                .filter(Column::Status.eq(DeliveryStatus::Queued))
                .col_expr(
                    Column::Status,
                    Expr::value(if last {
                        DeliveryStatus::Failed
                    } else {
                        DeliveryStatus::Queued
                    }),
                )
                .col_expr(Column::LastError, Expr::value(Some(error.clone())))
                .col_expr(Column::NextAttemptAt, Expr::value(next))
                .col_expr(Column::RetryAfter, Expr::value(Some(next)))
                .exec(&txn)
                .await?
                .rows_affected
                == 1;
            tracing::warn!(email_id, attempts, last, %error, "email delivery failed");
            match (written, last) {
                (false, _) => Outcome::Superseded,
                (true, true) => {
                    let summary = crate::msg!(
                        "audit-email-failed",
                        email = &email.to_address,
                        attempts = attempts,
                        error = &error
                    );
                    audit(&txn, &email, EventType::EmailFailed, summary).await?;
                    Outcome::Failed { attempts }
                }
                (true, false) => Outcome::WillRetry { attempts },
            }
        }
    };
    txn.commit().await?;
    Ok(outcome)
}

/// Records a delivery event on the invitation or relationship request the email belongs
/// to, visible to the organization the email was sent for.
async fn audit<C: ConnectionTrait>(
    db: &C,
    email: &outbound_email::Model,
    action: EventType,
    summary: crate::i18n::Message,
) -> Result<(), DbErr> {
    use entity::{
        customer_relationship_request as relationship, partnership_invitation as invitation,
    };
    let about = match invitation::Entity::find()
        .filter(invitation::Column::OutboundEmailId.eq(email.id))
        .one(db)
        .await?
    {
        Some(inv) => Some(("PartnershipInvitation", inv.id, inv.provider_id)),
        None => relationship::Entity::find()
            .filter(relationship::Column::OutboundEmailId.eq(email.id))
            .one(db)
            .await?
            .map(|r| ("CustomerRelationshipRequest", r.id, r.provider_id)),
    };
    let about = match about {
        Some(found) => Some(found),
        None => entity::admin_relationship::Entity::find()
            .filter(entity::admin_relationship::Column::OutboundEmailId.eq(email.id))
            .one(db)
            .await?
            .map(|r| ("AdminRelationship", r.id, r.provider_id)),
    };
    // An email that belongs to nothing (none are written so today) is recorded as itself.
    let (target_type, target_id, owner) =
        about.map_or(("OutboundEmail", email.id, None), |a| (a.0, a.1, Some(a.2)));
    entity::audit_entry::record(
        db,
        entity::audit_entry::NewEntry {
            request_id: "worker",
            actor_user_id: None,
            actor_partner_id: None,
            action,
            target_type,
            target_id,
            summary: summary.render(crate::i18n::Lang::En),
            summary_message: Some(summary.stored()),
            subject_partner_id: owner,
            actor_api_client_id: None,
        },
    )
    .await
    .map(drop)
}

/// The row with subject and bodies rendered from its content in its language, if it has
/// content (rows written before emails were rendered at send time are sent as stored).
fn rendered(email: outbound_email::Model) -> outbound_email::Model {
    let content = email
        .content
        .as_deref()
        .and_then(|c| serde_json::from_str::<crate::compose::EmailContent>(c).ok());
    let Some(content) = content else {
        return email;
    };
    let lang = crate::i18n::Lang::nearest(email.language.as_deref().unwrap_or("en"));
    let composed = content.compose(lang);
    outbound_email::Model {
        subject: composed.subject,
        text_body: composed.text,
        html_body: composed.html,
        ..email
    }
}

/// Adds to `update` the bodies and content with the row's secret replaced by `[redacted]`.
fn scrubbed(
    update: sea_orm::UpdateMany<outbound_email::Entity>,
    email: &outbound_email::Model,
) -> sea_orm::UpdateMany<outbound_email::Entity> {
    let Some(secret) = email.scrub_after_send.as_deref().filter(|s| !s.is_empty()) else {
        return update;
    };
    let content = email
        .content
        .as_deref()
        .and_then(|c| serde_json::from_str::<crate::compose::EmailContent>(c).ok())
        .and_then(|c| serde_json::to_string(&c.scrubbed(secret, REDACTED)).ok());
    update
        .col_expr(
            Column::TextBody,
            Expr::value(email.text_body.replace(secret, REDACTED)),
        )
        .col_expr(
            Column::HtmlBody,
            Expr::value(email.html_body.replace(secret, REDACTED)),
        )
        .col_expr(Column::Content, Expr::value(content))
        .col_expr(Column::ScrubAfterSend, Expr::value(Option::<String>::None))
}

/// Withdraws a still-QUEUED email whose link no longer works (the invitation was re-sent,
/// revoked, answered or expired): CANCELLED with `reason`, its secret scrubbed. A send
/// already under way keeps its claim and records SENT if the email did go out. Returns true
/// if it was withdrawn.
pub async fn cancel<C: ConnectionTrait>(
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
        .col_expr(Column::Status, Expr::value(DeliveryStatus::Cancelled))
        .col_expr(Column::LastError, Expr::value(Some(reason.to_owned())));
    Ok(scrubbed(update, &email).exec(db).await?.rows_affected == 1)
}

/// "outer: inner: root" — the message a person reads in `lastError`.
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
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
