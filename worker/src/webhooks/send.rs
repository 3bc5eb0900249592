//! One delivery attempt on the wire: the HTTP client webhooks use, the request, and what is
//! kept of the answer. Everything here is bounded by the receiver's worst behaviour: the
//! whole request by `timeout_seconds`, what is read of an error body by [`KEPT_CHARS`].

use super::{WebhookSettings, message, target};
use chrono::Utc;
use entity::{audit_entry, webhook_delivery, webhook_endpoint};

/// Characters of a failing receiver's answer kept in the delivery's `lastError`.
pub const KEPT_CHARS: usize = 200;
/// Bytes read of a failing receiver's answer: enough for [`KEPT_CHARS`] characters of
/// UTF-8 (four bytes at most each). The rest is never read; the connection is dropped.
pub const READ_BYTES: usize = KEPT_CHARS * 4;

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

/// The client of every delivery. It never uses a proxy, whatever `HTTPS_PROXY`,
/// `HTTP_PROXY` or `ALL_PROXY` say: a proxy resolves and connects in our place, so the
/// address rule (`target`) would never see where a request really goes.
pub fn http_client(settings: &WebhookSettings) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .no_proxy()
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

/// Signs and posts one delivery.
pub async fn send(
    client: &reqwest::Client,
    settings: &WebhookSettings,
    delivery: &webhook_delivery::Model,
    endpoint: &webhook_endpoint::Model,
    event: &audit_entry::Model,
) -> Attempt {
    // Literal addresses never reach the resolver: today's rule is applied here, to URLs
    // stored under any earlier one too.
    if let Err(problem) = target::check_delivery(&endpoint.url, settings.allow_insecure_targets) {
        return Attempt::Failed {
            status: None,
            error: format!("target refused: {problem}"),
        };
    }
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
            let body = answer_start(response).await;
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

/// The first [`KEPT_CHARS`] characters of an answer, reading at most [`READ_BYTES`] of it
/// (a read error ends it early: what came is kept).
async fn answer_start(mut response: reqwest::Response) -> String {
    let mut kept = Vec::with_capacity(READ_BYTES);
    while kept.len() < READ_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = READ_BYTES - kept.len();
                kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    // Dropping the response here closes the connection with the rest unread.
    drop(response);
    String::from_utf8_lossy(&kept)
        .chars()
        .take(KEPT_CHARS)
        .collect()
}
