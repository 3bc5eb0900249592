//! The webhook receiver of the webhook figures: a small axum server on loopback that checks
//! every request as a real receiver must (Standard Webhooks: HMAC-SHA256 of
//! `{webhook-id}.{webhook-timestamp}.{body}` with the endpoint's secret, a fresh timestamp),
//! answers 204 or 401, and counts distinct `webhook-id`s with the first and last arrival.
//!
//! The check is written here from the specification, not taken from the product, so a
//! signing bug shows as rejections rather than agreeing with itself. While recording, it
//! keeps every accepted request, so the plain client can send exactly the same ones.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// An accepted request, as received: its path, the three webhook headers and its body.
#[derive(Debug, Clone)]
pub struct Kept {
    pub path: String,
    pub headers: [(&'static str, String); 3],
    pub body: Bytes,
}

#[derive(Default)]
struct Shared {
    /// Secret key (decoded) per endpoint path.
    keys: Mutex<HashMap<String, Vec<u8>>>,
    ids: Mutex<HashSet<String>>,
    accepted: AtomicU64,
    rejected: AtomicU64,
    first_last: Mutex<Option<(Instant, Instant)>>,
    record: AtomicBool,
    kept: Mutex<Vec<Kept>>,
}

pub struct Receiver {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

/// What arrived since the last reset.
#[derive(Debug, Clone, Copy)]
pub struct Tally {
    /// Distinct `webhook-id`s accepted.
    pub unique: u64,
    /// Accepted requests, repeats of an id included.
    pub accepted: u64,
    pub rejected: u64,
    /// First and last accepted arrival.
    pub span: Option<(Instant, Instant)>,
}

impl Receiver {
    pub async fn start() -> anyhow::Result<Receiver> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let app = axum::Router::new()
            .fallback(receive)
            .with_state(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Receiver { addr, shared })
    }

    /// Accepts requests to `path` signed with `secret` (`whsec_<base64>`).
    pub fn add_endpoint(&self, path: &str, secret: &str) -> anyhow::Result<()> {
        let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
        let key = STANDARD.decode(encoded)?;
        self.shared
            .keys
            .lock()
            .expect("keys")
            .insert(path.to_owned(), key);
        Ok(())
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Counts from zero again; `record` keeps the accepted requests from now on.
    pub fn reset(&self, record: bool) {
        self.shared.ids.lock().expect("ids").clear();
        self.shared.accepted.store(0, Ordering::SeqCst);
        self.shared.rejected.store(0, Ordering::SeqCst);
        *self.shared.first_last.lock().expect("clock") = None;
        self.shared.kept.lock().expect("kept").clear();
        self.shared.record.store(record, Ordering::SeqCst);
    }

    pub fn tally(&self) -> Tally {
        Tally {
            unique: self.shared.ids.lock().expect("ids").len() as u64,
            accepted: self.shared.accepted.load(Ordering::SeqCst),
            rejected: self.shared.rejected.load(Ordering::SeqCst),
            span: *self.shared.first_last.lock().expect("clock"),
        }
    }

    /// The requests accepted while recording.
    pub fn kept(&self) -> Vec<Kept> {
        self.shared.kept.lock().expect("kept").clone()
    }

    /// Waits until `count` distinct messages were accepted; fails on any rejection.
    pub async fn wait_for(&self, count: u64, timeout: Duration) -> anyhow::Result<Tally> {
        let deadline = Instant::now() + timeout;
        loop {
            let tally = self.tally();
            if tally.rejected > 0 {
                anyhow::bail!("the receiver rejected {} requests", tally.rejected);
            }
            if tally.unique >= count {
                return Ok(tally);
            }
            if Instant::now() > deadline {
                anyhow::bail!(
                    "the receiver accepted {} of {count} in {timeout:?}",
                    tally.unique
                );
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

async fn receive(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let (id, timestamp, signature) = (
        header("webhook-id"),
        header("webhook-timestamp"),
        header("webhook-signature"),
    );
    let key = shared.keys.lock().expect("keys").get(uri.path()).cloned();
    let valid =
        key.is_some_and(|key| verifies(&key, id, timestamp, &body, signature)) && fresh(timestamp);
    if !valid {
        shared.rejected.fetch_add(1, Ordering::SeqCst);
        return StatusCode::UNAUTHORIZED;
    }
    let now = Instant::now();
    shared.ids.lock().expect("ids").insert(id.to_owned());
    shared.accepted.fetch_add(1, Ordering::SeqCst);
    {
        let mut first_last = shared.first_last.lock().expect("clock");
        let first = first_last.map_or(now, |(first, _)| first);
        *first_last = Some((first, now));
    }
    if shared.record.load(Ordering::SeqCst) {
        let kept = Kept {
            path: uri.path().to_owned(),
            headers: [
                ("webhook-id", id.to_owned()),
                ("webhook-timestamp", timestamp.to_owned()),
                ("webhook-signature", signature.to_owned()),
            ],
            body,
        };
        shared.kept.lock().expect("kept").push(kept);
    }
    StatusCode::NO_CONTENT
}

/// Whether any `v1,<base64>` entry of the header is the HMAC of the message with `key`
/// (compared in constant time by `verify_slice`).
fn verifies(key: &[u8], id: &str, timestamp: &str, body: &[u8], header: &str) -> bool {
    header.split_whitespace().any(|entry| {
        let Some(tag) = entry
            .strip_prefix("v1,")
            .and_then(|t| STANDARD.decode(t).ok())
        else {
            return false;
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
        mac.update(format!("{id}.{timestamp}.").as_bytes());
        mac.update(body);
        mac.verify_slice(&tag).is_ok()
    })
}

/// Within five minutes of now, the standard's suggested tolerance against replays.
fn fresh(timestamp: &str) -> bool {
    timestamp
        .parse::<i64>()
        .is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() <= 300)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the specification's reference libraries.
    #[test]
    fn accepts_the_reference_signature_only() {
        let key = STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let (id, ts, body) = (
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "1614265330",
            br#"{"test": 2432232314}"#,
        );
        let good = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        assert!(verifies(&key, id, ts, body, &format!("v1,bm90IGl0 {good}")));
        assert!(!verifies(&key, id, "1614265331", body, good));
        assert!(!verifies(&key, id, ts, body, "v1,bm90IGl0"));
    }
}
