//! The deep page (issue 15): the audit log's 1,000th page beside its first, in the same
//! run, as the platform administrator (the one viewer with 300,000 entries, 6,000 pages of
//! 50). Lists page by key, so the deep page should cost what the first does; with offsets
//! the database would walk the 49,950 entries before it on every request.
//!
//! The harness walks to page 1,000 through the API the way a client would (each page's
//! `endCursor` is the next one's `after`), then loads page 1, page 1,000 and page 1 again
//! (A-B-A, so a drift of the shared machine during the runs cancels out), each answer
//! checked. The query leaves `totalCount` out: that is one count of the whole log whatever
//! the page, and would only hide the paging cost under its own.

use crate::cpu;
use crate::load::{self, Call, Check, LoadResult, MakeCall};
use anyhow::{Context, bail};
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PAGE_SIZE: usize = 50;
/// The page: "the 1,000th page of the audit log within 1.2× of the first".
pub const DEEP_PAGE: usize = 1_000;
/// Page 1,000 may cost at most this many times page 1.
pub const TARGET: f64 = 1.2;

const AUDIT_PAGE: &str = "query AuditPage($after: String) { auditLog(first: 50, after: $after) { \
    pageInfo { hasNextPage endCursor } edges { cursor node { occurredAt action targetType \
    targetId summary actorUserId actorPartnerId requestId } } } }";

#[derive(Debug, Clone, Serialize)]
pub struct DeepPageResult {
    pub page_size: usize,
    pub page: usize,
    /// Page 1, before the deep page's run and after it, each half as long as the deep one.
    pub first_before: LoadResult,
    pub deep: LoadResult,
    pub first_after: LoadResult,
    /// Page 1's requests per second over both of its runs.
    pub first_requests_per_second: f64,
    /// API CPU milliseconds per request (the process's own counters), page 1 and deep.
    pub first_api_cpu_ms: Option<f64>,
    pub deep_api_cpu_ms: Option<f64>,
    /// What the deep page costs relative to the first: page 1's rate over page 1,000's.
    pub cost_ratio: f64,
    /// How long walking to the deep page took, one request per page.
    pub walk_seconds: f64,
}

impl DeepPageResult {
    pub fn met(&self) -> bool {
        self.cost_ratio <= TARGET
    }
}

/// Signs the platform administrator of the dataset in (one argon2 verification).
async fn platform_token(client: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let answer: Value = client
        .post(format!("{base}/graphql"))
        .json(&json!({
            "query": "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token } }",
            "variables": { "e": "platform@bench.example", "p": "bench-password" }
        }))
        .send()
        .await?
        .json()
        .await?;
    answer["data"]["login"]["token"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("platform sign-in failed: {answer}"))
}

/// A page a user would accept: 50 entries, each with an action and a cursor, and a next one.
fn accept(body: &[u8]) -> Result<String, String> {
    let answer: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON ({e})"))?;
    if answer.get("errors").is_some() {
        return Err(format!("GraphQL errors: {}", answer["errors"]));
    }
    let log = &answer["data"]["auditLog"];
    let edges = log["edges"].as_array().ok_or("no edges")?;
    if edges.len() != PAGE_SIZE
        || log["pageInfo"]["hasNextPage"] != true
        || edges
            .iter()
            .any(|e| e["node"]["action"].as_str().is_none_or(str::is_empty))
    {
        return Err(format!("not a full page of entries: {log}"));
    }
    log["pageInfo"]["endCursor"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| "no endCursor".into())
}

fn call(base: &str, token: &str, after: Option<&str>) -> Call {
    Call {
        url: format!("{base}/graphql"),
        body: Some(json!({ "query": AUDIT_PAGE, "variables": { "after": after } }).to_string()),
        token: Some(token.to_owned()),
    }
}

/// The `after` cursor of page `page` (the end cursor of the page before it).
async fn walk_to(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    page: usize,
) -> anyhow::Result<String> {
    let mut after: Option<String> = None;
    for n in 1..page {
        let c = call(base, token, after.as_deref());
        let response = client
            .post(&c.url)
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(c.body.unwrap_or_default())
            .send()
            .await?;
        let body = response.bytes().await?;
        match accept(&body) {
            Ok(end) => after = Some(end),
            Err(e) => bail!("page {n} of the audit log: {e}"),
        }
    }
    after.context("the deep page must be past page 1")
}

pub async fn run(
    client: &reqwest::Client,
    base: &str,
    api_pid: u32,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<DeepPageResult> {
    let token = platform_token(client, base).await?;
    let started = Instant::now();
    let after = walk_to(client, base, &token, DEEP_PAGE).await?;
    let walk_seconds = started.elapsed().as_secs_f64();
    let check: Check = Arc::new(|status, body| {
        if status != 200 {
            return Err(format!("HTTP {status}: {}", String::from_utf8_lossy(body)));
        }
        accept(body).map(|_| ())
    });
    let load_page = |after: Option<String>, duration: Duration| {
        let (base, token, check) = (base.to_owned(), token.clone(), check.clone());
        let make: MakeCall = Arc::new(move |_, _| call(&base, &token, after.as_deref()));
        async move {
            let cpu = cpu::measure_window(api_pid, warmup, duration);
            let result = load::run(client, concurrency, warmup, duration, make, check).await;
            let cpu = cpu.await.ok().flatten();
            checked(result).map(|r| (r, cpu))
        }
    };
    let (first_before, cpu_a) = load_page(None, duration / 2).await?;
    let (deep, cpu_deep) = load_page(Some(after), duration).await?;
    let (first_after, cpu_b) = load_page(None, duration / 2).await?;
    let first_requests = first_before.requests + first_after.requests;
    let first_requests_per_second =
        first_requests as f64 / (first_before.seconds + first_after.seconds);
    let first_api_cpu_ms = cpu_a
        .zip(cpu_b)
        .and_then(|(a, b)| cpu::ms_per_request(Some(a + b), first_requests));
    Ok(DeepPageResult {
        page_size: PAGE_SIZE,
        page: DEEP_PAGE,
        cost_ratio: first_requests_per_second / deep.requests_per_second,
        deep_api_cpu_ms: cpu::ms_per_request(cpu_deep, deep.requests),
        first_api_cpu_ms,
        first_requests_per_second,
        first_before,
        deep,
        first_after,
        walk_seconds,
    })
}

fn checked(result: LoadResult) -> anyhow::Result<LoadResult> {
    if result.failures > 0 || result.requests == 0 {
        bail!(
            "audit log pages: {} answers failed their check (first: {})",
            result.failures,
            result
                .first_failure
                .as_deref()
                .unwrap_or("no answer at all")
        );
    }
    Ok(result)
}

/// The lines `report` prints under the latency table.
pub fn details(d: &DeepPageResult) -> String {
    let cpu = |ms: Option<f64>| ms.map_or(String::new(), |ms| format!("{ms:.3}"));
    let mut out = String::new();
    for (name, l, ms) in [
        ("auditLog page 1 (before)", &d.first_before, None),
        ("auditLog page 1,000", &d.deep, d.deep_api_cpu_ms),
        ("auditLog page 1 (after)", &d.first_after, None),
    ] {
        out.push_str(&format!(
            "{:<46} {:>10.1} {:>9.2} {:>9.2} {:>9} {:>12}\n",
            name,
            l.requests_per_second,
            l.p50_ms,
            l.p99_ms,
            l.failures,
            cpu(ms)
        ));
    }
    out.push_str(&format!(
        "auditLog page 1 over both runs: {:.1} req/s, API CPU {} ms/request; page {} costs \
         {:.2}× page 1 (target ≤ {TARGET}); walking there took {:.1} s\n",
        d.first_requests_per_second,
        cpu(d.first_api_cpu_ms),
        d.page,
        d.cost_ratio,
        d.walk_seconds
    ));
    out
}
