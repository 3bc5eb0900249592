//! The worker process's jobs, run by one apalis `Monitor`:
//! - `send-email`: delivers outbox rows pushed to the queue (see `delivery`);
//! - `outbox-relay` (cron): enqueues rows still unsent when due (see `relay`);
//! - `invitation-expiry` (cron): expires stale invitations (see `expiry`);
//! - `retention` (cron): removes what is no longer kept (see `retention`);
//! - the webhook delivery loop (`webhooks::deliver::run`), beside the Monitor.
//!
//! The jobs' handlers are in `handlers`; this module builds the process's shared state and
//! runs them.
//!
//! Jobs that commit audit entries (a sent or failed email, expired invitations, a disabled
//! endpoint) raise the event signal, so API replicas broadcast those events at once.
//!
//! Cron schedules fire in every worker process; every cron job is safe to run concurrently,
//! and a tick that comes while the previous pass of the same job still runs in this process
//! is skipped. Worker names are unique per process and per restart, so a dead process's
//! in-flight jobs are recovered by the others once its heartbeat stops, and a restarted
//! worker never waits for its own old name to expire. Restarts back off exponentially.

pub mod extension;
mod handlers;
mod schedule;

use crate::mail::Mailer;
use crate::metrics::{JobKind, JobOutcome, WorkerMetrics};
use crate::queue::EmailQueue;
use crate::settings::JobSettings;
use crate::signal::EventSignal;
use crate::webhooks::{self, WebhookSettings};
use apalis::prelude::*;
use apalis_cron::CronScheduler;
pub use handlers::relay_once;
use handlers::{clean_up, expire_invitations, relay_outbox, send_email};
use schedule::{every, restart_delay, unique};
use sea_orm::DatabaseConnection;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// Everything a job needs; shared by all jobs of the process.
pub struct Runtime {
    pub db: DatabaseConnection,
    pub mailer: Mailer,
    pub queue: EmailQueue,
    pub settings: JobSettings,
    pub webhooks: WebhookSettings,
    /// Raised after commits that wrote audit entries.
    pub signal: EventSignal,
    /// The jobs' series (unregistered, so counted nowhere, unless [`Runtime::with_metrics`]).
    pub metrics: WorkerMetrics,
    /// Held by a running relay pass (one at a time per process).
    relay_running: Mutex<()>,
    /// Held by a running cleanup pass.
    retention_running: Mutex<()>,
    /// Loops other crates add (customer imports), see `extension`.
    extensions: Vec<Arc<dyn extension::Extension>>,
}

impl Runtime {
    pub fn new(
        db: DatabaseConnection,
        mailer: Mailer,
        queue: EmailQueue,
        settings: JobSettings,
        webhooks: WebhookSettings,
        signal: EventSignal,
    ) -> Self {
        Self {
            db,
            mailer,
            queue,
            settings,
            webhooks,
            signal,
            metrics: WorkerMetrics::default(),
            relay_running: Mutex::new(()),
            retention_running: Mutex::new(()),
            extensions: Vec::new(),
        }
    }
}

impl Runtime {
    /// Counts the jobs in `metrics` (registered where `/metrics` serves them).
    pub fn with_metrics(mut self, metrics: WorkerMetrics) -> Self {
        self.metrics = metrics;
        self
    }

    /// Runs `extension`'s loop beside the jobs (see `extension`).
    pub fn with_extension(mut self, extension: Arc<dyn extension::Extension>) -> Self {
        self.extensions.push(extension);
        self
    }

    /// Records one run of a job that started at `started`.
    fn ran(&self, kind: JobKind, outcome: JobOutcome, started: std::time::Instant) {
        self.metrics.job(kind, outcome, started.elapsed());
    }
}

type Shared = Arc<Runtime>;

/// Runs all jobs until `signal` resolves, then lets in-flight jobs finish for at most
/// `grace`.
pub async fn run(
    rt: Runtime,
    signal: impl Future<Output = std::io::Result<()>> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let rt: Shared = Arc::new(rt);
    // The webhook loop stops with the Monitor.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stop_rx_ext = stop_rx.clone();
    let webhooks = tokio::spawn(webhooks::deliver::run(
        rt.db.clone(),
        rt.webhooks.clone(),
        rt.signal.clone(),
        rt.metrics.clone(),
        stop_rx,
    ));
    let extensions: Vec<_> = rt
        .extensions
        .iter()
        .map(|e| tokio::spawn(extension::run(e.clone(), stop_rx_ext.clone())))
        .collect();
    let signal = async move {
        let result = signal.await;
        let _ = stop_tx.send(true);
        result
    };
    let poll = Duration::from_millis(rt.settings.poll_interval_ms.max(1));
    let concurrency = rt.settings.concurrency.max(1);
    let send_name = unique("send-email");
    let monitor = match rt.queue.clone() {
        EmailQueue::Redis(storage) => {
            let rt = rt.clone();
            Monitor::new().register(move |restarts| {
                let delay = restart_delay(restarts);
                WorkerBuilder::new(format!("{send_name}-{restarts}"))
                    .backend(
                        storage
                            .clone()
                            .before_start(move |_| async move {
                                tokio::time::sleep(delay).await;
                                Ok(())
                            })
                            .poll_with_interval(poll),
                    )
                    .concurrency(concurrency)
                    .data(rt.clone())
                    .build(send_email)
            })
        }
        EmailQueue::Sqlite(storage) => {
            let rt = rt.clone();
            Monitor::new().register(move |restarts| {
                let delay = restart_delay(restarts);
                WorkerBuilder::new(format!("{send_name}-{restarts}"))
                    .backend(
                        storage
                            .clone()
                            .before_start(move |_| async move {
                                tokio::time::sleep(delay).await;
                                Ok(())
                            })
                            .poll_with_interval(poll),
                    )
                    .concurrency(concurrency)
                    .data(rt.clone())
                    .build(send_email)
            })
        }
    };
    let s = &rt.settings;
    let schedules = [
        (unique("outbox-relay"), s.relay_interval_seconds),
        (unique("invitation-expiry"), s.expiry_interval_seconds),
        (unique("retention"), s.retention.interval_seconds),
    ];
    let [relay, expiry, retention] =
        schedules.map(|(name, seconds)| (name, every(seconds), rt.clone()));
    let monitor = monitor
        .register(move |_| {
            WorkerBuilder::new(relay.0.clone())
                .backend(CronScheduler::new(relay.1.clone()))
                .data(relay.2.clone())
                .build(relay_outbox)
        })
        .register(move |_| {
            WorkerBuilder::new(expiry.0.clone())
                .backend(CronScheduler::new(expiry.1.clone()))
                .data(expiry.2.clone())
                .build(expire_invitations)
        })
        .register(move |_| {
            WorkerBuilder::new(retention.0.clone())
                .backend(CronScheduler::new(retention.1.clone()))
                .data(retention.2.clone())
                .build(clean_up)
        })
        .on_event(|worker, event| {
            if let Event::Error(e) = event {
                tracing::warn!(worker = worker.name(), error = %e, "worker event");
            }
        })
        // A lost Redis connection stops a worker; start it again (after `restart_delay`,
        // under a new name) rather than go idle.
        .should_restart(|worker, error| {
            tracing::warn!(worker = worker.name(), %error, "restarting worker");
            true
        })
        .shutdown_timeout(grace)
        .run_with_signal(signal)
        .await
        .map_err(|e| std::io::Error::other(e.to_string()));
    // In-flight webhook requests finish (each is bounded by its timeout).
    if tokio::time::timeout(grace, webhooks).await.is_err() {
        tracing::warn!("webhook deliveries still running after the grace period");
    }
    // A pass in flight (an import's batch) finishes, or is abandoned at the bound: its
    // transaction rolls back and the lease lets another worker resume it.
    for task in extensions {
        if tokio::time::timeout(grace, task).await.is_err() {
            tracing::warn!("an extension's pass still running after the grace period");
        }
    }
    monitor
}
