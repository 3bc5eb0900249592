//! One hub per API process: it tails the audit log and broadcasts each new entry, in id
//! order, to this process's subscribers.
//!
//! It reads the database when signalled (`worker::signal`: any replica or worker that
//! committed entries) and every second regardless, so a lost signal only delays. Ids are
//! handed out before commit, so a lower id can commit after a higher one: the hub emits in
//! id order up to the first id it has not seen, and waits for the missing ids (a
//! transaction that rolled back leaves its id unused forever). Because emission is in id
//! order, a subscriber that saw id `n` has seen every visible event up to `n`, which is what
//! makes `events(after:)` exact.
//!
//! A missing id was handed out before any higher id, so it has been pending at least since
//! the hub first read a row above it: the wait for a run of missing ids starts when the row
//! after them is first read and lasts `EVENTS__GAP_WAIT_MS` in all, however many ids the run
//! has (a thousand rolled-back ids cost one wait, not a thousand).

use entity::audit_entry;
use prometheus_client::metrics::counter::Counter;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;
use worker::signal::EventSignal;
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
    gaps: Gaps,
}

/// How the hub treats ids that never show up.
#[derive(Clone, Debug)]
pub struct Gaps {
    /// How long a run of missing ids may hold back the rows after it.
    pub wait: Duration,
    /// Counts the runs of missing ids given up on (each cost one `wait`).
    pub given_up: Counter,
}

impl Hub {
    /// Starts tailing after the newest entry that exists now.
    pub async fn start(
        db: DatabaseConnection,
        signal: &EventSignal,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
        gaps: Gaps,
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
                gaps,
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
                let wait = pending
                    .next_deadline(tail.emitted(), tail.inner.gaps.wait)
                    .unwrap_or(Duration::from_secs(1));
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
            let read_at = Instant::now();
            for row in rows {
                // The first read counts: it is when the ids below this row were known taken.
                pending
                    .rows
                    .entry(row.id)
                    .or_insert_with(|| (read_at, Arc::new(row)));
            }
            self.emit_ready(pending);
            // Stop when the page was not full or nothing moved.
            if !full || self.emitted().max(pending.highest()) == from {
                return Ok(());
            }
        }
    }

    /// Emits read rows in id order while there is no hole before them, or the hole is old
    /// enough: a run of missing ids is skipped as a whole once the row after it was read
    /// [`Gaps::wait`] ago.
    fn emit_ready(&self, pending: &mut Pending) {
        let now = Instant::now();
        while let Some(entry) = pending.rows.first_entry() {
            let next = self.emitted() + 1;
            if *entry.key() != next {
                let (read_at, _) = entry.get();
                if now.duration_since(*read_at) < self.inner.gaps.wait {
                    return;
                }
                tracing::debug!(
                    from = next,
                    to = *entry.key() - 1,
                    "event ids never committed; skipping them"
                );
                self.inner.gaps.given_up.inc();
            }
            let (id, (_, event)) = entry.remove_entry();
            self.inner.emitted.store(id, Ordering::SeqCst);
            // No receiver is fine: nobody listens on this replica right now.
            let _ = self.inner.sender.send(event);
        }
    }
}

/// Resolves once `stop` turns true (or its sender is gone).
pub async fn stopping(stop: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Rows read but not yet emitted (they follow a hole), with when each was first read.
#[derive(Default)]
struct Pending {
    rows: BTreeMap<i32, (Instant, Event)>,
}

impl Pending {
    fn highest(&self) -> i32 {
        self.rows.keys().next_back().copied().unwrap_or(0)
    }

    /// When the hole after `emitted` times out, if there is one.
    fn next_deadline(&self, emitted: i32, wait: Duration) -> Option<Duration> {
        let (&first, (read_at, _)) = self.rows.first_key_value()?;
        (first > emitted + 1)
            .then(|| wait.saturating_sub(read_at.elapsed()) + Duration::from_millis(10))
    }
}
