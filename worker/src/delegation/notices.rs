//! Reminder emails written to the outbox by the worker (the API writes its own through
//! `api::outbox`; this is the same row, without a secret: reminders carry no link).

use crate::compose::EmailContent;
use crate::i18n::Lang;
use chrono::{DateTime, Duration, Utc};
use entity::enums::DeliveryStatus;
use entity::outbound_email;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};

pub const EXPIRING_KIND: &str = "ADMIN_RELATIONSHIP_EXPIRING";
/// Term-end notices of subscriptions (`terms::reminders`).
pub const TERM_ENDING_KIND: &str = "SUBSCRIPTION_TERM_ENDING";

pub async fn write<C: ConnectionTrait>(
    db: &C,
    to: &str,
    lang: Lang,
    content: &EmailContent,
    now: DateTime<Utc>,
    relay_after_ms: u64,
) -> Result<i32, DbErr> {
    write_kind(db, EXPIRING_KIND, to, lang, content, now, relay_after_ms).await
}

/// A notice of `kind` to `to`, in `lang`.
pub async fn write_kind<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    to: &str,
    lang: Lang,
    content: &EmailContent,
    now: DateTime<Utc>,
    relay_after_ms: u64,
) -> Result<i32, DbErr> {
    let composed = content.compose(lang);
    let row = outbound_email::ActiveModel {
        kind: Set(kind.into()),
        to_address: Set(to.into()),
        subject: Set(composed.subject),
        text_body: Set(composed.text),
        html_body: Set(composed.html),
        status: Set(DeliveryStatus::Queued),
        attempts: Set(0),
        last_error: Set(None),
        created_at: Set(now),
        next_attempt_at: Set(now + Duration::milliseconds(relay_after_ms as i64)),
        locked_until: Set(None),
        sent_at: Set(None),
        scrub_after_send: Set(None),
        retry_after: Set(None),
        claim_id: Set(None),
        language: Set(Some(lang.tag().to_owned())),
        content: Set(serde_json::to_string(content).ok()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}
