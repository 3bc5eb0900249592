//! Webhook throughput (issue 12): deliveries per second by one `worker` process to a local
//! receiver that verifies every signature, beside a plain HTTP client (reqwest) sending the
//! very same requests to the same receiver at the same concurrency.
//!
//! - A provider registers `endpoints` endpoints on the receiver (an organization's CRM,
//!   billing, ticketing...) for `CUSTOMER_CREATED`.
//! - It creates customers through the API with no worker running, so the backlog of
//!   deliveries is written by the product itself, in the mutations' transactions.
//! - One worker starts and drains it; the rate counts from the first to the last arrival.
//!   Then every delivery must be recorded DELIVERED, and none may arrive twice.
//! - The plain client replays the requests the receiver kept (the same bodies and signed
//!   headers, each 5 times) with `WEBHOOKS__CONCURRENCY` in flight, the worker's own
//!   setting.
//!
//! The receiver is on 127.0.0.1, which the product refuses unless
//! `WEBHOOKS__ALLOW_INSECURE_TARGETS=true`: the harness sets it for the API and the workers,
//! as the end-to-end tests do for theirs.

use crate::events::Mutation;
use crate::processes::{self, Services};
use crate::receiver::{Receiver, Tally};
use crate::{dataset, scenarios};
use anyhow::{Context, bail};
use futures::StreamExt;
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Every endpoint the harness registers has a URL under this path.
const PATH: &str = "/bench-hooks/";
/// The plain client sends the kept requests this many times over, so its much shorter run
/// still spans long enough to time.
const PLAIN_ROUNDS: u64 = 5;

#[derive(Debug, Clone, Serialize)]
pub struct WebhookResult {
    pub deliveries: u64,
    pub endpoints: usize,
    /// Requests in flight: `WEBHOOKS__CONCURRENCY` of the worker, and the plain client's.
    pub concurrency: usize,
    pub worker: Rate,
    pub plain_client: Rate,
    /// Seconds the API took to create the events (and their deliveries).
    pub backlog_seconds: f64,
    /// Messages the worker sent more than once.
    pub duplicates: u64,
}

impl WebhookResult {
    /// A line for the report's table.
    pub fn details(&self) -> String {
        format!(
            "webhooks: {} deliveries to {} endpoints, {} in flight: worker {:.2} s, plain client \
             {} × {PLAIN_ROUNDS} in {:.2} s; {} sent twice; the API wrote the backlog in {:.2} s\n",
            self.deliveries,
            self.endpoints,
            self.concurrency,
            self.worker.seconds,
            self.deliveries,
            self.plain_client.seconds,
            self.duplicates,
            self.backlog_seconds
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Rate {
    /// First arrival to last, at the receiver.
    pub seconds: f64,
    pub per_second: f64,
}

impl Rate {
    /// `count` requests arrived over the tally's span (the first one opens it).
    fn of(count: u64, tally: &Tally) -> anyhow::Result<Rate> {
        let (first, last) = tally.span.context("nothing arrived")?;
        let seconds = last.duration_since(first).as_secs_f64();
        Ok(Rate {
            seconds,
            per_second: count.saturating_sub(1) as f64 / seconds.max(1e-6),
        })
    }
}

/// Deletes the endpoints earlier runs registered (their deliveries go with them), so no
/// other part's mutations fan out to them.
pub fn remove_bench_endpoints(database_url: &str) -> anyhow::Result<()> {
    let sql = format!("DELETE FROM webhook_endpoints WHERE url LIKE 'http://127.0.0.1:%{PATH}%'");
    dataset::psql(database_url, &["-c", &sql]).map(drop)
}

/// The whole part, as `provider`: about `deliveries` deliveries to `endpoints` endpoints.
pub async fn run(
    services: &Services,
    base_url: &str,
    provider: usize,
    deliveries: u64,
    endpoints: usize,
) -> anyhow::Result<WebhookResult> {
    let database_url = &services.database_url;
    remove_bench_endpoints(database_url)?;
    let receiver = Receiver::start().await?;
    let client = reqwest::Client::new();
    for k in 0..endpoints {
        let path = format!("{PATH}{k}");
        let secret = register(&client, base_url, provider, &receiver.url(&path)).await?;
        receiver.add_endpoint(&path, &secret)?;
    }

    let events = deliveries.div_ceil(endpoints as u64);
    let total = events * endpoints as u64;
    eprintln!("webhooks: {events} events for {endpoints} endpoints ({total} deliveries) ...");
    let ids = scenarios::order_ids(&client, base_url, provider).await?;
    let tag = format!("wh{:x}", chrono::Utc::now().timestamp_millis());
    let (make, check) = scenarios::create_customer(base_url, provider, ids, &tag);
    let mutate = Mutation {
        client: client.clone(),
        make,
        check,
    };
    let started = Instant::now();
    futures::stream::iter(0..events)
        .map(|n| mutate.send(n))
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<Vec<_>>>()?;
    let backlog_seconds = started.elapsed().as_secs_f64();
    let pending = count_deliveries(database_url, "status = 'PENDING'")?;
    if pending != total {
        bail!("{pending} pending deliveries instead of {total}");
    }

    eprintln!("webhooks: one worker drains them ...");
    receiver.reset(true);
    let worker = processes::start_workers(services, 1)?;
    let tally = receiver.wait_for(total, Duration::from_secs(600)).await?;
    wait_all_delivered(database_url, total).await?;
    drop(worker);
    let worker_rate = Rate::of(total, &tally)?;
    let duplicates = receiver.tally().accepted - total;

    let concurrency = std::env::var("WEBHOOKS__CONCURRENCY")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(16usize);
    let sends = total * PLAIN_ROUNDS;
    eprintln!("webhooks: a plain client sends the same {total} requests {PLAIN_ROUNDS} times ...");
    let kept = Arc::new(receiver.kept());
    receiver.reset(false);
    replay(&receiver, kept, sends as usize, concurrency).await?;
    let tally = receiver.tally();
    if tally.accepted != sends || tally.rejected > 0 {
        bail!(
            "the receiver accepted {} of the plain client's {sends} requests",
            tally.accepted
        );
    }
    remove_bench_endpoints(database_url)?;
    Ok(WebhookResult {
        deliveries: total,
        endpoints,
        concurrency,
        worker: worker_rate,
        plain_client: Rate::of(sends, &tally)?,
        backlog_seconds,
        duplicates,
    })
}

/// `createWebhookEndpoint` as the provider's ADMIN; returns the secret.
async fn register(
    client: &reqwest::Client,
    base_url: &str,
    provider: usize,
    url: &str,
) -> anyhow::Result<String> {
    let query = "mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) \
                 { endpoint { id } secret userErrors { code message } } }";
    let input = json!({ "url": url, "eventTypes": ["CUSTOMER_CREATED"], "description": "bench" });
    let answer: Value = client
        .post(format!("{base_url}/graphql"))
        .bearer_auth(scenarios::provider_token(provider))
        .json(&json!({ "query": query, "variables": { "input": input } }))
        .send()
        .await?
        .json()
        .await?;
    let payload = &answer["data"]["createWebhookEndpoint"];
    match payload["secret"].as_str() {
        Some(secret) if payload["userErrors"] == json!([]) => Ok(secret.to_owned()),
        _ => bail!("createWebhookEndpoint refused: {answer}"),
    }
}

/// The plain client: `sends` requests taken from the kept ones in turn, `concurrency` at a
/// time; every answer has been read when it returns.
async fn replay(
    receiver: &Receiver,
    kept: Arc<Vec<crate::receiver::Kept>>,
    sends: usize,
    concurrency: usize,
) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, kept, next) = (client.clone(), kept.clone(), next.clone());
        let base = receiver.url("");
        tasks.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                if n >= sends {
                    return anyhow::Ok(());
                }
                let request = &kept[n % kept.len()];
                let mut post = client
                    .post(format!("{base}{}", request.path))
                    .header("content-type", "application/json")
                    .body(request.body.clone());
                for (name, value) in &request.headers {
                    post = post.header(*name, value);
                }
                let status = post.send().await?.status();
                if !status.is_success() {
                    bail!("the receiver answered {status} to the plain client");
                }
            }
        });
    }
    while let Some(result) = tasks.join_next().await {
        result??;
    }
    Ok(())
}

/// Deliveries to the harness's endpoints matching `condition`.
fn count_deliveries(database_url: &str, condition: &str) -> anyhow::Result<u64> {
    let sql = format!(
        "SELECT count(*) FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
         WHERE e.url LIKE 'http://127.0.0.1:%{PATH}%' AND d.{condition}"
    );
    Ok(dataset::psql(database_url, &["-c", &sql])?.parse()?)
}

/// Waits until the worker has recorded every delivery DELIVERED.
async fn wait_all_delivered(database_url: &str, total: u64) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let delivered = count_deliveries(database_url, "status = 'DELIVERED'")?;
        if delivered == total {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{delivered} of {total} deliveries are recorded DELIVERED");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
