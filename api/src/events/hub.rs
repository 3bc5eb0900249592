//! One hub per API process: it tails the audit log and broadcasts each new entry, in id
//! order, to this process's subscribers.
//!
//! It reads the database when signalled (`worker::signal`: any replica or worker that
//! committed entries) and every second regardless, so a lost signal only delays. Ids are
//! handed out before commit, so a lower id can commit after a higher one: the hub emits in
//! id order up to the first id it has not seen, and waits for that id until
//! [`GAP_TIMEOUT`] (a transaction that rolled back leaves its id unused forever). Because
//! emission is in id order, a subscriber that saw id `n` has seen every visible event up to
//! `n`, which is what makes `events(after:)` exact.

use entity::audit_entry;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;
use worker::signal::EventSignal;

/// How long a missing id may hold back later ones.
pub const GAP_TIMEOUT: Duration = Duration::from_secs(3);
/// Entries read per look.
const BATCH: u64 = 500;
/// Events buffered per subscriber before it lags (and catches up from the database).
const CAPACITY: usize = 1024;

pub type Event = Arc<audit_entry::Model>;

#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    sender: broadcast::Sender<Event>,
    /// Every id up to this one has been emitted (or given up on).
    emitted: AtomicI32,
}

impl Hub {
    /// Starts tailing after the newest entry that exists now.
    pub async fn start(
        db: DatabaseConnection,
        signal: &EventSignal,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> Result<Self, sea_orm::DbErr> {
        let newest: Option<i32> = audit_entry::Entity::find()
            .select_only()
            .column_as(audit_entry::Column::Id.max(), "max")
            .into_tuple()
            .one(&db)
            .await?
            .flatten();
        let hub = Self {
            inner: Arc::new(Inner {
                sender: broadcast::channel(CAPACITY).0,
                emitted: AtomicI32::new(newest.unwrap_or(0)),
            }),
        };
        let mut wake = signal.listen();
        let tail = hub.clone();
        tokio::spawn(async move {
            let mut pending = Pending::default();
            loop {
                if let Err(e) = tail.look(&db, &mut pending).await {
                    tracing::warn!(error = %e, "event hub could not read the audit log");
                }
                let wait = pending.next_deadline().unwrap_or(Duration::from_secs(1));
                tokio::select! {
                    _ = wake.recv() => {}
                    () = tokio::time::sleep(wait) => {}
                    () = stopping(&mut shutdown) => return,
                }
            }
        });
        Ok(hub)
    }

    /// Live events with ids above [`Hub::emitted`] at the time of the call (or just before).
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.inner.sender.subscribe()
    }

    /// The id up to which every event has been broadcast.
    pub fn emitted(&self) -> i32 {
        self.inner.emitted.load(Ordering::SeqCst)
    }

    async fn look(
        &self,
        db: &DatabaseConnection,
        pending: &mut Pending,
    ) -> Result<(), sea_orm::DbErr> {
        loop {
            let from = self.emitted().max(pending.highest());
            let rows = audit_entry::Entity::find()
                .filter(audit_entry::Column::Id.gt(self.emitted()))
                .order_by_asc(audit_entry::Column::Id)
                .limit(BATCH)
                .all(db)
                .await?;
            let full = rows.len() as u64 == BATCH;
            for row in rows {
                pending.rows.entry(row.id).or_insert_with(|| Arc::new(row));
            }
            self.emit_ready(pending);
            // Stop when the page was not full or nothing moved.
            if !full || self.emitted().max(pending.highest()) == from {
                return Ok(());
            }
        }
    }

    /// Emits read rows in id order while there is no hole, or the hole is old enough.
    fn emit_ready(&self, pending: &mut Pending) {
        let now = Instant::now();
        loop {
            let next = self.emitted() + 1;
            if let Some(event) = pending.rows.remove(&next) {
                pending.hole_since = None;
                self.inner.emitted.store(next, Ordering::SeqCst);
                // No receiver is fine: nobody listens on this replica right now.
                let _ = self.inner.sender.send(event);
                continue;
            }
            if pending.rows.is_empty() {
                pending.hole_since = None;
                return;
            }
            // `next` is missing but later ids exist: wait for it, up to the timeout.
            let since = *pending.hole_since.get_or_insert(now);
            if now.duration_since(since) < GAP_TIMEOUT {
                return;
            }
            tracing::debug!(id = next, "event id never committed; skipping it");
            pending.hole_since = None;
            self.inner.emitted.store(next, Ordering::SeqCst);
        }
    }
}

/// Resolves once `stop` turns true (or its sender is gone).
pub async fn stopping(stop: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Rows read but not yet emitted (they follow a hole).
#[derive(Default)]
struct Pending {
    rows: BTreeMap<i32, Event>,
    hole_since: Option<Instant>,
}

impl Pending {
    fn highest(&self) -> i32 {
        self.rows.keys().next_back().copied().unwrap_or(0)
    }

    /// When the current hole times out, if there is one.
    fn next_deadline(&self) -> Option<Duration> {
        self.hole_since
            .map(|since| GAP_TIMEOUT.saturating_sub(since.elapsed()) + Duration::from_millis(10))
    }
}
