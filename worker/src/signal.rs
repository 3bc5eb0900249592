//! "New events were committed": a wake-up call from whoever committed audit entries (an API
//! replica after a mutation, a worker after a delivery or an expiry pass) to every API
//! replica's event hub, which then reads the new entries from the database. The signal
//! carries nothing but the wake-up: the database is the truth, and a hub that missed a
//! signal finds the entries on its next periodic look anyway.
//!
//! Production: a Redis pub/sub channel (every replica and worker shares it). Embedded mode:
//! an in-process channel shared by the API and its in-process worker.

use futures::StreamExt;
use std::time::Duration;
use tokio::sync::broadcast;

const CHANNEL: &str = "partner-center:events";

#[derive(Clone)]
pub enum EventSignal {
    Redis {
        client: redis::Client,
        publisher: redis::aio::ConnectionManager,
    },
    Local(broadcast::Sender<()>),
}

impl EventSignal {
    /// The shared channel on Redis.
    pub async fn redis(url: &str) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_response_timeout(Some(Duration::from_secs(1)))
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(2);
        let publisher = client.get_connection_manager_with_config(config).await?;
        Ok(Self::Redis { client, publisher })
    }

    /// An in-process channel (embedded mode: the API and its worker share the value).
    pub fn local() -> Self {
        Self::Local(broadcast::channel(16).0)
    }

    /// Tells every hub to look for new events; never waits for Redis.
    pub fn notify(&self) {
        match self {
            Self::Local(sender) => {
                let _ = sender.send(());
            }
            Self::Redis { publisher, .. } => {
                let mut publisher = publisher.clone();
                tokio::spawn(async move {
                    let sent = redis::cmd("PUBLISH")
                        .arg(CHANNEL)
                        .arg("1")
                        .query_async::<i64>(&mut publisher)
                        .await;
                    if let Err(e) = sent {
                        // Hubs still look on their own every second.
                        tracing::debug!(error = %e, "could not publish the event signal");
                    }
                });
            }
        }
    }

    /// Wake-ups, for as long as the receiver lives. On Redis the subscription reconnects by
    /// itself after an outage.
    pub fn listen(&self) -> tokio::sync::mpsc::Receiver<()> {
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        match self {
            Self::Local(sender) => {
                let mut local = sender.subscribe();
                tokio::spawn(async move {
                    loop {
                        match local.recv().await {
                            Ok(()) | Err(broadcast::error::RecvError::Lagged(_)) => {
                                // A full channel already holds a wake-up: that is enough.
                                if tx.is_closed() {
                                    return;
                                }
                                let _ = tx.try_send(());
                            }
                            Err(broadcast::error::RecvError::Closed) => return,
                        }
                    }
                });
            }
            Self::Redis { client, .. } => {
                let client = client.clone();
                tokio::spawn(async move {
                    while !tx.is_closed() {
                        if let Ok(mut pubsub) = client.get_async_pubsub().await
                            && pubsub.subscribe(CHANNEL).await.is_ok()
                        {
                            let mut messages = pubsub.on_message();
                            while messages.next().await.is_some() {
                                if tx.is_closed() {
                                    return;
                                }
                                let _ = tx.try_send(());
                            }
                        }
                        // Lost or never had the subscription: try again shortly.
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                });
            }
        }
        rx
    }
}
