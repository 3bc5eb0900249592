//! The whole benchmark, in order: dataset, API start and idle memory, the GraphQL floor,
//! the read and write loads beside pgbench, email, expiry.

use crate::dataset::{self, Size};
use crate::email::{self, Sink};
use crate::processes::{Api, Services, rss_mib};
use crate::report::Results;
use crate::{
    budget, cpu, deep_page, events, expiry, lists, load, overhead, pgbench, pgcpu, postgraphile,
    read_trusted, scenarios, trusted, webhooks,
};
use anyhow::{Context, bail};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Options {
    /// `postgres://user@host:port` (no database name).
    pub postgres: String,
    pub database: String,
    pub redis_url: String,
    pub concurrency: usize,
    pub warmup: Duration,
    pub duration: Duration,
    pub emails: u64,
    pub expiry_rows: u64,
    /// Events: WebSocket subscribers, and the rates stepped through.
    pub subscribers: usize,
    pub event_rates: Vec<f64>,
    /// Webhook deliveries per run.
    pub webhooks: u64,
    pub size: Size,
    /// Reuse the database seeded by an earlier run.
    pub reuse_data: bool,
    /// Which parts to run: floor, read, postgraphile, overhead, budget, trusted, deep, write,
    /// email, expiry, events, webhooks, prices, renewal, imports (all when empty).
    pub only: BTreeSet<String>,
    /// Subscriptions renewed by the renewal part.
    pub renewal_rows: u64,
    pub out_dir: PathBuf,
}

impl Options {
    fn wants(&self, part: &str) -> bool {
        self.only.is_empty() || self.only.contains(part)
    }
}

pub async fn run(options: &Options) -> anyhow::Result<Results> {
    let log_dir = options.out_dir.join("logs");
    std::fs::create_dir_all(&log_dir).context("creating the output directory")?;
    let sink = Sink::start()?;
    let services = Services {
        database_url: dataset::with_database(&options.postgres, &options.database),
        redis_url: options.redis_url.clone(),
        smtp_url: Some(sink.url.clone()),
        log_dir,
    };
    let url = services.database_url.clone();
    let mut results = Results {
        concurrency: options.concurrency,
        seconds_per_run: options.duration.as_secs(),
        dataset: Some(options.size),
        ..Default::default()
    };
    results.machine.postgres = dataset::psql(
        &dataset::with_database(&options.postgres, "postgres"),
        &["-c", "SHOW server_version"],
    )?;
    flush_redis(&options.redis_url)?;
    if !options.reuse_data {
        eprintln!("seeding {:?} ...", options.size);
        results.seed_seconds = Some(dataset::create(
            &services,
            &options.postgres,
            &options.database,
            options.size,
        )?);
    }
    results.row_counts = dataset::counts(&url)?;
    eprintln!("rows: {:?}", results.row_counts);
    // Endpoints left by an interrupted webhooks run would add deliveries to every write.
    webhooks::remove_bench_endpoints(&url)?;
    // Before the API starts, so it inherits the limit: it holds the subscribers' sockets.
    results.open_files_limit = Some(events::raise_fd_limit());

    // The trusted documents the scenarios may send by id (see `trusted`).
    let manifest = read_trusted::write_manifest(&std::fs::canonicalize(&options.out_dir)?)?;
    let trusted_env = [(
        "GRAPHQL__TRUSTED_DOCUMENTS_FILE",
        manifest.display().to_string(),
    )];
    let api = Api::start_with(&services, free_port()?, "api", &trusted_env).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.concurrency * 2)
        .build()?;
    let mode = read_trusted::detect(&client, &api.base_url).await;
    results.trusted_mode = Some(mode);
    let pg_admin = dataset::with_database(&options.postgres, "postgres");
    let pg_window = |w, d| pgcpu::measure_window(&pg_admin, &options.database, w, d);
    let probe = pgbench::CpuProbe {
        admin_url: pg_admin.clone(),
        database: options.database.clone(),
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    results.rss_idle_mib = Some(api.process.rss_mib());
    results.rss_idle_anon_mib = Some(crate::processes::rss_anon_mib(api.process.pid()));
    let providers = options.size.providers;
    let (c, w, d) = (options.concurrency, options.warmup, options.duration);

    if options.wants("floor") {
        eprintln!("floor: plain handler, then {{ __typename }} ...");
        let (make, check) = scenarios::plain_handler(&api.base_url);
        results.plain_handler = Some(checked(load::run(&client, c, w, d, make, check).await)?);
        let (make, check) = scenarios::typename(&api.base_url);
        results.typename = Some(checked(load::run(&client, c, w, d, make, check).await)?);
        eprintln!("floor: {{ __typename }} as a trusted document ({mode:?}) ...");
        let (make, check) = scenarios::typename_as(&api.base_url, mode);
        results.typename_trusted = Some(checked(load::run(&client, c, w, d, make, check).await)?);
    }

    if options.wants("read") {
        eprintln!("read: customers(first: 50) ...");
        let before = api.statements_total(&client).await?;
        let (peak, sampling) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicBool::new(true)));
        let sampler = {
            let (peak, sampling, pid) = (peak.clone(), sampling.clone(), api.process.pid());
            tokio::spawn(async move {
                while sampling.load(Ordering::SeqCst) {
                    peak.fetch_max((rss_mib(pid) * 1024.0) as u64, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            })
        };
        let (make, check) = scenarios::customers_page(&api.base_url, providers);
        let cpu = cpu::measure_window(api.process.pid(), w, d);
        let pg = pg_window(w, d);
        let read = checked(load::run(&client, c, w, d, make, check).await)?;
        results.read_api_cpu_ms_per_request = cpu::ms_per_request(cpu.await?, read.requests);
        results.read_pg_cpu_ms_per_request = cpu::ms_per_request(pg.await?, read.requests);
        sampling.store(false, Ordering::SeqCst);
        sampler.await?;
        let after = api.statements_total(&client).await?;
        results.read_statements_per_request = Some((after - before) / read.sent as f64);
        results.read = Some(read);
        results.rss_read_load_peak_mib = Some(peak.load(Ordering::SeqCst) as f64 / 1024.0);
        eprintln!("read: the page as a trusted document ({mode:?}) ...");
        let before = api.statements_total(&client).await?;
        let (make, check) = scenarios::customers_page_as(&api.base_url, providers, mode);
        let cpu = cpu::measure_window(api.process.pid(), w, d);
        let pg = pg_window(w, d);
        let trusted = checked(load::run(&client, c, w, d, make, check).await)?;
        results.read_trusted_api_cpu_ms_per_request =
            cpu::ms_per_request(cpu.await?, trusted.requests);
        results.read_trusted_pg_cpu_ms_per_request =
            cpu::ms_per_request(pg.await?, trusted.requests);
        let after = api.statements_total(&client).await?;
        results.read_trusted_statements_per_request = Some((after - before) / trusted.sent as f64);
        results.read_trusted = Some(trusted);

        eprintln!("read: the page on the general path (GRAPHQL__DIRECT_PLANS=false) ...");
        let general_api = Api::start_with(
            &services,
            free_port()?,
            "api-general",
            &[("GRAPHQL__DIRECT_PLANS", "false".to_owned())],
        )
        .await?;
        let before = general_api.statements_total(&client).await?;
        let (make, check) = scenarios::customers_page(&general_api.base_url, providers);
        let cpu = cpu::measure_window(general_api.process.pid(), w, d);
        let pg = pg_window(w, d);
        let general = checked(load::run(&client, c, w, d, make, check).await)?;
        results.read_general_api_cpu_ms_per_request =
            cpu::ms_per_request(cpu.await?, general.requests);
        results.read_general_pg_cpu_ms_per_request =
            cpu::ms_per_request(pg.await?, general.requests);
        let after = general_api.statements_total(&client).await?;
        results.read_general_statements_per_request = Some((after - before) / general.sent as f64);
        results.read_general = Some(general);
        drop(general_api);

        eprintln!("read: pgbench customers_page.sql ...");
        results.read_pgbench = Some(
            pgbench::run_off_thread(
                &url,
                "customers_page.sql",
                c,
                w,
                d,
                vec![
                    ("providers", providers.to_string()),
                    ("customers", options.size.customers.to_string()),
                ],
                probe.clone(),
            )
            .await?,
        );
        results.read_pgbench_pg_cpu_ms_per_transaction =
            per_transaction(results.read_pgbench.as_ref());
        // What a session cache would save the database: the lookup alone.
        eprintln!("read: pgbench session.sql ...");
        results.session_pgbench = Some(
            pgbench::run_off_thread(
                &url,
                "session.sql",
                c,
                w,
                d,
                vec![("providers", providers.to_string())],
                probe.clone(),
            )
            .await?,
        );
        results.session_pg_cpu_ms_per_lookup = per_transaction(results.session_pgbench.as_ref());
    }

    if options.wants("postgraphile") {
        eprintln!("postgraphile: the read page through PostGraphile v5 ...");
        match postgraphile::run(&services.database_url, &options.out_dir, providers, c, w, d).await
        {
            Ok(result) => results.postgraphile = Some(result),
            Err(e) => {
                eprintln!("postgraphile: not measured: {e:#}");
                results.postgraphile_skipped = Some(format!("{e:#}"));
            }
        }
    }

    if options.wants("overhead") {
        eprintln!("overhead: the read page with traces off, on, off ...");
        results.overhead =
            Some(overhead::run(&services, &client, &api, free_port()?, providers, c, w, d).await?);
    }

    if options.wants("budget") {
        eprintln!(
            "budget: {{ __typename }} and the read page with the cost budget on, off, on ..."
        );
        results.budget =
            Some(budget::run(&services, &client, &api, free_port()?, providers, c, w, d).await?);
    }

    if options.wants("trusted") {
        eprintln!("trusted: {{ __typename }} and the read page as text and by documentId ...");
        results.trusted_documents =
            Some(trusted::run(&services, &client, free_port()?, providers, c, w, d).await?);
    }

    if options.wants("lists") {
        results.lists =
            Some(lists::run(&services, &client, &api, free_port()?, providers, c, w, d).await?);
    }

    if options.wants("deep") {
        eprintln!(
            "deep: auditLog page 1 and page {} ...",
            deep_page::DEEP_PAGE
        );
        let pid = api.process.pid();
        results.deep_page = Some(deep_page::run(&client, &api.base_url, pid, c, w, d).await?);
    }

    if options.wants("write") {
        eprintln!("write: createCustomer ...");
        let ids = scenarios::order_ids(&client, &api.base_url, 1).await?;
        let run_tag = run_tag();
        let (make, check) = scenarios::create_customer(&api.base_url, 1, ids, &run_tag);
        let before = api.statements_total(&client).await?;
        let cpu = cpu::measure_window(api.process.pid(), w, d);
        let pg = pg_window(w, d);
        let write = checked(load::run(&client, c, w, d, make, check).await)?;
        results.write_api_cpu_ms_per_request = cpu::ms_per_request(cpu.await?, write.requests);
        results.write_pg_cpu_ms_per_request = cpu::ms_per_request(pg.await?, write.requests);
        let after = api.statements_total(&client).await?;
        results.write_statements_per_request = Some((after - before) / write.sent as f64);
        results.write = Some(write);
        eprintln!("write: pgbench create_customer.sql ...");
        results.write_pgbench = Some(
            pgbench::run_off_thread(
                &url,
                "create_customer.sql",
                c,
                w,
                d,
                vec![("providers", providers.to_string())],
                probe.clone(),
            )
            .await?,
        );
        results.write_pgbench_pg_cpu_ms_per_transaction =
            per_transaction(results.write_pgbench.as_ref());
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    results.rss_after_load_mib = Some(api.process.rss_mib());

    if options.wants("email") {
        let n = options.emails;
        eprintln!(
            "email: plain client, then the pipeline with 1 and 4 workers ({n} emails each) ..."
        );
        results.email_plain_client = Some(email::plain_client(&sink, n, 16, &run_tag()).await?);
        let tag = run_tag();
        results.email_pipeline_1_worker =
            Some(email::pipeline(&services, &api, &sink, 1, n, providers, &tag).await?);
        results.email_pipeline_4_workers =
            Some(email::pipeline(&services, &api, &sink, 4, n, providers, &tag).await?);
    }

    if options.wants("events") {
        let (n, rates) = (options.subscribers, &options.event_rates);
        eprintln!("events: {n} WebSocket subscribers, rates {rates:?}/s ...");
        let pid = api.process.pid();
        results.events = Some(
            events::run(
                &api.base_url,
                pid,
                &url,
                providers,
                n,
                rates,
                options.duration,
            )
            .await?,
        );
    }

    let mut terms = crate::terms::TermsResult {
        prices: None,
        renewal: Vec::new(),
    };
    if options.wants("prices") {
        eprintln!("prices: the read page with reseller prices, A-B-A ...");
        terms.prices = Some(crate::terms::prices(&client, &api, &url, providers, c, w, d).await?);
    }

    if options.wants("imports") {
        results.imports = Some(
            crate::imports::run(&services, &api, &client, &url, 10_000, w, d, providers).await?,
        );
    }

    if options.wants("webhooks") {
        // Another provider than the events part's, so neither sees the other's events.
        let provider = providers.saturating_sub(1).max(1);
        let n = options.webhooks;
        results.webhooks = Some(webhooks::run(&services, &api.base_url, provider, n, 4).await?);
    }
    drop(api);

    if options.wants("expiry") {
        eprintln!("expiry: {} stale invitations ...", options.expiry_rows);
        results.expiry = Some(expiry::run(&url, options.expiry_rows, providers).await?);
    }

    if options.wants("renewal") {
        let n = options.renewal_rows;
        eprintln!("renewal: {n} subscriptions on PostgreSQL, then on SQLite ...");
        terms
            .renewal
            .push(crate::terms::renewal_postgres(&url, n).await?);
        // The SQLite figure is an extra: a failure there keeps the PostgreSQL one.
        match crate::terms::renewal_sqlite(&options.out_dir.join("sqlite"), n).await {
            Ok(run) => terms.renewal.push(run),
            Err(e) => eprintln!("renewal on SQLite failed: {e:#}"),
        }
    }
    if terms.prices.is_some() || !terms.renewal.is_empty() {
        results.terms = Some(terms);
    }
    Ok(results)
}

/// Milliseconds of PostgreSQL CPU per pgbench transaction, over the window the probe read
/// inside the measured run.
fn per_transaction(run: Option<&pgbench::PgbenchResult>) -> Option<f64> {
    let run = run?;
    let window = run.pg_cpu_window_seconds?;
    let transactions = run.transactions_per_second * window;
    let cpu = run.pg_cpu_seconds?;
    (window > 0.0 && transactions > 0.0).then(|| cpu * 1000.0 / transactions)
}

/// A load run where any answer failed its check is not a figure.
fn checked(result: load::LoadResult) -> anyhow::Result<load::LoadResult> {
    if result.failures > 0 || result.requests == 0 {
        bail!(
            "{} of the answers failed their check (first: {})",
            result.failures,
            result
                .first_failure
                .as_deref()
                .unwrap_or("no answer at all")
        );
    }
    Ok(result)
}

fn run_tag() -> String {
    format!("{:x}", chrono::Utc::now().timestamp_millis())
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The benchmark uses its own Redis database number; empty it so no earlier job lingers.
fn flush_redis(url: &str) -> anyhow::Result<()> {
    let status = std::process::Command::new("redis-cli")
        .args(["-u", url, "FLUSHDB"])
        .output()
        .context("running redis-cli")?;
    if !status.status.success() {
        bail!("redis-cli FLUSHDB failed");
    }
    Ok(())
}
