//! The API's side of the job queue: after a transaction that wrote outbox rows commits,
//! the rows are pushed to the queue. Pushing is optional (the row is safely in the database
//! and the worker's outbox relay enqueues it once due), so it never delays the response:
//! the push runs in the background, bounded in time by the queue itself. During a Redis
//! outage each push gives up within seconds and leaves the email to the relay; once Redis
//! is back the next push goes through (the queue reconnects and retries a stale connection).

use worker::queue::EmailQueue;

#[derive(Clone)]
pub struct Dispatcher {
    queue: EmailQueue,
}

impl Dispatcher {
    pub fn new(queue: EmailQueue) -> Self {
        Self { queue }
    }

    /// Hands the email to the queue in the background; returns at once.
    pub fn email(&self, outbound_email_id: i32) {
        let queue = self.queue.clone();
        // The request's trace goes with the job, so the worker's send continues it.
        let job = worker::jobs::SendEmail {
            outbound_email_id,
            trace: worker::telemetry::traceparent(),
        };
        tokio::spawn(async move {
            if let Err(err) = queue.push(job).await {
                tracing::warn!(
                    outbound_email_id,
                    error = %err,
                    "could not enqueue the email now; the outbox relay will"
                );
            }
        });
    }
}

/// The base URL used in links sent to people (`PUBLIC_URL`, else the bound address).
#[derive(Clone, Debug)]
pub struct PublicUrl(pub String);
