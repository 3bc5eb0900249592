//! One live-events subscriber as a dashboard runs it: a `graphql-transport-ws` client on
//! `/graphql/ws` that signs in with `connection_init`, subscribes to `events`, and records
//! when each event arrived (its `targetId`, the instant, and the time since its
//! `occurredAt`), for the latency figures.
//!
//! The harness shares the machine with the server, so a subscriber does as little as it
//! can per message: one borrowed parse and a push under an uncontended lock.

use anyhow::{Context, bail};
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// The events a dashboard shows: no `target`, which would cost a database lookup per
/// subscriber per event (the field is there for clients that want the object).
pub const EVENTS: &str = "subscription Live($types: [EventType!]) { \
    events(types: $types) { id type occurredAt summary targetId } }";

/// One event as it reached a subscriber.
pub struct Arrival {
    pub target_id: Box<str>,
    pub at: Instant,
    /// Wall-clock time from the event's `occurredAt` to its arrival. The server stamps
    /// `occurredAt` inside the mutation's transaction, just before commit, on this same
    /// machine's clock, so this is the commit-to-arrival latency (plus the rest of the
    /// transaction, a few milliseconds).
    pub since_occurred_us: i64,
}

/// What one subscriber saw.
#[derive(Default)]
pub struct Seen {
    /// Every event since the last [`Seen::take`].
    arrivals: Mutex<Vec<Arrival>>,
    /// Events received since the last [`Seen::take`].
    count: AtomicU64,
    /// Why the subscription ended early, if it did.
    failure: Mutex<Option<String>>,
}

impl Seen {
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::SeqCst)
    }

    /// Everything recorded so far; starts counting again from zero.
    pub fn take(&self) -> Vec<Arrival> {
        let mut arrivals = self.arrivals.lock().expect("arrivals");
        self.count.store(0, Ordering::SeqCst);
        std::mem::take(&mut *arrivals)
    }

    pub fn failure(&self) -> Option<String> {
        self.failure.lock().expect("failure").clone()
    }
}

#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(borrow)]
    payload: Option<Payload<'a>>,
}

#[derive(Deserialize)]
struct Payload<'a> {
    #[serde(borrow)]
    data: Option<Data<'a>>,
    errors: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Data<'a> {
    #[serde(borrow)]
    events: EventFields<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventFields<'a> {
    target_id: &'a str,
    occurred_at: chrono::DateTime<chrono::Utc>,
}

/// Connects, signs in with `token` and subscribes to `types`; then records events in the
/// background until the connection ends or `stop` turns true (then it closes normally).
/// Returns once the server acknowledged the sign-in and the subscription was sent.
pub async fn start(
    base_url: &str,
    token: &str,
    types: &[&str],
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<Arc<Seen>> {
    let url = format!("{}/graphql/ws", base_url.replacen("http", "ws", 1));
    let mut request = url.into_client_request()?;
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("a header value"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .context("WebSocket handshake on /graphql/ws")?;
    let init = json!({ "type": "connection_init",
                       "payload": { "Authorization": format!("Bearer {token}") } });
    socket.send(Message::Text(init.to_string().into())).await?;
    loop {
        let message = tokio::time::timeout(Duration::from_secs(30), socket.next())
            .await
            .context("no connection_ack within 30 s")?;
        match message {
            Some(Ok(Message::Text(text))) if text.contains("connection_ack") => break,
            Some(Ok(Message::Text(text))) => bail!("unexpected answer to connection_init: {text}"),
            Some(Ok(Message::Close(frame))) => bail!("connection_init refused: {frame:?}"),
            Some(Ok(_)) => {}
            Some(Err(e)) => bail!("connection_init: {e}"),
            None => bail!("the server closed the connection at connection_init"),
        }
    }
    let subscribe = json!({ "id": "1", "type": "subscribe",
                            "payload": { "query": EVENTS, "variables": { "types": types } } });
    socket
        .send(Message::Text(subscribe.to_string().into()))
        .await?;
    let seen = Arc::new(Seen::default());
    let recorder = seen.clone();
    tokio::spawn(async move {
        let failure = loop {
            let next = tokio::select! {
                next = socket.next() => Some(next),
                _ = stop.wait_for(|stop| *stop) => None,
            };
            let Some(next) = next else {
                let _ = socket.close(None).await;
                return;
            };
            let text = match next {
                Some(Ok(Message::Text(text))) => text,
                // tungstenite answers the server's pings itself.
                Some(Ok(Message::Close(frame))) => {
                    break format!("closed by the server: {frame:?}");
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => break format!("connection failed: {e}"),
                None => break "connection dropped".to_owned(),
            };
            let (at, wall) = (Instant::now(), chrono::Utc::now());
            match parse(&text) {
                Ok(Some((target_id, occurred_at))) => {
                    let arrival = Arrival {
                        target_id: target_id.into(),
                        at,
                        since_occurred_us: (wall - occurred_at).num_microseconds().unwrap_or(0),
                    };
                    recorder.arrivals.lock().expect("arrivals").push(arrival);
                    recorder.count.fetch_add(1, Ordering::SeqCst);
                }
                Ok(None) => {
                    if text.contains("\"ping\"") {
                        let pong = Message::Text(json!({ "type": "pong" }).to_string().into());
                        let _ = socket.send(pong).await;
                    }
                }
                Err(e) => break e,
            }
        };
        *recorder.failure.lock().expect("failure") = Some(failure);
    });
    Ok(seen)
}

/// The `targetId` and `occurredAt` of a `next` message; `None` for protocol messages (ping,
/// pong); an error for GraphQL errors or the end of the subscription.
fn parse(text: &str) -> Result<Option<(&str, chrono::DateTime<chrono::Utc>)>, String> {
    let frame: Frame = serde_json::from_str(text).map_err(|e| format!("{e}: {text}"))?;
    match frame.kind {
        "next" => {
            let payload = frame.payload.ok_or_else(|| format!("no payload: {text}"))?;
            if payload.errors.is_some() {
                return Err(format!("GraphQL errors: {text}"));
            }
            let data = payload.data.ok_or_else(|| format!("no data: {text}"))?;
            Ok(Some((data.events.target_id, data.events.occurred_at)))
        }
        "ping" | "pong" => Ok(None),
        _ => Err(format!("the subscription ended: {text}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_target_of_an_event_and_refuses_errors() {
        let next = r#"{"id":"1","type":"next","payload":{"data":{"events":{"id":"e","type":"CUSTOMER_CREATED","occurredAt":"2026-11-24T07:57:26.472232Z","summary":"s","targetId":"Q3VzdDox"}}}}"#;
        let (target, occurred) = parse(next).unwrap().unwrap();
        assert_eq!(target, "Q3VzdDox");
        assert_eq!(occurred.timestamp_micros(), 1_795_507_046_472_232);
        assert_eq!(parse(r#"{"type":"ping"}"#), Ok(None));
        assert!(parse(r#"{"id":"1","type":"error","payload":[{"message":"x"}]}"#).is_err());
        assert!(parse(r#"{"id":"1","type":"complete"}"#).is_err());
        assert!(
            parse(r#"{"id":"1","type":"next","payload":{"data":null,"errors":[{}]}}"#).is_err()
        );
    }
}
