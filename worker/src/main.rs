//! The worker process: `worker` with the same environment as the API (`DATABASE_URL`,
//! `REDIS_URL`, `SMTP_URL`, ...). Run as many as you like against one database and Redis.

use std::time::Duration;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use worker::runtime::{self, Runtime};
use worker::{WorkerSettings, boot};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = WorkerSettings::load()?;
    worker::telemetry::init(settings.log_format == "json");
    // Safe beside API replicas doing the same: migrations take a lock on PostgreSQL.
    migration::database::migrate(&settings.database_url()).await?;
    let db = migration::database::connect(&settings.database_url(), 10).await?;
    let jobs = settings.jobs.clone();
    let queue = boot::queue(settings.redis_url.as_ref(), &settings.data_dir, &jobs).await?;
    let mailer = boot::mailer(settings.smtp_url.as_ref(), &settings.data_dir, &jobs)?;
    let signal = boot::signal(settings.redis_url.as_ref()).await?;
    tracing::info!(pid = std::process::id(), "worker started");
    let grace = Duration::from_secs(jobs.shutdown_grace_seconds);
    runtime::run(
        Runtime::new(db, mailer, queue, jobs, settings.webhooks.clone(), signal),
        shutdown_signal(),
        grace,
    )
    .await?;
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
