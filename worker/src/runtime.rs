//! The worker process's jobs, run by one apalis `Monitor`:
//! - `send-email`: delivers outbox rows pushed to the queue (see `delivery`);
//! - `outbox-relay` (cron): enqueues rows still unsent when due (see `relay`);
//! - `invitation-expiry` (cron): expires stale invitations (see `expiry`).
//!
//! Cron schedules fire in every worker process; both cron jobs are safe to run concurrently.
//! Worker names are unique per process so a dead process's in-flight jobs are recovered by
//! the others once its heartbeat stops.

use crate::delivery;
use crate::jobs::SendEmail;
use crate::mail::Mailer;
use crate::queue::EmailQueue;
use crate::settings::JobSettings;
use crate::{expiry, relay};
use apalis::prelude::*;
use apalis_cron::{CronScheduler, Tick};
use sea_orm::DatabaseConnection;
use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Everything a job needs; shared by all jobs of the process.
pub struct Runtime {
    pub db: DatabaseConnection,
    pub mailer: Mailer,
    pub queue: EmailQueue,
    pub settings: JobSettings,
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
    delivery::deliver(&rt.db, &rt.mailer, &rt.settings, job.outbound_email_id)
        .await
        .map(drop)
        .map_err(|e| abort("send-email", e))
}

async fn relay_outbox(_tick: Tick, rt: Data<Shared>) -> Result<(), BoxDynError> {
    relay_once(&rt)
        .await
        .map(drop)
        .map_err(|e| abort("outbox-relay", e))
}

/// One relay pass: enqueue every due email; returns how many were enqueued.
pub async fn relay_once(rt: &Runtime) -> Result<usize, sea_orm::DbErr> {
    let due = relay::take_due(&rt.db, &rt.settings).await?;
    let mut pushed = 0;
    for id in due {
        match rt.queue.push(id).await {
            Ok(()) => pushed += 1,
            // Still due again after `relay_after_ms`: the next pass retries.
            Err(e) => tracing::warn!(email_id = id, error = %e, "relay could not enqueue"),
        }
    }
    if pushed > 0 {
        tracing::info!(pushed, "outbox relay enqueued unsent emails");
    }
    Ok(pushed)
}

async fn expire_invitations(_tick: Tick, rt: Data<Shared>) -> Result<(), BoxDynError> {
    expiry::expire_invitations(&rt.db, chrono::Utc::now())
        .await
        .map(drop)
        .map_err(|e| abort("invitation-expiry", e))
}

/// A 6-field cron expression firing every `seconds` (whole minutes above 59 seconds).
fn every(seconds: u64) -> cron::Schedule {
    let expr = match seconds {
        0..=1 => "* * * * * *".to_owned(),
        2..=59 => format!("*/{seconds} * * * * *"),
        _ => format!("0 */{} * * * *", (seconds / 60).clamp(1, 59)),
    };
    cron::Schedule::from_str(&expr).expect("valid generated cron expression")
}

/// A name unique to this process and call, e.g. `send-email-7f3a9c1e`.
fn unique(name: &str) -> String {
    format!("{name}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8])
}

/// Runs all jobs until `signal` resolves, then lets in-flight jobs finish for at most
/// `grace`.
pub async fn run(
    rt: Runtime,
    signal: impl Future<Output = std::io::Result<()>> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let rt: Shared = Arc::new(rt);
    let poll = Duration::from_millis(rt.settings.poll_interval_ms.max(1));
    let concurrency = rt.settings.concurrency.max(1);
    let (relay_every, expiry_every) = (
        rt.settings.relay_interval_seconds,
        rt.settings.expiry_interval_seconds,
    );
    let send_name = unique("send-email");
    let monitor = match rt.queue.clone() {
        EmailQueue::Redis(storage) => {
            let rt = rt.clone();
            Monitor::new().register(move |_| {
                WorkerBuilder::new(send_name.clone())
                    .backend(storage.clone().poll_with_interval(poll))
                    .concurrency(concurrency)
                    .data(rt.clone())
                    .build(send_email)
            })
        }
        EmailQueue::Sqlite(storage) => {
            let rt = rt.clone();
            Monitor::new().register(move |_| {
                WorkerBuilder::new(send_name.clone())
                    .backend(storage.clone().poll_with_interval(poll))
                    .concurrency(concurrency)
                    .data(rt.clone())
                    .build(send_email)
            })
        }
    };
    let (relay_rt, expiry_rt) = (rt.clone(), rt.clone());
    let (relay_name, expiry_name) = (unique("outbox-relay"), unique("invitation-expiry"));
    monitor
        .register(move |_| {
            WorkerBuilder::new(relay_name.clone())
                .backend(CronScheduler::new(every(relay_every)))
                .data(relay_rt.clone())
                .build(relay_outbox)
        })
        .register(move |_| {
            WorkerBuilder::new(expiry_name.clone())
                .backend(CronScheduler::new(every(expiry_every)))
                .data(expiry_rt.clone())
                .build(expire_invitations)
        })
        .on_event(|worker, event| {
            if let Event::Error(e) = event {
                tracing::warn!(worker = worker.name(), error = %e, "worker event");
            }
        })
        // A lost Redis connection stops a worker; start it again rather than go idle.
        .should_restart(|worker, error| {
            tracing::warn!(worker = worker.name(), %error, "restarting worker");
            true
        })
        .shutdown_timeout(grace)
        .run_with_signal(signal)
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))
}
