//! A real HTTP server that receives webhooks: it records every request as it arrives and
//! answers the statuses a test scripted (then 200), optionally with a body and after a
//! delay, so a test can play a failing endpoint, a recovering one, or a slow one that keeps
//! requests in flight while a worker is killed.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    /// Header names in lower case.
    pub headers: BTreeMap<String, String>,
    pub body: String,
    /// The status it was (or is being) answered with.
    pub status: u16,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("no {name} header in {self:?}"))
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    /// The `webhook-id` header.
    pub fn webhook_id(&self) -> &str {
        self.header("webhook-id")
    }

    /// The body's `type`.
    pub fn event_type(&self) -> String {
        self.json()["type"].as_str().unwrap_or_default().to_owned()
    }

    /// Whether the `webhook-signature` header holds a signature made with `secret`
    /// (checked with the tests' own implementation of the standard).
    pub fn signed_with(&self, secret: &str) -> bool {
        crate::standard_webhooks::verifies(
            secret,
            self.header("webhook-id"),
            self.header("webhook-timestamp"),
            &self.body,
            self.header("webhook-signature"),
        )
    }
}

#[derive(Default)]
struct Shared {
    /// Statuses to answer, in order; 200 once empty.
    script: Mutex<VecDeque<u16>>,
    /// The status of requests the script does not cover; 200 when unset.
    fallback: Mutex<Option<u16>>,
    delay: Mutex<Duration>,
    /// The body of every answer (empty when unset).
    body: Mutex<String>,
    arrived: Mutex<Vec<Received>>,
    /// Per request of `arrived`: whether its answer was written (its delay is over).
    answered: Mutex<Vec<bool>>,
}

pub struct Receiver {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Receiver {
    /// Listens on a free loopback port, on the test's runtime.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared::default());
        let app = axum::Router::new()
            .fallback(receive)
            .with_state(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, shared }
    }

    /// The URL to register as an endpoint.
    pub fn url(&self) -> String {
        format!("http://{}/hooks/partner-center", self.addr)
    }

    /// Answers these statuses to the next requests, in order, then 200 again.
    pub fn script(&self, statuses: &[u16]) {
        self.shared.script.lock().unwrap().extend(statuses);
    }

    /// Answers `status` to every request not scripted (`None`: 200).
    pub fn always(&self, status: Option<u16>) {
        *self.shared.fallback.lock().unwrap() = status;
    }

    /// Holds every answer back this long (a slow endpoint).
    pub fn delay(&self, delay: Duration) {
        *self.shared.delay.lock().unwrap() = delay;
    }

    /// Answers with this body (whatever the status).
    pub fn body(&self, body: impl Into<String>) {
        *self.shared.body.lock().unwrap() = body.into();
    }

    /// Every request that arrived, in order of arrival, answered yet or not.
    pub fn requests(&self) -> Vec<Received> {
        self.shared.arrived.lock().unwrap().clone()
    }

    /// How many requests have been answered (their delay is over).
    pub fn answered(&self) -> usize {
        self.shared
            .answered
            .lock()
            .unwrap()
            .iter()
            .filter(|a| **a)
            .count()
    }

    /// The requests still waiting for their answer (in flight for their sender).
    pub fn unanswered(&self) -> Vec<Received> {
        let arrived = self.shared.arrived.lock().unwrap();
        let answered = self.shared.answered.lock().unwrap();
        arrived
            .iter()
            .zip(answered.iter())
            .filter(|(_, done)| !**done)
            .map(|(r, _)| r.clone())
            .collect()
    }
}

async fn receive(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let scripted = shared.script.lock().unwrap().pop_front();
    let status = scripted.or(*shared.fallback.lock().unwrap()).unwrap_or(200);
    let headers = headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    // Both lists grow together, under the lock of `arrived`.
    let index = {
        let mut arrived = shared.arrived.lock().unwrap();
        shared.answered.lock().unwrap().push(false);
        arrived.push(Received {
            method: method.to_string(),
            path: uri.path().to_owned(),
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            status,
        });
        arrived.len() - 1
    };
    let delay = *shared.delay.lock().unwrap();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    shared.answered.lock().unwrap()[index] = true;
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        shared.body.lock().unwrap().clone(),
    )
}
