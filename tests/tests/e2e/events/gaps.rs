//! Ids that never commit (rolled-back transactions) hold live events back once, not once per
//! id (issue 20, item 7): after two runs of 50 missing ids, a new event still reaches its
//! subscriber, and the hub waited once per run, as its counter on `/metrics` shows (not 100
//! times, which at the default 3 s per wait delayed an event by minutes).

use super::newest_event;
use crate::observability::{scrape, value};
use crate::partnerships::request;
use e2e::ws::WsClient;
use e2e::{Backend, TestApp, spawn_app_with};
use sea_orm::ConnectionTrait;
use serde_json::json;

const TOKEN: &str = "scrape-secret";
const SKIPPED: &str = "partner_center_event_hub_gaps_skipped_total";

async fn skipped(app: &TestApp) -> f64 {
    let m = scrape(&app.client, &format!("{}/metrics", app.address), TOKEN).await;
    value(&m, SKIPPED, &[])
}

/// Uses up `n` ids of the audit log, as `n` rolled-back transactions would.
async fn burn_ids(app: &TestApp, n: u32) {
    let sql = format!(
        "SELECT nextval(pg_get_serial_sequence('audit_entries', 'id')) \
         FROM generate_series(1, {n})"
    );
    app.db.execute_unprepared(&sql).await.unwrap();
}

/// A transaction that writes an audit entry and rolls back (what a failed mutation does).
async fn rolled_back_entry(app: &TestApp) {
    use sea_orm::TransactionTrait;
    let txn = app.db.begin().await.unwrap();
    txn.execute_unprepared(
        "INSERT INTO audit_entries (occurred_at, request_id, action, target_type, target_id, \
         summary) VALUES (now(), 'test', 'session.started', 'User', 'VXNlcjox', 'rolled back')",
    )
    .await
    .unwrap();
    txn.rollback().await.unwrap();
}

/// PostgreSQL only: SQLite hands a rolled-back id out again, so it has no gaps.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_of_missing_ids_costs_one_wait_however_long() {
    let app = spawn_app_with(Backend::Postgres, |s| {
        s.events.gap_wait_ms = 100;
        s.metrics.token = Some(TOKEN.to_owned().into());
    })
    .await;
    let (_, token) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let mut socket = WsClient::signed_in(&app.address, &token).await;
    let after = newest_event(&app).await;
    let types = json!({ "types": ["PARTNERSHIP_INVITATION_REQUESTED"], "after": after });
    socket.subscribe("1", super::EVENTS, types).await;
    let before = skipped(&app).await;

    // Two runs of 50 missing ids, with an event between them, then the event we wait for.
    rolled_back_entry(&app).await;
    burn_ids(&app, 49).await;
    let first = request(&app, &token, "one@fabrikam.test").await;
    burn_ids(&app, 49).await;
    rolled_back_entry(&app).await;
    let second = request(&app, &token, "two@fabrikam.test").await;

    assert_eq!(socket.next_event("1").await["targetId"], first.id.as_str());
    assert_eq!(socket.next_event("1").await["targetId"], second.id.as_str());
    // One wait per run (other writers may split a run in two), not one per missing id.
    let waits = skipped(&app).await - before;
    assert!((2.0..=4.0).contains(&waits), "{waits} waits for 2 runs");
}
