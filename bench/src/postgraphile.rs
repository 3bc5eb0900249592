//! The read page through PostGraphile v5 (issue 26): the same database, the same 50
//! customers of a provider with their subscriptions, each with its offer, partner of
//! record and support contact, through the schema PostGraphile's Amber preset derives from
//! the tables (`allCustomers(condition: {providerId}, orderBy: PRIMARY_KEY_DESC)`; the
//! `subscriptions` rows are `CustomerSubscription`, see `server.mjs`), served by two
//! Node workers (`bench/postgraphile/server.mjs`, node:cluster). The customers' index
//! `(provider_id, id)` that it needs is one of the product's own (migration 4), so the
//! comparison is of engines, not plans. PostGraphile runs without authentication: it does
//! less per request than the API (no session lookup, no policy, no budget).
//!
//! The package is installed with npm into the output directory on first use
//! (`postgraphile@5.1.5`); without Node.js or npm the part is skipped and says why.

use crate::cpu::process_cpu_seconds;
use crate::load::{self, Call, Check, LoadResult, MakeCall};
use anyhow::{Context, bail};
use serde::Serialize;
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const VERSION: &str = "5.1.5";
const WORKERS: usize = 2;

/// The API's read page in PostGraphile's schema.
pub const PAGE: &str = "query CustomersPage($provider: Int!) { allCustomers(first: 50, \
    condition: {providerId: $provider}, orderBy: [PRIMARY_KEY_DESC]) { totalCount \
    pageInfo { hasNextPage endCursor } edges { node { id companyName \
    customerSubscriptionsByCustomerId(orderBy: [PRIMARY_KEY_ASC]) { nodes { id quantity status \
    offerByOfferId { id name } partnerByPartnerOfRecordId { id companyName } \
    partnerBySupportContactPartnerId { id companyName } } } } } } }";

#[derive(Debug, Clone, Serialize)]
pub struct PostgraphileResult {
    pub version: String,
    pub node: String,
    pub workers: usize,
    pub load: LoadResult,
    /// CPU of the Node processes (primary and workers) per request.
    pub cpu_ms_per_request: Option<f64>,
    pub pg_cpu_ms_per_request: Option<f64>,
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        // The workers leave with the primary (cluster's IPC channel closes).
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn install(dir: &Path) -> anyhow::Result<()> {
    if dir.join("node_modules/postgraphile/package.json").exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("package.json"),
        r#"{"name":"bench-postgraphile","private":true,"type":"module"}"#,
    )?;
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
        .arg(format!("postgraphile@{VERSION}"))
        .current_dir(dir)
        .status()
        .context("running npm (is Node.js installed?)")?;
    if !status.success() {
        bail!("npm install postgraphile@{VERSION} failed");
    }
    Ok(())
}

/// CPU seconds of `pid` and its direct children.
fn tree_cpu_seconds(pid: u32) -> Option<f64> {
    let mut total = process_cpu_seconds(pid)?;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(child) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        let parent = stat
            .rfind(')')
            .and_then(|at| stat[at + 2..].split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if parent == Some(pid) {
            total += process_cpu_seconds(child).unwrap_or(0.0);
        }
    }
    Some(total)
}

pub async fn run(
    database_url: &str,
    out_dir: &Path,
    providers: usize,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<PostgraphileResult> {
    let node = Command::new("node")
        .arg("--version")
        .output()
        .context("running node (is Node.js installed?)")?;
    let node = String::from_utf8_lossy(&node.stdout).trim().to_owned();
    let dir = std::fs::canonicalize(out_dir)?.join("postgraphile");
    let installed = dir.clone();
    tokio::task::spawn_blocking(move || install(&installed)).await??;
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("postgraphile");
    for file in ["server.mjs", "polyfill.mjs"] {
        std::fs::copy(scripts.join(file), dir.join(file))?;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let log = std::fs::File::create(out_dir.join("logs/postgraphile.log"))?;
    let server = Server(
        Command::new("node")
            .arg("server.mjs")
            .current_dir(&dir)
            .env("NODE_ENV", "production")
            .env("DATABASE_URL", database_url)
            .env("PORT", port.to_string())
            .env("WORKERS", WORKERS.to_string())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("starting PostGraphile")?,
    );
    let url = format!("http://127.0.0.1:{port}/graphql");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency * 2)
        .build()?;
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let probe = client
            .post(&url)
            .json(&json!({ "query": PAGE, "variables": { "provider": 1 } }))
            .send()
            .await;
        if let Ok(response) = probe {
            let answer: Value = response.json().await.unwrap_or_default();
            match answer_check(&answer) {
                Ok(()) => break,
                Err(e) if answer.get("errors").is_some() => bail!("PostGraphile answered {e}"),
                Err(_) => {}
            }
        }
        if Instant::now() > deadline {
            bail!("PostGraphile did not answer within 90 s; see logs/postgraphile.log");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let make: MakeCall = Arc::new(move |client, n| {
        let provider = (client + n as usize) % providers + 1;
        Call {
            url: url.clone(),
            body: Some(json!({ "query": PAGE, "variables": { "provider": provider } }).to_string()),
            token: None,
        }
    });
    let check: Check = Arc::new(|status, body| {
        if status != 200 {
            return Err(format!("HTTP {status}"));
        }
        let answer: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
        answer_check(&answer)
    });
    let pid = server.0.id();
    let cpu = tokio::spawn(async move {
        tokio::time::sleep(warmup).await;
        let start = tree_cpu_seconds(pid)?;
        tokio::time::sleep(duration).await;
        Some(tree_cpu_seconds(pid)? - start)
    });
    let (pg_admin, database) = split_database(database_url);
    let pg = crate::pgcpu::measure_window(&pg_admin, &database, warmup, duration);
    let result = load::run(&client, concurrency, warmup, duration, make, check).await;
    if result.failures > 0 || result.requests == 0 {
        bail!(
            "{} answers failed their check (first: {:?})",
            result.failures,
            result.first_failure
        );
    }
    let cpu_ms_per_request = crate::cpu::ms_per_request(cpu.await?, result.requests);
    let pg_cpu_ms_per_request = crate::cpu::ms_per_request(pg.await?, result.requests);
    drop(server);
    Ok(PostgraphileResult {
        version: VERSION.to_owned(),
        node,
        workers: WORKERS,
        load: result,
        cpu_ms_per_request,
        pg_cpu_ms_per_request,
    })
}

/// The page a user would accept: 50 customers, each with subscriptions and their names.
fn answer_check(answer: &Value) -> Result<(), String> {
    if let Some(errors) = answer.get("errors") {
        return Err(format!("GraphQL errors: {errors}"));
    }
    let edges = answer["data"]["allCustomers"]["edges"]
        .as_array()
        .ok_or("no customers")?;
    if edges.len() != 50 {
        return Err(format!("{} customers instead of 50", edges.len()));
    }
    for edge in edges {
        let subscriptions = edge["node"]["customerSubscriptionsByCustomerId"]["nodes"]
            .as_array()
            .ok_or("no subscriptions")?;
        if subscriptions.is_empty()
            || subscriptions.iter().any(|s| {
                s["offerByOfferId"]["name"]
                    .as_str()
                    .is_none_or(str::is_empty)
                    || s["partnerBySupportContactPartnerId"]["companyName"].is_null()
            })
        {
            return Err(format!("incomplete customer {}", edge["node"]["id"]));
        }
    }
    Ok(())
}

/// (`postgres://…/postgres`, database name) of a database URL.
fn split_database(url: &str) -> (String, String) {
    match url.rsplit_once('/') {
        Some((server, database)) => (format!("{server}/postgres"), database.to_owned()),
        None => (url.to_owned(), String::new()),
    }
}
