//! Writing an email into the transactional outbox, inside the caller's transaction. The
//! worker delivers it; the caller dispatches it to the queue after commit. The row keeps
//! the reader's language and what the email says (`worker::compose::EmailContent`): the
//! worker renders it again at send time; the subject and bodies stored now are what the
//! sender saw.

use crate::error::{ApiError, ApiResult};
use chrono::{Duration, Utc};
use entity::enums::DeliveryStatus;
use entity::outbound_email;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use worker::compose::{Composed, EmailContent};
use worker::i18n::Lang;

pub struct Email<'a> {
    /// What it is about, e.g. `PARTNERSHIP_INVITATION`.
    pub kind: &'a str,
    pub to: &'a str,
    pub lang: Lang,
    pub content: &'a EmailContent,
    /// `content` rendered in `lang` now.
    pub composed: &'a Composed,
    /// A token inside the link, scrubbed once the email is sent or given up.
    pub secret: Option<&'a str>,
}

/// Inserts the row; returns its id for dispatch after commit. The relay re-enqueues it only
/// if it is still unsent `relay_after_ms` from now.
pub async fn write<C: ConnectionTrait>(
    db: &C,
    email: Email<'_>,
    relay_after_ms: u64,
) -> ApiResult<i32> {
    let now = Utc::now();
    let content =
        serde_json::to_string(email.content).map_err(|e| ApiError::internal("email content", e))?;
    let row = outbound_email::ActiveModel {
        kind: Set(email.kind.into()),
        to_address: Set(email.to.into()),
        subject: Set(email.composed.subject.clone()),
        text_body: Set(email.composed.text.clone()),
        html_body: Set(email.composed.html.clone()),
        status: Set(DeliveryStatus::Queued),
        attempts: Set(0),
        last_error: Set(None),
        created_at: Set(now),
        next_attempt_at: Set(now + Duration::milliseconds(relay_after_ms as i64)),
        locked_until: Set(None),
        sent_at: Set(None),
        scrub_after_send: Set(email.secret.map(str::to_owned)),
        retry_after: Set(None),
        claim_id: Set(None),
        language: Set(Some(email.lang.tag().to_owned())),
        content: Set(Some(content)),
        // The relay's job continues this request's trace if the push after commit fails.
        trace_parent: Set(worker::telemetry::traceparent()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}
