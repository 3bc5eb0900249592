//! A `worker` process SIGKILLed while webhook requests are in flight loses nothing: its
//! claims lapse, another worker sends those deliveries again (as the same messages, same
//! `webhook-id`), and every delivery ends DELIVERED.

use super::{WAIT, create_endpoint, deliveries, fast_webhooks};
use crate::partnerships::request;
use e2e::receiver::Receiver;
use e2e::services::{RedisServer, WorkerProcess, eventually};
use e2e::{Backend, spawn_app_with};
use std::collections::BTreeSet;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_delivery_loses_nothing() {
    let redis = RedisServer::start();
    let redis_url = redis.url();
    // Production mode: only `worker` processes deliver.
    let app = spawn_app_with(Backend::Postgres, |s| {
        s.redis_url = Some(redis_url.clone().into());
        s.embedded_worker = Some(false);
        fast_webhooks(&mut s.webhooks);
    })
    .await;
    let (_, admin) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    // A slow receiver keeps several requests in flight when the kill lands.
    let receiver = Receiver::start().await;
    receiver.delay(Duration::from_millis(400));
    let (endpoint_id, secret) = create_endpoint(
        &app,
        &admin,
        &receiver.url(),
        &["PARTNERSHIP_INVITATION_REQUESTED"],
    )
    .await;
    const N: usize = 20;
    for i in 0..N {
        request(&app, &admin, &format!("reseller{i}@batch.test")).await;
    }
    assert_eq!(deliveries(&app, &admin, &endpoint_id).await.len(), N);

    let database_url = app.database_url.clone().expect("PostgreSQL URL");
    let data_dir = app.data_dir.display().to_string();
    let env = || {
        vec![
            ("DATABASE_URL", database_url.clone()),
            ("REDIS_URL", redis_url.clone()),
            // Where its (unused here) file mailer would write: not the test's directory.
            ("DATA_DIR", data_dir.clone()),
            ("WEBHOOKS__ALLOW_INSECURE_TARGETS", "true".to_owned()),
            ("WEBHOOKS__CONCURRENCY", "4".to_owned()),
            ("WEBHOOKS__POLL_INTERVAL_MS", "50".to_owned()),
            ("WEBHOOKS__BACKOFF_BASE_MS", "50".to_owned()),
            // A delivery claimed by the killed worker is taken over once its claim lapses.
            ("WEBHOOKS__CLAIM_SECONDS", "2".to_owned()),
        ]
    };
    let mut first = WorkerProcess::spawn(&env());
    // Killed once requests are in flight and before the batch is through.
    eventually("requests in flight", WAIT, || async {
        let arrived = receiver.requests().len();
        (arrived >= 3 && arrived > receiver.answered()).then_some(())
    })
    .await;
    first.kill_hard();
    let answered_before_kill = receiver.answered();
    assert!(
        answered_before_kill < N,
        "the kill landed mid-batch ({answered_before_kill} of {N} answered)"
    );
    let in_flight: BTreeSet<String> = receiver
        .unanswered()
        .iter()
        .map(|r| r.webhook_id().to_owned())
        .collect();
    assert!(!in_flight.is_empty(), "requests were in flight at the kill");

    let mut second = WorkerProcess::spawn(&env());
    let log = eventually(
        "every delivery DELIVERED",
        Duration::from_secs(60),
        || async {
            let log = deliveries(&app, &admin, &endpoint_id).await;
            log.iter()
                .all(|d| d["status"] == "DELIVERED")
                .then_some(log)
        },
    )
    .await;
    assert_eq!(log.len(), N);
    // Every delivery's message reached the receiver, correctly signed; the requests cut off
    // by the kill were sent again as the same messages.
    let requests = receiver.requests();
    let received: BTreeSet<String> = requests.iter().map(|r| r.webhook_id().to_owned()).collect();
    let logged: BTreeSet<String> = log
        .iter()
        .map(|d| d["messageId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(received, logged, "one message id per delivery");
    assert!(requests.iter().all(|r| r.signed_with(&secret)));
    for id in &in_flight {
        assert!(
            requests.iter().filter(|r| r.webhook_id() == id).count() >= 2,
            "{id} was in flight at the kill and sent again"
        );
    }
    assert!(second.terminate().success(), "a clean stop after SIGTERM");
}
