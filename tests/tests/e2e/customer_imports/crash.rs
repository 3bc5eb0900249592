//! A `worker` process SIGKILLed mid-import (PostgreSQL + Redis): another worker takes the
//! import over once the lease lapses and finishes it; every row is done exactly once (one
//! customer per row, one password per customer).

use super::*;
use crate::customers::world;
use e2e::services::{RedisServer, WorkerProcess, eventually};
use e2e::{Backend, spawn_app_with};
use entity::customer_import;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_import_leaves_every_row_done_once() {
    let redis = RedisServer::start();
    let redis_url = redis.url();
    let app = spawn_app_with(Backend::Postgres, |s| {
        s.redis_url = Some(redis_url.clone().into());
        s.embedded_worker = Some(false);
    })
    .await;
    let w = world(&app).await;
    let o = offers(&app, &w).await;
    const N: usize = 200;
    let lines: Vec<String> = (0..N)
        .map(|i| {
            let reseller = if i % 2 == 0 {
                w.reseller_id.as_str()
            } else {
                ""
            };
            line(
                &format!("Customer {i}"),
                &format!("c{i}.example"),
                reseller,
                &o.basic,
                1 + (i % 5) as i32,
                "",
            )
        })
        .collect();
    let id = queued(
        &app,
        &w.provider,
        file(&lines),
        json!({ "idempotencyKey": "crash" }),
    )
    .await;
    let database_url = app.database_url.clone().expect("PostgreSQL URL");
    let env = || {
        vec![
            ("DATABASE_URL", database_url.clone()),
            ("REDIS_URL", redis_url.clone()),
            ("IMPORTS__BATCH_ROWS", "5".to_owned()),
            ("IMPORTS__BATCH_PAUSE_MS", "40".to_owned()),
            ("IMPORTS__LEASE_SECONDS", "2".to_owned()),
            ("IMPORTS__POLL_INTERVAL_MS", "50".to_owned()),
        ]
    };
    let progress = || async {
        customer_import::Entity::find()
            .filter(customer_import::Column::Id.is_not_null())
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
    };
    let mut first = WorkerProcess::spawn(&env());
    eventually("the first batches", Duration::from_secs(60), || async {
        (progress().await.processed >= 20).then_some(())
    })
    .await;
    first.kill_hard();
    let at_kill = progress().await;
    assert!(
        (at_kill.processed as usize) < N,
        "the kill landed mid-import ({} of {N})",
        at_kill.processed
    );

    let mut second = WorkerProcess::spawn(&env());
    let import = finished(&app, &w.provider, &id).await;
    assert_eq!(import["status"], "SUCCEEDED", "{import}");
    assert_eq!(import["succeeded"], N);
    assert_eq!(import["failed"], 0);
    // Exactly once: one customer per row, each row naming its own.
    let customers = entity::customer::Entity::find()
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(customers as usize, N);
    let rows = entity::customer_import_row::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    let mut named: Vec<i32> = rows.iter().filter_map(|r| r.customer_id).collect();
    named.sort_unstable();
    named.dedup();
    assert_eq!(named.len(), N, "every row has its own customer");
    // Every customer's password is waiting, once (none lost to a replay).
    let passwords = entity::customer_import_credential::Entity::find()
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(passwords as usize, N);
    assert!(second.terminate().success());
}
