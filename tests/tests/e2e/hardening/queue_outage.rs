//! A Redis outage: mail-sending mutations stay fast (the push is optional), readiness tells
//! the truth about the queue's own connection, and once Redis is back the very next email
//! is enqueued at once instead of waiting for the relay.

use crate::partnerships::{provider_and_reseller, request};
use e2e::services::{RedisServer, eventually};
use e2e::smtp::SmtpSink;
use e2e::{Backend, spawn_app_with};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_outage_keeps_mutations_fast_and_recovers_by_itself() {
    let mut redis = RedisServer::start();
    let sink = SmtpSink::start();
    let (redis_url, smtp_url) = (redis.url(), sink.url());
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.redis_url = Some(redis_url.into());
        s.smtp_url = Some(smtp_url.into());
        s.embedded_worker = Some(true);
        // Only the direct push can deliver within this test: the relay waits an hour.
        s.jobs.relay_after_ms = 3_600_000;
    })
    .await;
    let (provider, _) = provider_and_reseller(&app).await;
    let readyz = || async {
        app.client
            .get(format!("{}/readyz", app.address))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(readyz().await, 200);

    redis.stop();
    assert_eq!(readyz().await, 503, "the queue's connection is down");
    // Five requests in a row: each used to wait about 3 s for the enqueue to time out.
    let started = Instant::now();
    for n in 0..5 {
        request(&app, &provider, &format!("r{n}@fabrikam.test")).await;
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "five requests took {took:?}");

    redis.resume();
    eventually("ready again", Duration::from_secs(10), || async {
        (readyz().await == 200).then_some(())
    })
    .await;
    let after = request(&app, &provider, "back@fabrikam.test").await;
    let mail = eventually(
        "the email sent right after Redis returned",
        Duration::from_secs(15),
        || async {
            sink.received()
                .into_iter()
                .find(|m| m.to.iter().any(|t| t.contains("back@fabrikam.test")))
        },
    )
    .await;
    assert!(mail.decoded().contains(&after.link));
}
