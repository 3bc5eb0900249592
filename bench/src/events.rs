//! Live events (issue 12): `subscribers` WebSocket clients, each a distinct user of one
//! provider organization subscribed to `events(types: [CUSTOMER_CREATED])`, while that
//! provider creates customers through the API at a steady rate. Every event therefore goes
//! to every subscriber: the worst fan-out one replica can be asked for.
//!
//! Rates are stepped up (`rates`); each step measures, for every (event, subscriber) pair,
//! the time from the mutation's HTTP response to the event's arrival, and how long after
//! the last mutation the last subscriber had everything. The ramp stops at the first step
//! that does not keep up. One distinct user per connection keeps the product's own
//! per-user limit (`EVENTS__MAX_CONNECTIONS_PER_USER`) in force, unchanged.

use crate::load::{Check, MakeCall, percentile_ms};
use crate::subscriber::{self, Seen};
use crate::{dataset, scenarios};
use anyhow::{Context, bail};
use futures::StreamExt;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A step keeps up when every subscriber has every event within this long of the last
/// mutation's answer.
const KEPT_UP_WITHIN: Duration = Duration::from_secs(2);
/// How long to wait for stragglers before calling events lost.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Serialize)]
pub struct EventsResult {
    pub subscribers: usize,
    pub steps: Vec<EventStep>,
}

impl EventsResult {
    /// The fastest step that kept up, if any.
    pub fn best(&self) -> Option<&EventStep> {
        self.steps
            .iter()
            .filter(|s| s.kept_up)
            .max_by(|a, b| a.events_per_second.total_cmp(&b.events_per_second))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EventStep {
    /// Mutations per second asked for, and achieved.
    pub offered_rate: f64,
    pub mutations_per_second: f64,
    pub events: usize,
    /// Events every subscriber received, per second: events / (first mutation sent → last
    /// arrival at the last subscriber).
    pub events_per_second: f64,
    /// WebSocket messages delivered per second, all subscribers together.
    pub messages_per_second: f64,
    /// (event, subscriber) pairs expected and received.
    pub expected: u64,
    pub received: u64,
    /// Mutation's HTTP response → arrival at a subscriber, over every pair.
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Pairs where the event arrived before the mutation's answer did (counted as 0 ms).
    pub before_response: u64,
    /// Last mutation's answer → last arrival at the slowest subscriber.
    pub drain_ms: f64,
    pub kept_up: bool,
}

/// The whole part: users, subscribers, then the steps of `rates` until one does not keep
/// up. The subscribers disconnect at the end, so later parts run without them.
pub async fn run(
    base_url: &str,
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
        let step = step(&seen, &mutate, next_call, rate, duration).await?;
        next_call += step.events as u64;
        eprintln!(
            "events: {rate}/s offered: {:.1} events/s to all, p50 {:.1} ms, p99 {:.1} ms, \
             drain {:.0} ms, {}/{} received",
            step.events_per_second,
            step.p50_ms,
            step.p99_ms,
            step.drain_ms,
            step.received,
            step.expected
        );
        let kept_up = step.kept_up;
        steps.push(step);
        if !kept_up {
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
    wait_all(&seen, 1, Instant::now() + Duration::from_secs(60))
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

/// One step: `rate` mutations per second for `duration` (an open loop: a slow answer does
/// not delay the next request), then the wait for every subscriber to have every event.
pub async fn step(
    seen: &[Arc<Seen>],
    mutate: &Arc<Mutation>,
    first_call: u64,
    rate: f64,
    duration: Duration,
) -> anyhow::Result<EventStep> {
    let count = (rate * duration.as_secs_f64()).round().max(1.0) as u64;
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..count {
        ticks.tick().await;
        let mutate = mutate.clone();
        tasks.spawn(async move { mutate.send(first_call + n).await });
    }
    let sending = started.elapsed();
    let mut answered: HashMap<String, Instant> = HashMap::new();
    while let Some(result) = tasks.join_next().await {
        let (id, at) = result??;
        answered.insert(id, at);
    }
    let last_answer = answered
        .values()
        .max()
        .copied()
        .context("no mutation answered")?;
    let complete = wait_all(seen, count, last_answer + DRAIN_TIMEOUT).await;
    let (mut latencies_us, mut received, mut before_response) = (Vec::new(), 0u64, 0u64);
    let mut last_arrival = last_answer;
    for s in seen {
        for (target, arrived) in s.take() {
            let Some(answer) = answered.get(&*target) else {
                continue;
            };
            received += 1;
            last_arrival = last_arrival.max(arrived);
            if arrived < *answer {
                before_response += 1;
            }
            latencies_us.push(arrived.saturating_duration_since(*answer).as_micros() as u64);
        }
    }
    if let Err(e) = complete {
        eprintln!("events: at {rate}/s {e}");
    }
    latencies_us.sort_unstable();
    let expected = count * seen.len() as u64;
    let span = last_arrival.duration_since(started).as_secs_f64();
    let drain = last_arrival.duration_since(last_answer);
    let events_per_second = if received == expected {
        count as f64 / span
    } else {
        0.0
    };
    Ok(EventStep {
        offered_rate: rate,
        mutations_per_second: count as f64 / sending.as_secs_f64().max(1e-3),
        events: count as usize,
        events_per_second,
        messages_per_second: received as f64 / span,
        expected,
        received,
        p50_ms: percentile_ms(&latencies_us, 0.50),
        p99_ms: percentile_ms(&latencies_us, 0.99),
        max_ms: latencies_us.last().map_or(0.0, |us| *us as f64 / 1000.0),
        before_response,
        drain_ms: drain.as_secs_f64() * 1000.0,
        kept_up: received == expected && drain <= KEPT_UP_WITHIN,
    })
}

/// Waits until every subscriber has counted `count` events, or `deadline`; fails early if
/// a subscription ended.
async fn wait_all(seen: &[Arc<Seen>], count: u64, deadline: Instant) -> anyhow::Result<()> {
    loop {
        if let Some(failure) = seen.iter().find_map(|s| s.failure()) {
            bail!("a subscriber failed: {failure}");
        }
        let behind = seen.iter().filter(|s| s.count() < count).count();
        if behind == 0 {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{behind} of {} subscribers are missing events", seen.len());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
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
