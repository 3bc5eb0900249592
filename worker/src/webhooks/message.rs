//! The request a delivery sends, per Standard Webhooks: a JSON body
//! `{"type", "timestamp", "data": {"id", "targetId", "summary"}}` and the headers
//! `webhook-id` (the same for every attempt of one delivery), `webhook-timestamp` (this
//! attempt) and `webhook-signature` (`v1,<base64 HMAC-SHA256>` by the `standardwebhooks`
//! crate; during a secret rotation a second signature with the previous secret).

use chrono::{DateTime, SecondsFormat, Utc};
use entity::audit_entry::{self, global_id};
use entity::webhook_endpoint;
use serde_json::json;
use standardwebhooks::Webhook;

pub struct Message {
    /// `webhook-id`.
    pub id: String,
    /// `webhook-timestamp`: Unix seconds of this attempt.
    pub timestamp: i64,
    pub body: String,
    /// `webhook-signature`: one or two space-separated `v1,…` signatures.
    pub signature: String,
}

/// The stable `webhook-id` of a delivery.
pub fn message_id(delivery_id: i32) -> String {
    format!("msg_{}", global_id("WebhookDelivery", delivery_id))
}

pub fn build(
    event: &audit_entry::Model,
    delivery_id: i32,
    endpoint: &webhook_endpoint::Model,
    now: DateTime<Utc>,
) -> Result<Message, standardwebhooks::WebhookError> {
    let body = json!({
        "type": event.action,
        "timestamp": event.occurred_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "data": {
            "id": global_id("Event", event.id),
            "targetId": event.target_id,
            "summary": event.summary,
        }
    })
    .to_string();
    let id = message_id(delivery_id);
    let timestamp = now.timestamp();
    let mut signature = Webhook::new(&endpoint.secret)?.sign(&id, timestamp, body.as_bytes())?;
    let previous = endpoint.previous_secret.as_deref().filter(|_| {
        endpoint
            .previous_secret_expires_at
            .is_some_and(|until| until > now)
    });
    if let Some(previous) = previous {
        signature.push(' ');
        signature.push_str(&Webhook::new(previous)?.sign(&id, timestamp, body.as_bytes())?);
    }
    Ok(Message {
        id,
        timestamp,
        body,
        signature,
    })
}

/// A new secret: `whsec_` and base64 of 32 random bytes (the form the standard's libraries
/// accept).
pub fn new_secret() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}
