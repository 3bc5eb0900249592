//! Delivery faults, all against real servers: SMTP down then up, the last attempt failing,
//! Redis down while a provider requests, and a worker process SIGKILLed mid-batch.

use super::*;
use e2e::services::{RedisServer, WorkerProcess, eventually};
use e2e::smtp::{SmtpSink, free_port};
use e2e::{Backend, spawn_app_with};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// SMTP refuses connections: attempts and the last error are visible; once the server is
/// up the email is delivered by a later retry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_down_then_up_is_retried_with_status_visible() {
    let port = free_port();
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into());
        s.jobs.max_attempts = 50;
    })
    .await;
    let (provider, _) = provider_and_reseller(&app).await;
    let invited = request(&app, &provider, "admin@fabrikam.test").await;
    let failing = eventually("two failed attempts", WAIT, || async {
        let d = delivery(&app, &provider, &invited.id).await;
        (d["attempts"].as_i64().unwrap_or(0) >= 2).then_some(d)
    })
    .await;
    assert_eq!(failing["status"], "QUEUED");
    let error = failing["lastError"].as_str().unwrap().to_lowercase();
    assert!(
        error.contains("connect") || error.contains("refused"),
        "{error}"
    );

    let sink = SmtpSink::start_on(port, Duration::ZERO);
    let sent = eventually("delivery after SMTP is back", WAIT, || async {
        let d = delivery(&app, &provider, &invited.id).await;
        (d["status"] == "SENT").then_some(d)
    })
    .await;
    assert!(sent["attempts"].as_i64().unwrap() >= 3);
    assert_eq!(sent["lastError"], json!(null));
    let mails = sink.received();
    assert_eq!(mails.len(), 1, "delivered once");
    assert!(mails[0].decoded().contains(&invited.link));
}

/// After the last attempt the email is FAILED with its error; re-sending the invitation
/// sends a new email with a new link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_attempt_marks_failed_and_resend_recovers() {
    let port = free_port();
    let app = spawn_app_with(Backend::Postgres, |s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into());
        s.jobs.max_attempts = 2;
    })
    .await;
    let (provider, reseller) = provider_and_reseller(&app).await;
    let invited = request(&app, &provider, "admin@fabrikam.test").await;
    let failed = eventually("FAILED", WAIT, || async {
        let d = delivery(&app, &provider, &invited.id).await;
        (d["status"] == "FAILED").then_some(d)
    })
    .await;
    assert_eq!(failed["attempts"], 2);
    assert!(failed["lastError"].as_str().is_some_and(|e| !e.is_empty()));

    let sink = SmtpSink::start_on(port, Duration::ZERO);
    let resent = app
        .gql("mutation($id: ID!) { resendPartnershipInvitation(input: {invitationId: $id}) { link userErrors { code } } }", json!({ "id": invited.id }), Some(&provider))
        .await;
    let link = resent.data()["resendPartnershipInvitation"]["link"]
        .as_str()
        .unwrap()
        .to_owned();
    let mail = eventually("the re-sent email", WAIT, || async {
        sink.received().into_iter().next()
    })
    .await;
    assert!(mail.decoded().contains(&link));
    // The worker records SENT just after the SMTP exchange the sink saw.
    eventually("SENT", WAIT, || async {
        let d = delivery(&app, &provider, &invited.id).await;
        (d["status"] == "SENT").then_some(())
    })
    .await;
    let ok = app
        .gql(ACCEPT, json!({ "token": token_of(&link) }), Some(&reseller))
        .await;
    assert!(ok.data()["acceptPartnershipInvitation"]["partnership"].is_object());
}

/// Redis is down when the provider requests: the request still succeeds (the outbox row is
/// committed) and the email goes out once Redis is back, through the relay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_while_requesting_loses_nothing() {
    let mut redis = RedisServer::start();
    let sink = SmtpSink::start();
    let (redis_url, smtp_url) = (redis.url(), sink.url());
    let app = spawn_app_with(Backend::Postgres, |s| {
        s.redis_url = Some(redis_url.into());
        s.smtp_url = Some(smtp_url.into());
        s.embedded_worker = Some(true);
    })
    .await;
    let (provider, _) = provider_and_reseller(&app).await;

    redis.stop();
    let res = app
        .gql(
            REQUEST,
            json!({ "input": { "resellerEmail": "admin@fabrikam.test" } }),
            Some(&provider),
        )
        .await;
    let payload = &res.data()["requestPartnership"];
    assert_eq!(payload["userErrors"], json!([]));
    assert_eq!(payload["invitation"]["delivery"]["status"], "QUEUED");
    let link = payload["link"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        sink.received().is_empty(),
        "nothing can be delivered while Redis is down"
    );

    redis.resume(); // an empty Redis: the job pushed earlier never existed there
    let mail = eventually("the email after Redis returns", WAIT, || async {
        sink.received().into_iter().next()
    })
    .await;
    assert!(mail.decoded().contains(&link));
}

/// A worker process is SIGKILLed while it has emails in flight; another worker takes over
/// and every invitation gets its email.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_killed_mid_batch_leaves_no_invitation_without_email() {
    let redis = RedisServer::start();
    // A slow SMTP server keeps several sends in flight when the kill lands.
    let sink = SmtpSink::start_on(free_port(), Duration::from_millis(150));
    let (redis_url, smtp_url) = (redis.url(), sink.url());
    let app = spawn_app_with(Backend::Postgres, |s| {
        s.redis_url = Some(redis_url.clone().into());
        s.smtp_url = Some(smtp_url.clone().into());
        s.embedded_worker = Some(false);
    })
    .await;
    let (provider, _) = provider_and_reseller(&app).await;
    let database_url = app.database_url.clone().expect("PostgreSQL URL");
    let env = || {
        vec![
            ("DATABASE_URL", database_url.clone()),
            ("REDIS_URL", redis_url.clone()),
            ("SMTP_URL", smtp_url.clone()),
            ("JOBS__HEARTBEAT_SECONDS", "1".to_owned()),
            ("JOBS__MISSED_HEARTBEATS", "2".to_owned()),
            ("JOBS__RELAY_INTERVAL_SECONDS", "1".to_owned()),
            ("JOBS__RELAY_AFTER_MS", "3000".to_owned()),
            ("JOBS__CONCURRENCY", "4".to_owned()),
            // A send claimed by the killed worker is taken over once its claim lapses.
            ("JOBS__CLAIM_SECONDS", "3".to_owned()),
        ]
    };

    const N: usize = 30;
    let mut links = Vec::new();
    for i in 0..N {
        links.push(
            request(&app, &provider, &format!("reseller{i}@batch.test"))
                .await
                .link,
        );
    }
    // Started once the whole batch is queued, so the kill below lands mid-batch whatever
    // the machine's speed.
    let mut first = WorkerProcess::spawn(&env());
    eventually("the first emails", WAIT, || async {
        (sink.received().len() >= 3).then_some(())
    })
    .await;
    first.kill_hard();
    let delivered_before_kill = sink.received().len();
    assert!(
        delivered_before_kill < N,
        "the kill landed mid-batch ({delivered_before_kill} of {N} sent)"
    );

    let mut second = WorkerProcess::spawn(&env());
    eventually(
        "every invitation's email",
        Duration::from_secs(60),
        || async {
            let received = sink.received();
            links
                .iter()
                .all(|link| received.iter().any(|m| m.decoded().contains(link)))
                .then_some(())
        },
    )
    .await;
    // And the outbox agrees. Emails the killed worker handed to SMTP but could not mark
    // SENT are sent again once its claim lapses: at-least-once, with the same Message-ID.
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    eventually("every outbox row SENT", Duration::from_secs(60), || async {
        let unsent = entity::outbound_email::Entity::find()
            .filter(entity::outbound_email::Column::Status.ne(entity::enums::DeliveryStatus::Sent))
            .count(&app.db)
            .await
            .unwrap();
        (unsent == 0).then_some(())
    })
    .await;
    let received = sink.received();
    let mut ids: Vec<_> = received
        .iter()
        .filter_map(|m| m.header("Message-ID"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        ids.len(),
        N,
        "one distinct Message-ID per invitation, duplicates share it"
    );
    // A clean stop: SIGTERM drains and exits 0.
    assert!(second.terminate().success());
}
