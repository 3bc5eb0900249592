//! The job queue as a platform operator sees it (`/admin/jobs`): apalis's own backend
//! queries over the email queue's storage (Redis or SQLite alike): its statistics, its
//! workers with their last heartbeat, and the tasks apalis gave up on (a send aborted by a
//! database outage: the outbox relay sends it later, so these are worth a look, not lost).
//! Also apalis-board's JSON API over the same storage, for scripts and its own UI.

use crate::jobs::{SEND_EMAIL_QUEUE, SendEmail};
use crate::queue::EmailQueue;
use apalis::prelude::{
    Backend, Filter, ListTasks, ListWorkers, Metrics, RunningWorker, Statistic, Status,
};
use apalis_board_api::framework::{ApiBuilder, RegisterRoute};
use serde::Serialize;

/// What the dashboard shows of the queue; a part the storage could not answer is `None`
/// (apalis-redis 1.0.0's worker listing fails on its own data, and so do its per-queue
/// statistics; its global ones work).
#[derive(Debug, Serialize)]
pub struct QueueView {
    pub stats: Option<Vec<Stat>>,
    pub workers: Option<Vec<WorkerView>>,
    /// The most recent tasks apalis marked failed or killed.
    pub given_up: Option<Vec<TaskView>>,
}

#[derive(Debug, Serialize)]
pub struct Stat {
    pub title: String,
    pub value: String,
}

#[derive(Debug, Serialize)]
pub struct WorkerView {
    pub id: String,
    /// RFC 3339.
    pub last_heartbeat: String,
}

#[derive(Debug, Serialize)]
pub struct TaskView {
    pub id: String,
    pub status: String,
    pub attempts: usize,
}

/// Tasks listed per status.
const GIVEN_UP_SHOWN: u32 = 20;

impl EmailQueue {
    /// The queue's statistics, workers and given-up tasks.
    pub async fn view(&self) -> QueueView {
        match self {
            Self::Redis(storage) => view_of(storage).await,
            Self::Sqlite(storage) => view_of(storage).await,
        }
    }

    /// apalis-board's JSON API over this queue (`/queues`, `/overview`,
    /// `/queues/{queue}/tasks`, ...), to nest under a path of the caller's choosing.
    pub fn board_api(&self) -> axum::Router {
        let builder = ApiBuilder::new(axum::Router::new());
        match self.clone() {
            Self::Redis(storage) => {
                RegisterRoute::<_, SendEmail>::register(builder, SEND_EMAIL_QUEUE, storage).build()
            }
            Self::Sqlite(storage) => {
                RegisterRoute::<_, SendEmail>::register(builder, SEND_EMAIL_QUEUE, storage).build()
            }
        }
    }
}

async fn view_of<B>(storage: &B) -> QueueView
where
    B: Metrics + ListWorkers + ListTasks + Backend,
    <B as Backend>::Error: std::fmt::Display,
{
    let stats = answer("statistics", storage.global().await);
    let workers = answer("workers", storage.list_workers().await);
    let mut given_up = Some(Vec::new());
    for status in [Status::Failed, Status::Killed] {
        let filter = Filter {
            status: Some(status),
            page: 1,
            page_size: Some(GIVEN_UP_SHOWN),
        };
        match (
            answer("tasks", storage.list_tasks(&filter).await),
            &mut given_up,
        ) {
            (Some(tasks), Some(shown)) => shown.extend(tasks.iter().map(|task| {
                let ctx = task.ctx();
                TaskView {
                    id: ctx.task_id().map(ToString::to_string).unwrap_or_default(),
                    status: ctx.status().to_string(),
                    attempts: ctx.attempt(),
                }
            })),
            _ => given_up = None,
        }
    }
    QueueView {
        stats: stats.map(|s| s.into_iter().map(stat).collect()),
        workers: workers.map(|w| w.into_iter().map(worker).collect()),
        given_up,
    }
}

/// The answer, or `None` (logged) when the storage could not give it.
fn answer<T, E: std::fmt::Display>(what: &str, result: Result<T, E>) -> Option<T> {
    result
        .inspect_err(|e| tracing::warn!(error = %e, "job queue {what} unavailable"))
        .ok()
}

fn stat(s: Statistic) -> Stat {
    Stat {
        title: s.title,
        value: s.value,
    }
}

fn worker(w: RunningWorker) -> WorkerView {
    let at = chrono::DateTime::from_timestamp(w.last_heartbeat as i64, 0).unwrap_or_default();
    WorkerView {
        id: w.id,
        last_heartbeat: at.to_rfc3339(),
    }
}
