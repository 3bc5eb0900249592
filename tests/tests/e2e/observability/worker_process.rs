//! The worker process's own `/healthz`, `/readyz` and `/metrics` (production mode: the API
//! runs no jobs; a `worker` process sends the email).

use super::{assert_bounded_labels, scrape, value};
use crate::partnerships::{provider_and_reseller, request};
use e2e::services::{RedisServer, WorkerProcess, eventually};
use e2e::smtp::{SmtpSink, free_port};
use e2e::{Backend, spawn_app_with};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_serves_health_and_its_job_series() {
    let redis = RedisServer::start();
    let sink = SmtpSink::start();
    let redis_url = redis.url();
    let app = spawn_app_with(Backend::Postgres, |s| {
        s.redis_url = Some(redis_url.clone().into());
        s.embedded_worker = Some(false);
    })
    .await;
    let port = free_port();
    let _worker = WorkerProcess::spawn(&[
        (
            "DATABASE_URL",
            app.database_url.clone().expect("PostgreSQL"),
        ),
        ("REDIS_URL", redis_url.clone()),
        ("SMTP_URL", sink.url()),
        ("DATA_DIR", app.data_dir.display().to_string()),
        ("WORKER__HTTP_BIND", format!("127.0.0.1:{port}")),
        ("METRICS__TOKEN", "worker-scrape".to_owned()),
    ]);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    eventually("the worker's /healthz", Duration::from_secs(30), || async {
        let resp = client.get(format!("{base}/healthz")).send().await.ok()?;
        (resp.status() == 200).then_some(())
    })
    .await;
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let url = format!("{base}/metrics");
    let anonymous = client.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let wrong = client.get(&url).bearer_auth("guess").send().await.unwrap();
    assert_eq!(wrong.status(), 401);

    let (contoso, _) = provider_and_reseller(&app).await;
    request(&app, &contoso, "admin@fabrikam.test").await;
    eventually(
        "the email at the SMTP server",
        Duration::from_secs(30),
        || async { (sink.received().len() == 1).then_some(()) },
    )
    .await;
    // Counted once the worker has recorded the send (just after the server accepted it).
    let m = eventually("the email counted", Duration::from_secs(30), || async {
        let m = scrape(&client, &url, "worker-scrape").await;
        let latency = super::samples(
            &m,
            "partner_center_delivery_latency_seconds",
            &[("channel", "email")],
        );
        (!latency.is_empty()).then_some(m)
    })
    .await;
    assert!(
        value(
            &m,
            "partner_center_jobs_total",
            &[("kind", "send-email"), ("outcome", "done")]
        ) >= 1.0
    );
    assert_eq!(
        value(
            &m,
            "partner_center_delivery_latency_seconds",
            &[("channel", "email")]
        ),
        1.0,
        "one email sent"
    );
    assert_eq!(
        value(&m, "partner_center_outbox_unsent", &[("channel", "email")]),
        0.0
    );
    assert_eq!(
        value(
            &m,
            "partner_center_outbox_unsent",
            &[("channel", "webhook")]
        ),
        0.0
    );
    assert!(value(&m, "partner_center_expiry_runs_total", &[]) >= 0.0);
    assert_bounded_labels(&m);
}
