//! `bench`: see `scripts/bench` and BENCHMARKS.md.

// The schema's merged roots nest deeper than rustc's default query depth (128) allows
// when the executor's futures are laid out.
#![recursion_limit = "256"]

use bench::dataset::Size;
use bench::run::{Options, run};
use clap::Parser;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser)]
#[command(about = "Benchmarks the release build against local PostgreSQL, Redis and an SMTP sink")]
struct Args {
    /// PostgreSQL server (no database name).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
    postgres: String,
    /// The database the benchmark drops, creates and seeds.
    #[arg(long, default_value = "partner_center_bench")]
    database: String,
    /// A Redis database of its own (it is flushed).
    #[arg(long, default_value = "redis://127.0.0.1:6379/9")]
    redis: String,
    /// Clients in flight for the HTTP loads and pgbench alike.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Seconds measured per load run.
    #[arg(long, default_value_t = 15)]
    seconds: u64,
    /// Seconds of warm-up before each load run (answers checked, not counted).
    #[arg(long, default_value_t = 3)]
    warmup: u64,
    /// Invitations per email pipeline run.
    #[arg(long, default_value_t = 2000)]
    emails: u64,
    /// Stale invitations for the expiry run.
    #[arg(long, default_value_t = 1_000_000)]
    expiry_rows: u64,
    /// Dataset scale: 1 is the issue's size (100,000 customers).
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// Reuse the database seeded by an earlier run.
    #[arg(long)]
    reuse_data: bool,
    /// WebSocket subscribers of the events part (one user each).
    #[arg(long, default_value_t = 1000)]
    subscribers: usize,
    /// Event rates (mutations per second) the events part steps through until one does
    /// not keep up.
    #[arg(long, value_delimiter = ',', default_value = "10,25,50,100,200")]
    event_rates: Vec<f64>,
    /// Webhook deliveries per run of the webhooks part, spread over 4 endpoints.
    #[arg(long, default_value_t = 4000)]
    webhooks: u64,
    /// Subscriptions whose term ended for the renewal run.
    #[arg(long, default_value_t = 100_000)]
    renewal_rows: u64,
    /// Only these parts (comma-separated): floor, read, postgraphile, overhead, budget,
    /// trusted, lists, deep, write, email, expiry, events, webhooks, prices, renewal, imports.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Where the JSON results and the processes' logs go.
    #[arg(long, default_value = "target/bench")]
    out: PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let scaled = |n: usize| ((n as f64 * args.scale).round() as usize).max(1);
    let size = Size {
        providers: Size::ISSUE.providers,
        resellers: scaled(Size::ISSUE.resellers).max(Size::ISSUE.providers),
        customers: scaled(Size::ISSUE.customers).max(Size::ISSUE.providers * 50),
        invitations: scaled(Size::ISSUE.invitations),
    };
    let options = Options {
        postgres: args.postgres,
        database: args.database,
        redis_url: args.redis,
        concurrency: args.concurrency,
        warmup: Duration::from_secs(args.warmup),
        duration: Duration::from_secs(args.seconds),
        emails: args.emails,
        expiry_rows: args.expiry_rows,
        subscribers: args.subscribers,
        event_rates: args.event_rates,
        webhooks: args.webhooks,
        size,
        reuse_data: args.reuse_data,
        only: args.only.into_iter().collect(),
        renewal_rows: args.renewal_rows,
        out_dir: args.out.clone(),
    };
    let results = run(&options).await?;
    let json = serde_json::to_string_pretty(&results)?;
    std::fs::write(args.out.join("results.json"), &json)?;
    println!("{}", results.table());
    println!("{json}");
    Ok(())
}
