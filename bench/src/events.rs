//! Live events (issue 12): `subscribers` WebSocket clients, each a distinct user of one
//! provider organization subscribed to `events(types: [CUSTOMER_CREATED])`, while that
//! provider creates customers through the API at a steady rate. Every event therefore goes
//! to every subscriber: the worst fan-out one replica can be asked for.
//!
//! Rates are stepped up (`rates`, see `fanout::step`); each step measures, for every
//! (event, subscriber) pair, the time from commit to arrival, and how long after the last
//! mutation the last subscriber had everything. The ramp stops when a step loses events,
//! or does not keep up and delivers no more than the steps before it. One distinct user
//! per connection keeps the product's own per-user limit
//! (`EVENTS__MAX_CONNECTIONS_PER_USER`) in force, unchanged.

use crate::fanout::{self, EventStep};
use crate::load::{Check, MakeCall};
use crate::subscriber::{self, Seen};
use crate::{dataset, scenarios};
use anyhow::{Context, bail};
use futures::StreamExt;
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Serialize)]
pub struct EventsResult {
    pub subscribers: usize,
    pub steps: Vec<EventStep>,
}

impl EventsResult {
    /// The step with the most events delivered to everyone per second: the fan-out's
    /// throughput on this machine (the step after it did not do better).
    pub fn best(&self) -> Option<&EventStep> {
        self.steps
            .iter()
            .max_by(|a, b| a.events_per_second.total_cmp(&b.events_per_second))
    }

    /// One line per step, for the report's table.
    pub fn details(&self) -> String {
        let mut out = format!(
            "\nevents to {} subscribers (ms: commit → arrival, then response → arrival; \
             µs of CPU per message)\n",
            self.subscribers
        );
        let columns = [
            "asked/s",
            "events/s",
            "msgs/s",
            "p50",
            "p99",
            "max",
            "resp p50",
            "resp p99",
            "drain ms",
            "API µs",
            "bench µs",
            "kept",
        ];
        for c in columns {
            out.push_str(&format!("{c:>9} "));
        }
        out.push('\n');
        let cpu = |us: Option<f64>| us.map_or("?".to_owned(), |us| format!("{us:.1}"));
        for s in &self.steps {
            let cells = [
                format!("{:.1}", s.offered_rate),
                format!("{:.1}", s.events_per_second),
                format!("{:.0}", s.messages_per_second),
                format!("{:.1}", s.p50_ms),
                format!("{:.1}", s.p99_ms),
                format!("{:.1}", s.max_ms),
                format!("{:.1}", s.from_response_p50_ms),
                format!("{:.1}", s.from_response_p99_ms),
                format!("{:.0}", s.drain_ms),
                cpu(s.api_cpu_us_per_message),
                cpu(s.harness_cpu_us_per_message),
                (if s.kept_up { "yes" } else { "NO" }).to_owned(),
            ];
            for cell in cells {
                out.push_str(&format!("{cell:>9} "));
            }
            out.push('\n');
        }
        out
    }
}

/// The whole part: users, subscribers, then the steps of `rates` (see the module's
/// documentation for when it stops). The subscribers disconnect at the end, so later parts run without them.
pub async fn run(
    base_url: &str,
    api_pid: u32,
    database_url: &str,
    provider: usize,
    subscribers: usize,
    rates: &[f64],
    duration: Duration,
) -> anyhow::Result<EventsResult> {
    let limit = raise_fd_limit();
    if limit < subscribers as u64 + 256 {
        bail!("{subscribers} subscribers need more open files than RLIMIT_NOFILE {limit} allows");
    }
    let tokens = prepare_users(database_url, provider, subscribers)?;
    let client = reqwest::Client::new();
    let ids = scenarios::order_ids(&client, base_url, provider).await?;
    let tag = format!("ev{:x}", chrono::Utc::now().timestamp_millis());
    let (make, check) = scenarios::create_customer(base_url, provider, ids, &tag);
    let mutate = Arc::new(Mutation {
        client,
        make,
        check,
    });
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let seen = subscribe_all(base_url, &tokens, &mutate, &stopped).await?;
    eprintln!("events: {subscribers} subscribers live");
    let (mut steps, mut next_call) = (Vec::new(), 1);
    for &rate in rates {
        let step = fanout::step(&seen, &mutate, api_pid, next_call, rate, duration).await?;
        next_call += step.events as u64;
        eprintln!(
            "events: {rate}/s asked: {:.1} events/s to all, commit to arrival p50 {:.1} ms, \
             p99 {:.1} ms, drain {:.0} ms, {}/{} received, API {:.1} µs/message",
            step.events_per_second,
            step.p50_ms,
            step.p99_ms,
            step.drain_ms,
            step.received,
            step.expected,
            step.api_cpu_us_per_message.unwrap_or(f64::NAN)
        );
        // A shared machine makes one step miss now and then: go on while asking for more
        // still delivers clearly more, and stop at the first miss that gained nothing.
        let best_before = steps
            .iter()
            .map(|s: &EventStep| s.events_per_second)
            .fold(0.0, f64::max);
        let (kept_up, gained) = (step.kept_up, step.events_per_second > 1.1 * best_before);
        let lost = step.received < step.expected;
        steps.push(step);
        if lost || (!kept_up && !gained) {
            break;
        }
    }
    let _ = stop.send(true);
    // Let the closes reach the server before the next part measures anything.
    tokio::time::sleep(Duration::from_secs(1)).await;
    Ok(EventsResult { subscribers, steps })
}

/// `count` users of `provider`'s organization with read-only roles, each with a session
/// token `bench-events-<n>`; returns the tokens.
pub fn prepare_users(
    database_url: &str,
    provider: usize,
    count: usize,
) -> anyhow::Result<Vec<String>> {
    let sql = format!(
        "INSERT INTO users (email, name, password_hash, role, partner_id, customer_id, \
           must_change_password, created_at) \
         SELECT 'events-' || n || '@bench.example', 'Dashboard ' || n, \
           (SELECT password_hash FROM users WHERE id = 1000 + {provider}), 'HELPDESK_AGENT', \
           {provider}, NULL, false, now() \
         FROM generate_series(1, {count}) AS n \
         WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.email = 'events-' || n || '@bench.example'); \
         INSERT INTO sessions (token_hash, user_id, created_at, expires_at) \
         SELECT encode(sha256(convert_to('bench-events-' || n, 'UTF8')), 'hex'), u.id, now(), \
           now() + interval '1 day' \
         FROM generate_series(1, {count}) AS n JOIN users u ON u.email = 'events-' || n || '@bench.example' \
         ON CONFLICT (token_hash) DO UPDATE SET expires_at = excluded.expires_at;"
    );
    dataset::psql(database_url, &["-c", &sql])?;
    Ok((1..=count).map(|n| format!("bench-events-{n}")).collect())
}

/// Connects the subscribers (50 handshakes at a time) and checks, with one event, that all
/// of them are live.
async fn subscribe_all(
    base_url: &str,
    tokens: &[String],
    mutate: &Mutation,
    stop: &tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<Vec<Arc<Seen>>> {
    let seen: Vec<Arc<Seen>> = futures::stream::iter(tokens)
        .map(|token| subscriber::start(base_url, token, &["CUSTOMER_CREATED"], stop.clone()))
        .buffer_unordered(50)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    // The protocol does not acknowledge a subscribe: an event reaching everyone does.
    let probe = mutate.send(0).await?;
    fanout::wait_all(&seen, 1, Instant::now() + Duration::from_secs(60))
        .await
        .with_context(|| format!("the probe event for {} did not reach everyone", probe.0))?;
    for s in &seen {
        s.take();
    }
    Ok(seen)
}

/// The mutation that makes one event: `createCustomer`, answered with the customer's id
/// (the event's `targetId`).
pub struct Mutation {
    pub client: reqwest::Client,
    pub make: MakeCall,
    pub check: Check,
}

impl Mutation {
    /// Sends call `n`; returns the target id and when the answer came.
    pub async fn send(&self, n: u64) -> anyhow::Result<(String, Instant)> {
        let call = (self.make)(0, n);
        let mut request = self
            .client
            .post(&call.url)
            .header("content-type", "application/json");
        if let Some(token) = call.token {
            request = request.bearer_auth(token);
        }
        let response = request.body(call.body.unwrap_or_default()).send().await?;
        let status = response.status().as_u16();
        let body = response.bytes().await?;
        let answered = Instant::now();
        (self.check)(status, &body).map_err(|e| anyhow::anyhow!("createCustomer: {e}"))?;
        let value: serde_json::Value = serde_json::from_slice(&body)?;
        let id = value["data"]["createCustomer"]["customer"]["id"]
            .as_str()
            .context("createCustomer answered no customer id")?;
        Ok((id.to_owned(), answered))
    }
}

/// Raises this process's soft limit of open files to its hard limit: the subscribers hold
/// one socket each, and the API (a child, which inherits the limit) the other end.
pub fn raise_fd_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct passed by pointer.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 0;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                return raised.rlim_cur;
            }
        }
    }
    limit.rlim_cur
}
