//! One step of the events part: mutations at a steady rate for a while, then what reached
//! every subscriber, how fast and how late, and what it cost the API's CPU.
//!
//! The rate is held by a ticker, not by answers (an open loop), but at most
//! [`IN_FLIGHT`] mutations are outstanding, as a real population of users would be: an
//! unbounded open loop only measures the connection pool's timeout once the API saturates.
//! The rate achieved is reported beside the rate asked for.

use crate::cpu::process_cpu_seconds;
use crate::events::Mutation;
use crate::load::percentile_ms;
use crate::subscriber::Seen;
use anyhow::{Context, bail};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio::time::MissedTickBehavior;

/// Mutations outstanding at most (the harness's usual client count).
const IN_FLIGHT: usize = 16;
/// A step keeps up when it achieved this share of the rate asked for and every subscriber
/// had every event within [`KEPT_UP_WITHIN`] of the last mutation's answer.
const KEPT_UP_SHARE: f64 = 0.9;
const KEPT_UP_WITHIN: Duration = Duration::from_secs(2);
/// How long to wait for stragglers before calling events lost.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Serialize)]
pub struct EventStep {
    /// Mutations per second asked for.
    pub offered_rate: f64,
    pub events: usize,
    /// Events every subscriber received, per second: events / (first mutation sent → last
    /// arrival at the last subscriber).
    pub events_per_second: f64,
    /// WebSocket messages delivered per second, all subscribers together.
    pub messages_per_second: f64,
    /// (event, subscriber) pairs expected and received.
    pub expected: u64,
    pub received: u64,
    /// Commit (the event's `occurredAt`) → arrival at a subscriber, over every pair.
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// The mutation's HTTP response → arrival, over every pair (0 when the event came
    /// first, which `before_response` counts).
    pub from_response_p50_ms: f64,
    pub from_response_p99_ms: f64,
    pub before_response: u64,
    /// Last mutation's answer → last arrival at the slowest subscriber.
    pub drain_ms: f64,
    /// CPU of the API process, and of the harness (subscribers and mutations), per message
    /// delivered, in microseconds.
    pub api_cpu_us_per_message: Option<f64>,
    pub harness_cpu_us_per_message: Option<f64>,
    pub kept_up: bool,
}

/// `rate` mutations per second for `duration`, calls numbered from `first_call`; then the
/// wait for every subscriber to have every event.
pub async fn step(
    seen: &[Arc<Seen>],
    mutate: &Arc<Mutation>,
    api_pid: u32,
    first_call: u64,
    rate: f64,
    duration: Duration,
) -> anyhow::Result<EventStep> {
    let count = (rate * duration.as_secs_f64()).round().max(1.0) as u64;
    let cpu = || {
        (
            process_cpu_seconds(api_pid),
            process_cpu_seconds(std::process::id()),
        )
    };
    let cpu_before = cpu();
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    // After a wait for a free slot, go on at the rate rather than bursting to catch up.
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..count {
        ticks.tick().await;
        let slot = slots.clone().acquire_owned().await?;
        let mutate = mutate.clone();
        tasks.spawn(async move {
            let answer = mutate.send(first_call + n).await;
            drop(slot);
            answer
        });
    }
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
    if let Err(e) = wait_all(seen, count, last_answer + DRAIN_TIMEOUT).await {
        eprintln!("events: at {rate}/s {e}");
    }
    let cpu_after = cpu();

    let (mut from_commit, mut from_response) = (Vec::new(), Vec::new());
    let (mut received, mut before_response, mut last_arrival) = (0u64, 0u64, last_answer);
    for s in seen {
        for arrival in s.take() {
            let Some(answer) = answered.get(&*arrival.target_id) else {
                continue;
            };
            received += 1;
            last_arrival = last_arrival.max(arrival.at);
            if arrival.at < *answer {
                before_response += 1;
            }
            from_response.push(arrival.at.saturating_duration_since(*answer).as_micros() as u64);
            from_commit.push(arrival.since_occurred_us.max(0) as u64);
        }
    }
    from_commit.sort_unstable();
    from_response.sort_unstable();
    let expected = count * seen.len() as u64;
    let span = last_arrival.duration_since(started).as_secs_f64();
    let drain = last_arrival.duration_since(last_answer);
    let events_per_second = if received == expected {
        count as f64 / span
    } else {
        0.0
    };
    let per_message = |before: Option<f64>, after: Option<f64>| {
        let seconds = after? - before?;
        (received > 0).then(|| seconds * 1e6 / received as f64)
    };
    Ok(EventStep {
        offered_rate: rate,
        events: count as usize,
        events_per_second,
        messages_per_second: received as f64 / span,
        expected,
        received,
        p50_ms: percentile_ms(&from_commit, 0.50),
        p99_ms: percentile_ms(&from_commit, 0.99),
        max_ms: from_commit.last().map_or(0.0, |us| *us as f64 / 1000.0),
        from_response_p50_ms: percentile_ms(&from_response, 0.50),
        from_response_p99_ms: percentile_ms(&from_response, 0.99),
        before_response,
        drain_ms: drain.as_secs_f64() * 1000.0,
        api_cpu_us_per_message: per_message(cpu_before.0, cpu_after.0),
        harness_cpu_us_per_message: per_message(cpu_before.1, cpu_after.1),
        kept_up: received == expected
            && drain <= KEPT_UP_WITHIN
            && events_per_second >= KEPT_UP_SHARE * rate,
    })
}

/// Waits until every subscriber has counted `count` events, or `deadline`; fails early if
/// a subscription ended.
pub async fn wait_all(seen: &[Arc<Seen>], count: u64, deadline: Instant) -> anyhow::Result<()> {
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
