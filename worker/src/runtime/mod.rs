//! The worker process's jobs, run by one apalis `Monitor`:
//! - `send-email`: delivers outbox rows pushed to the queue (see `delivery`);
//! - `outbox-relay` (cron): enqueues rows still unsent when due (see `relay`);
//! - `invitation-expiry` (cron): expires stale invitations (see `expiry`);
//! - `retention` (cron): removes what is no longer kept (see `retention`);
//! - the webhook delivery loop (`webhooks::deliver::run`), beside the Monitor.
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
mod schedule;

use crate::jobs::SendEmail;
use crate::mail::Mailer;
use crate::metrics::{Channel, JobKind, JobOutcome, WorkerMetrics};
use crate::queue::EmailQueue;
use crate::settings::JobSettings;
use crate::signal::EventSignal;
use crate::webhooks::{self, WebhookSettings};
use crate::{delivery, expiry, relay, retention};
use apalis::prelude::*;
use apalis_cron::{CronScheduler, Tick};
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

/// Errors never go back to apalis as plain errors: the storages would retry them on their
/// own, immediately. Delivery retries are the outbox's business (backoff, `FAILED`), and a
/// database outage is recovered by the relay, so failures are logged and the task aborted.
fn abort(context: &'static str, err: impl std::fmt::Display) -> BoxDynError {
    tracing::error!(%err, "{context}");
    AbortError::new(format!("{context}: {err}")).into()
}

async fn send_email(job: SendEmail, rt: Data<Shared>) -> Result<(), BoxDynError> {
    use tracing::Instrument;
    let started = std::time::Instant::now();
    let span = tracing::info_span!("send-email", email_id = job.outbound_email_id);
    let span = crate::telemetry::continued(span, job.trace.as_deref());
    let outcome = delivery::deliver(&rt.db, &rt.mailer, &rt.settings, job.outbound_email_id)
        .instrument(span)
        .await
        .map_err(|e| {
            rt.ran(JobKind::SendEmail, JobOutcome::Failed, started);
            abort("send-email", e)
        })?;
    let ran = match outcome {
        delivery::Outcome::Sent { queued_at } => {
            rt.metrics.delivered(Channel::Email, queued_at);
            JobOutcome::Done
        }
        delivery::Outcome::WillRetry { .. } => JobOutcome::Retried,
        delivery::Outcome::Failed { .. } => JobOutcome::Failed,
        _ => JobOutcome::Done,
    };
    rt.ran(JobKind::SendEmail, ran, started);
    if matches!(
        outcome,
        delivery::Outcome::Sent { .. } | delivery::Outcome::Failed { .. }
    ) {
        rt.signal.notify();
    }
    Ok(())
}

async fn relay_outbox(_tick: Tick, rt: Data<Shared>) -> Result<(), BoxDynError> {
    let started = std::time::Instant::now();
    let result = relay_once(&rt).await;
    rt.ran(JobKind::OutboxRelay, done_or_failed(&result), started);
    result.map(drop).map_err(|e| abort("outbox-relay", e))
}

fn done_or_failed<T, E>(result: &Result<T, E>) -> JobOutcome {
    match result {
        Ok(_) => JobOutcome::Done,
        Err(_) => JobOutcome::Failed,
    }
}

/// One relay pass: enqueue every due email; returns how many were enqueued. Skipped while
/// another pass of this process runs, and while the queue already holds a full batch of
/// waiting jobs (the rows still in it will be sent; pushing them again would only multiply
/// a backlog).
pub async fn relay_once(rt: &Runtime) -> Result<usize, sea_orm::DbErr> {
    let Ok(_running) = rt.relay_running.try_lock() else {
        return Ok(0);
    };
    match rt.queue.pending().await {
        Ok(waiting) if waiting >= rt.settings.relay_batch.max(1) => return Ok(0),
        Ok(_) => {}
        // Down: pushing would fail too; the next pass tries again.
        Err(e) => {
            tracing::warn!(error = %e, "relay skipped: the queue does not answer");
            return Ok(0);
        }
    }
    let due = relay::take_due(&rt.db, &rt.settings).await?;
    let mut pushed = 0;
    for (id, trace) in due {
        // The request's trace, kept in the row: a relayed email is one trace with the
        // request that wrote it, as a pushed one is.
        let job = SendEmail {
            outbound_email_id: id,
            trace,
        };
        match rt.queue.push(job).await {
            Ok(()) => pushed += 1,
            // Still due again after `relay_after_ms`: a later pass retries.
            Err(e) => {
                tracing::warn!(email_id = id, error = %e, "relay could not enqueue");
                break;
            }
        }
    }
    if pushed > 0 {
        tracing::info!(pushed, "outbox relay enqueued unsent emails");
    }
    Ok(pushed)
}

async fn expire_invitations(_tick: Tick, rt: Data<Shared>) -> Result<(), BoxDynError> {
    let started = std::time::Instant::now();
    let result = expiry::expire_invitations(&rt.db, chrono::Utc::now()).await;
    rt.ran(JobKind::InvitationExpiry, done_or_failed(&result), started);
    let expired = result.map_err(|e| abort("invitation-expiry", e))?;
    rt.metrics.expiry_run(expired);
    // Admin relationships run on the same schedule (`delegation`).
    let pass = crate::delegation::run(&rt.db, chrono::Utc::now(), rt.settings.relay_after_ms)
        .await
        .map_err(|e| abort("admin-relationship-expiry", e))?;
    for id in &pass.email_ids {
        let job = SendEmail {
            outbound_email_id: *id,
            trace: None,
        };
        // The relay enqueues it later if this fails.
        if let Err(e) = rt.queue.push(job).await {
            tracing::warn!(email_id = id, error = %e, "could not enqueue a reminder");
            break;
        }
    }
    // Subscription terms too (`terms`): renewals, term ends and their notices.
    let terms = crate::terms::run(&rt.db, chrono::Utc::now(), rt.settings.relay_after_ms)
        .await
        .map_err(|e| abort("subscription-terms", e))?;
    for id in &terms.email_ids {
        let job = SendEmail {
            outbound_email_id: *id,
            trace: None,
        };
        // The relay enqueues it later if this fails.
        if let Err(e) = rt.queue.push(job).await {
            tracing::warn!(email_id = id, error = %e, "could not enqueue a term notice");
            break;
        }
    }
    if expired > 0
        || pass.expired + pass.extended + pass.reminded > 0
        || terms.renewed + terms.expired + terms.reminded > 0
    {
        rt.signal.notify();
    }
    Ok(())
}

async fn clean_up(_tick: Tick, rt: Data<Shared>) -> Result<(), BoxDynError> {
    let Ok(_running) = rt.retention_running.try_lock() else {
        return Ok(());
    };
    let started = std::time::Instant::now();
    let result = retention::clean(&rt.db, &rt.queue, &rt.settings.retention, &rt.webhooks).await;
    rt.ran(JobKind::Retention, done_or_failed(&result), started);
    result.map(drop).map_err(|e| abort("retention", e))
}

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
