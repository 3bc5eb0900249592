//! Item 6: queue storage is bounded. apalis keeps every finished job (its payload and its
//! metadata in Redis, its row in `jobs.db` in embedded mode) and nothing removed them, so
//! the queue grew with every email ever sent; and the outbox relay re-pushed every
//! still-queued row on each pass, so a backlog multiplied. Now retention removes finished
//! jobs (`worker::retention::clean`) and the relay takes at most a batch per pass and skips
//! while a batch already waits.

use super::{clean, redis_cli};
use crate::partnerships::{provider_and_reseller, request};
use e2e::services::{RedisServer, eventually};
use e2e::{Backend, TestApp, spawn_app_with};
use entity::enums::DeliveryStatus;
use entity::outbound_email;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use worker::jobs::SEND_EMAIL_QUEUE;
use worker::retention::RetentionSettings;

const WAIT: Duration = Duration::from_secs(30);
const EMAILS: usize = 6;

/// Only finished jobs go: everything else is kept as long as before.
fn finished_jobs_now() -> RetentionSettings {
    RetentionSettings {
        finished_jobs_hours: 0,
        ..Default::default()
    }
}

async fn invite_many(app: &TestApp, n: usize) -> String {
    let (provider, _) = provider_and_reseller(app).await;
    for i in 0..n {
        request(app, &provider, &format!("prospect{i}@fabrikam.test")).await;
    }
    provider
}

async fn unsent(app: &TestApp) -> u64 {
    outbound_email::Entity::find()
        .filter(outbound_email::Column::Status.ne(DeliveryStatus::Sent))
        .count(&app.db)
        .await
        .unwrap()
}

fn count(port: u16, args: &[&str]) -> usize {
    redis_cli(port, args).parse().unwrap()
}

/// Redis: the payload hash, the done set and the per-job metadata keys empty out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finished_jobs_leave_redis() {
    let redis = RedisServer::start();
    let url = redis.url();
    let app = spawn_app_with(Backend::Postgres, |s| {
        s.redis_url = Some(url.clone().into());
        s.embedded_worker = Some(true);
    })
    .await;
    invite_many(&app, EMAILS).await;
    let (data, done) = (
        format!("{SEND_EMAIL_QUEUE}:data"),
        format!("{SEND_EMAIL_QUEUE}:done"),
    );
    // Every email SENT and every job stored acknowledged as done.
    let finished = eventually("every job done", WAIT, || async {
        let (stored, finished) = (
            count(redis.port, &["HLEN", &data]),
            count(redis.port, &["SCARD", &done]),
        );
        (unsent(&app).await == 0 && finished >= EMAILS && finished == stored).then_some(finished)
    })
    .await;

    let queue = worker::boot::queue(
        Some(&url.clone().into()),
        &app.data_dir,
        &Default::default(),
    )
    .await
    .unwrap();
    let cleaned = clean(&app, &queue, &finished_jobs_now()).await;
    assert_eq!(cleaned.finished_jobs as usize, finished);
    assert_eq!(count(redis.port, &["HLEN", &data]), 0, "payloads removed");
    assert_eq!(count(redis.port, &["SCARD", &done]), 0, "done set emptied");
    let meta = redis_cli(
        redis.port,
        &["--scan", "--pattern", &format!("{SEND_EMAIL_QUEUE}:meta:*")],
    );
    assert_eq!(meta, "", "no job metadata left");
    // Only the queue's bookkeeping went: the emails are still SENT.
    assert_eq!(unsent(&app).await, 0);
    assert_eq!(
        outbound_email::Entity::find().count(&app.db).await.unwrap() as usize,
        EMAILS
    );
}

async fn jobs_rows(app: &TestApp, status: Option<&str>) -> i64 {
    let path = app.data_dir.join("jobs.db");
    let jobs = sea_orm::Database::connect(format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let filter = status.map_or(String::new(), |s| format!(" AND status = '{s}'"));
    let row = jobs
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            format!("SELECT COUNT(*) AS n FROM Jobs WHERE job_type = '{SEND_EMAIL_QUEUE}'{filter}"),
        ))
        .await
        .unwrap()
        .unwrap();
    let n = row.try_get::<i64>("", "n").unwrap();
    let _ = jobs.close().await;
    n
}

/// Embedded mode: the rows of `jobs.db` go (the API's database is SQLite or PostgreSQL;
/// without Redis the queue is the SQLite file in both cases).
async fn finished_jobs_leave_the_sqlite_queue(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.embedded_worker = Some(true)).await;
    invite_many(&app, EMAILS).await;
    let finished = eventually("every job done", WAIT, || async {
        let (all, done) = (
            jobs_rows(&app, None).await,
            jobs_rows(&app, Some("Done")).await,
        );
        (unsent(&app).await == 0 && done >= EMAILS as i64 && done == all).then_some(done)
    })
    .await;
    let queue = worker::boot::queue(None, &app.data_dir, &Default::default())
        .await
        .unwrap();
    // `done_at` has a resolution of one second: a job finished this very second is not
    // yet "older than 0 hours", so the pass is repeated until it is.
    let removed = AtomicU64::new(0);
    eventually("the finished jobs removed", WAIT, || async {
        let pass = clean(&app, &queue, &finished_jobs_now()).await;
        removed.fetch_add(pass.finished_jobs, Ordering::SeqCst);
        (jobs_rows(&app, None).await == 0).then_some(())
    })
    .await;
    assert_eq!(removed.into_inner() as i64, finished);
    assert_eq!(unsent(&app).await, 0, "the emails stay SENT");
}
both!(finished_jobs_leave_the_sqlite_queue);

/// Jobs waiting in the queue, counted in its storage (no worker runs, so every stored job
/// waits): the Redis payload hash, or the SQLite queue's pending rows. Counted there rather
/// than with `EmailQueue::pending`, the figure the relay itself relies on: apalis-redis
/// files every push under `:scheduled` until a worker moves it to `:active`, and `pending`
/// counts `:active` only.
async fn waiting_jobs(app: &TestApp, redis: Option<&RedisServer>) -> u64 {
    match redis {
        Some(r) => count(r.port, &["HLEN", &format!("{SEND_EMAIL_QUEUE}:data")]) as u64,
        None => jobs_rows(app, Some("Pending")).await as u64,
    }
}

/// No worker consumes; the relay runs pass after pass with every row due each time. The
/// jobs waiting stay at about what the API pushed (one per email), and once the queue lost
/// them (a restarted Redis), at one batch: never a copy per pass.
async fn relay_passes_do_not_multiply_a_backlog(backend: Backend, redis: Option<&RedisServer>) {
    const BATCH: u64 = 5;
    let redis_url = redis.map(RedisServer::url);
    let app = spawn_app_with(backend, |s| {
        s.redis_url = redis_url.clone().map(Into::into);
        s.embedded_worker = Some(false);
        s.jobs.relay_batch = BATCH;
        s.jobs.relay_after_ms = 0;
    })
    .await;
    let emails = 12u64;
    invite_many(&app, emails as usize).await;
    let settings = worker::JobSettings {
        relay_batch: BATCH,
        relay_after_ms: 0,
        ..Default::default()
    };
    let url: Option<secrecy::SecretString> = redis_url.map(Into::into);
    let queue = worker::boot::queue(url.as_ref(), &app.data_dir, &settings)
        .await
        .unwrap();
    let outbox = app.data_dir.join("relay-outbox");
    let mailer = worker::mail::Mailer::files(&outbox).unwrap();
    let rt = super::runtime(&app, mailer, queue.clone(), settings);
    // The API's own pushes land in the background: one job per email.
    eventually("the API's pushes", WAIT, || async {
        (waiting_jobs(&app, redis).await == emails).then_some(())
    })
    .await;
    for pass in 0..10 {
        worker::runtime::relay_once(&rt).await.unwrap();
        let waiting = waiting_jobs(&app, redis).await;
        // It used to grow by `emails` on every pass; one batch more is tolerated.
        assert!(
            waiting <= emails + BATCH,
            "pass {pass}: {waiting} jobs wait for {emails} emails (the queue reports {:?} pending)",
            queue.pending().await
        );
    }

    // The queue loses its jobs: the relay refills one batch, then waits for it to drain.
    match redis {
        Some(r) => assert_eq!(redis_cli(r.port, &["FLUSHALL"]), "OK"),
        None => {
            let jobs = sea_orm::Database::connect(format!(
                "sqlite://{}",
                app.data_dir.join("jobs.db").display()
            ))
            .await
            .unwrap();
            jobs.execute_unprepared("DELETE FROM Jobs").await.unwrap();
            let _ = jobs.close().await;
        }
    }
    assert_eq!(waiting_jobs(&app, redis).await, 0);
    for pass in 0..10 {
        worker::runtime::relay_once(&rt).await.unwrap();
        let waiting = waiting_jobs(&app, redis).await;
        assert!(
            (1..=BATCH).contains(&waiting),
            "pass {pass}: {waiting} jobs wait; the relay refills one batch, no more"
        );
    }
    assert_eq!(
        unsent(&app).await,
        emails,
        "nothing was sent: no worker ran"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_passes_do_not_multiply_a_backlog_sqlite_queue() {
    relay_passes_do_not_multiply_a_backlog(Backend::Sqlite, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_passes_do_not_multiply_a_backlog_redis_queue() {
    let redis = RedisServer::start();
    relay_passes_do_not_multiply_a_backlog(Backend::Postgres, Some(&redis)).await;
}
