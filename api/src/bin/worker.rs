//! The worker process: `worker` with the same environment as the API (`DATABASE_URL`,
//! `REDIS_URL`, `SMTP_URL`, ...). Run as many as you like against one database and Redis.
//! Built by the `api` crate: besides the `worker` crate's jobs it runs customer imports
//! (`api::customer_imports::runner`) with the API's own customer service.

// The schema's merged roots nest deeper than rustc's default query depth (128) allows
// when the executor's futures are laid out.
#![recursion_limit = "256"]

use std::time::Duration;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use worker::runtime::{self, Runtime};
use worker::{WorkerSettings, boot, http, metrics};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = WorkerSettings::load()?;
    let _telemetry =
        worker::telemetry::init(settings.log_format == "json", "partner-center-worker");
    // Safe beside API replicas doing the same: migrations take a lock on PostgreSQL.
    migration::database::migrate(&settings.database_url()).await?;
    let db = migration::database::connect(&settings.database_url(), 10).await?;
    let jobs = settings.jobs.clone();
    let queue = boot::queue(settings.redis_url.as_ref(), &settings.data_dir, &jobs).await?;
    let mailer = boot::mailer(settings.smtp_url.as_ref(), &settings.data_dir, &jobs)?;
    let signal = boot::signal(settings.redis_url.as_ref()).await?;
    let mut registry = metrics::registry();
    let series = metrics::WorkerMetrics::registered(&mut registry);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    if let Some(bind) = &settings.worker.http_bind {
        let listener = tokio::net::TcpListener::bind(bind).await?;
        tracing::info!(address = %listener.local_addr()?, "worker /healthz, /readyz, /metrics");
        let surface = http::Surface {
            db: db.clone(),
            queue: queue.clone(),
            registry,
            metrics: series.clone(),
            token: settings.metrics.token.clone(),
        };
        let mut stopped = stopped.clone();
        tokio::spawn(http::serve(listener, surface, async move {
            let _ = stopped.changed().await;
        }));
    }
    tracing::info!(pid = std::process::id(), "worker started");
    let grace = Duration::from_secs(jobs.shutdown_grace_seconds);
    // The import settings (`IMPORTS__*`) are the API's own section.
    let imports = api::settings::Settings::load()?.imports;
    let runner = api::customer_imports::runner::Runner::new(
        db.clone(),
        imports,
        signal.clone(),
        api::mfa::Clock::default(),
    );
    let rt = Runtime::new(db, mailer, queue, jobs, settings.webhooks.clone(), signal)
        .with_metrics(series)
        .with_extension(std::sync::Arc::new(runner));
    runtime::run(rt, shutdown_signal(), grace).await?;
    let _ = stop.send(true);
    tracing::info!("worker stopped");
    Ok(())
}

async fn shutdown_signal() -> std::io::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r,
        _ = term.recv() => Ok(()),
    }
}
