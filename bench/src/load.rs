//! The load generator: a closed loop of `concurrency` clients, each sending its next request
//! as soon as the previous answer has been read and checked. Every response body is checked;
//! an HTTP 200 whose body carries GraphQL `errors` counts as a failure, like any other
//! unexpected answer.

use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One request to send: the body (or `None` for GET) and the bearer token, if any.
pub struct Call {
    pub url: String,
    pub body: Option<String>,
    pub token: Option<String>,
}

/// Decides whether an answer is what a user would accept.
pub type Check = Arc<dyn Fn(u16, &[u8]) -> Result<(), String> + Send + Sync>;
/// Builds the `n`-th call of client `client`.
pub type MakeCall = Arc<dyn Fn(usize, u64) -> Call + Send + Sync>;

#[derive(Debug, Clone, Serialize)]
pub struct LoadResult {
    /// Requests sent in all, warm-up included (to divide server-side counters by).
    pub sent: u64,
    /// Requests answered correctly inside the measured window.
    pub requests: u64,
    pub failures: u64,
    pub seconds: f64,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The first failure seen, to tell what went wrong.
    pub first_failure: Option<String>,
}

/// Runs the closed loop for `duration` after a `warmup` whose answers are checked but not
/// counted.
pub async fn run(
    client: &reqwest::Client,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
    make: MakeCall,
    check: Check,
) -> LoadResult {
    let start = Instant::now();
    let measure_from = start + warmup;
    let until = measure_from + duration;
    let mut tasks = Vec::with_capacity(concurrency);
    for client_no in 0..concurrency {
        let (http, make, check) = (client.clone(), make.clone(), check.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies_us = Vec::with_capacity(4096);
            let (mut failures, mut first_failure) = (0u64, None);
            let mut n = 0u64;
            loop {
                let sent = Instant::now();
                if sent >= until {
                    break;
                }
                let outcome = send(&http, make(client_no, n)).await;
                n += 1;
                let outcome = outcome.and_then(|(status, body)| check(status, &body));
                if sent < measure_from {
                    if let Err(e) = outcome {
                        first_failure.get_or_insert(format!("during warm-up: {e}"));
                        failures += 1;
                    }
                    continue;
                }
                match outcome {
                    Ok(()) => latencies_us.push(sent.elapsed().as_micros() as u64),
                    Err(e) => {
                        failures += 1;
                        first_failure.get_or_insert(e);
                    }
                }
            }
            (latencies_us, failures, first_failure, n)
        }));
    }
    let mut all = Vec::new();
    let (mut failures, mut first_failure, mut sent) = (0, None, 0);
    for task in tasks {
        let (latencies, f, first, n) = task.await.expect("load client task");
        all.extend(latencies);
        sent += n;
        failures += f;
        if first_failure.is_none() {
            first_failure = first;
        }
    }
    all.sort_unstable();
    let seconds = duration.as_secs_f64();
    LoadResult {
        sent,
        requests: all.len() as u64,
        failures,
        seconds,
        requests_per_second: all.len() as f64 / seconds,
        p50_ms: percentile_ms(&all, 0.50),
        p99_ms: percentile_ms(&all, 0.99),
        first_failure,
    }
}

async fn send(http: &reqwest::Client, call: Call) -> Result<(u16, Vec<u8>), String> {
    let mut request = match call.body {
        Some(body) => http
            .post(&call.url)
            .header("content-type", "application/json")
            .body(body),
        None => http.get(&call.url),
    };
    if let Some(token) = call.token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| format!("send: {e}"))?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(|e| format!("body: {e}"))?;
    Ok((status, body.to_vec()))
}

/// The value below which `q` of the sorted samples fall, in milliseconds.
pub fn percentile_ms(sorted_us: &[u64], q: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let rank = ((sorted_us.len() as f64 * q).ceil() as usize).clamp(1, sorted_us.len());
    sorted_us[rank - 1] as f64 / 1000.0
}

/// A GraphQL answer a user would accept: HTTP 200, JSON, no `errors`, and `data` passing
/// `accept`.
pub fn graphql_check(
    accept: impl Fn(&serde_json::Value) -> Result<(), String> + Send + Sync + 'static,
) -> Check {
    Arc::new(move |status, body| {
        if status != 200 {
            return Err(format!("HTTP {status}: {}", String::from_utf8_lossy(body)));
        }
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| format!("not JSON ({e})"))?;
        if let Some(errors) = value.get("errors") {
            return Err(format!("GraphQL errors: {errors}"));
        }
        match value.get("data") {
            Some(data) if !data.is_null() => accept(data),
            _ => Err("no data".into()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_sample_at_the_rank() {
        let samples: Vec<u64> = (1..=100).map(|ms| ms * 1000).collect();
        assert_eq!(percentile_ms(&samples, 0.50), 50.0);
        assert_eq!(percentile_ms(&samples, 0.99), 99.0);
        assert_eq!(percentile_ms(&[], 0.5), 0.0);
    }

    #[test]
    fn a_200_with_errors_is_a_failure() {
        let check = graphql_check(|_| Ok(()));
        assert!(check(200, br#"{"data":{"a":1}}"#).is_ok());
        assert!(check(200, br#"{"data":null,"errors":[{"message":"x"}]}"#).is_err());
        assert!(check(200, br#"{"data":{"a":1},"errors":[{"message":"x"}]}"#).is_err());
        assert!(check(500, br#"{"data":{"a":1}}"#).is_err());
        assert!(check(200, b"<html>").is_err());
    }
}
