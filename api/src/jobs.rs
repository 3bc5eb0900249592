//! The API's side of the job queue: after a transaction that wrote outbox rows commits,
//! the rows are pushed to the queue. A failed push is only logged — the row is safely in
//! the database and the worker's outbox relay enqueues it once it is due.

use worker::queue::EmailQueue;

#[derive(Clone)]
pub struct Dispatcher {
    queue: EmailQueue,
}

impl Dispatcher {
    pub fn new(queue: EmailQueue) -> Self {
        Self { queue }
    }

    pub async fn email(&self, outbound_email_id: i32) {
        if let Err(err) = self.queue.push(outbound_email_id).await {
            tracing::warn!(
                outbound_email_id,
                error = %err,
                "could not enqueue the email now; the outbox relay will"
            );
        }
    }
}

/// The base URL used in links sent to people (`PUBLIC_URL`, else the bound address).
#[derive(Clone, Debug)]
pub struct PublicUrl(pub String);
