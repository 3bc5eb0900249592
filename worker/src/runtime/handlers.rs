//! The jobs' handlers, as the `Monitor` in [`super::run`] calls them: `send-email`, the
//! outbox relay, invitation expiry (with the admin relationships' and subscription terms'
//! passes on the same schedule) and retention. Each records its run in the metrics and
//! raises the event signal after commits that wrote audit entries.

use super::{Runtime, Shared};
use crate::jobs::SendEmail;
use crate::metrics::{Channel, JobKind, JobOutcome};
use crate::{delivery, expiry, relay, retention};
use apalis::prelude::*;
use apalis_cron::Tick;

/// Errors never go back to apalis as plain errors: the storages would retry them on their
/// own, immediately. Delivery retries are the outbox's business (backoff, `FAILED`), and a
/// database outage is recovered by the relay, so failures are logged and the task aborted.
fn abort(context: &'static str, err: impl std::fmt::Display) -> BoxDynError {
    tracing::error!(%err, "{context}");
    AbortError::new(format!("{context}: {err}")).into()
}

pub(super) async fn send_email(job: SendEmail, rt: Data<Shared>) -> Result<(), BoxDynError> {
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

pub(super) async fn relay_outbox(_tick: Tick, rt: Data<Shared>) -> Result<(), BoxDynError> {
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
    // The request's trace, kept in the row: a relayed email is one trace with the request
    // that wrote it, as a pushed one is. Rows not pushed are due again after
    // `relay_after_ms`: a later pass retries.
    let jobs = due.into_iter().map(|(id, trace)| SendEmail {
        outbound_email_id: id,
        trace,
    });
    let pushed = enqueue(rt, jobs, "an unsent email").await;
    if pushed > 0 {
        tracing::info!(pushed, "outbox relay enqueued unsent emails");
    }
    Ok(pushed)
}

pub(super) async fn expire_invitations(_tick: Tick, rt: Data<Shared>) -> Result<(), BoxDynError> {
    let started = std::time::Instant::now();
    let result = expiry::expire_invitations(&rt.db, chrono::Utc::now()).await;
    rt.ran(JobKind::InvitationExpiry, done_or_failed(&result), started);
    let expired = result.map_err(|e| abort("invitation-expiry", e))?;
    rt.metrics.expiry_run(expired);
    // Admin relationships run on the same schedule (`delegation`).
    let pass = crate::delegation::run(&rt.db, chrono::Utc::now(), rt.settings.relay_after_ms)
        .await
        .map_err(|e| abort("admin-relationship-expiry", e))?;
    enqueue(&rt, untraced(&pass.email_ids), "a reminder").await;
    // Subscription terms too (`terms`): renewals, term ends and their notices.
    let terms = crate::terms::run(&rt.db, chrono::Utc::now(), rt.settings.relay_after_ms)
        .await
        .map_err(|e| abort("subscription-terms", e))?;
    enqueue(&rt, untraced(&terms.email_ids), "a term notice").await;
    if expired > 0
        || pass.expired + pass.extended + pass.reminded > 0
        || terms.renewed + terms.expired + terms.reminded > 0
    {
        rt.signal.notify();
    }
    Ok(())
}

/// Hands `jobs` to the queue in order, stopping at the first failure (the relay enqueues
/// the rest once due); returns how many were pushed. `what` names them in the log.
async fn enqueue(rt: &Runtime, jobs: impl IntoIterator<Item = SendEmail>, what: &str) -> usize {
    let mut pushed = 0;
    for job in jobs {
        let id = job.outbound_email_id;
        if let Err(e) = rt.queue.push(job).await {
            tracing::warn!(email_id = id, error = %e, "could not enqueue {what}");
            break;
        }
        pushed += 1;
    }
    pushed
}

/// The jobs of emails a scheduled pass wrote: they belong to no request's trace.
fn untraced(email_ids: &[i32]) -> impl Iterator<Item = SendEmail> + '_ {
    email_ids.iter().map(|&id| SendEmail {
        outbound_email_id: id,
        trace: None,
    })
}

pub(super) async fn clean_up(_tick: Tick, rt: Data<Shared>) -> Result<(), BoxDynError> {
    let Ok(_running) = rt.retention_running.try_lock() else {
        return Ok(());
    };
    let started = std::time::Instant::now();
    let result = retention::clean(&rt.db, &rt.queue, &rt.settings.retention, &rt.webhooks).await;
    rt.ran(JobKind::Retention, done_or_failed(&result), started);
    result.map(drop).map_err(|e| abort("retention", e))
}
