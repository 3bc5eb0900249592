//! Events across processes, as in production: two API processes on one PostgreSQL database
//! and one Redis, and a separate `worker` process. An event committed by any of them
//! reaches subscribers of every API process.

use super::{EVENTS, WALKTHROUGH};
use crate::partnerships::{ACCEPT, provider_and_reseller, request};
use e2e::services::{RedisServer, WorkerProcess};
use e2e::smtp::SmtpSink;
use e2e::ws::WsClient;
use e2e::{Backend, spawn_app_with};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_reach_subscribers_of_every_api_process_and_from_the_worker() {
    let redis = RedisServer::start();
    let sink = SmtpSink::start();
    let redis_url = redis.url();
    // No embedded worker (production mode): emails wait for a `worker` process.
    let first = spawn_app_with(Backend::Postgres, |s| {
        s.redis_url = Some(redis_url.clone().into());
        s.embedded_worker = Some(false);
    })
    .await;
    let database_url = first.database_url.clone().expect("PostgreSQL");
    let second = spawn_app_with(Backend::Postgres, |s| {
        s.database_url = Some(database_url.clone().into());
        s.redis_url = Some(redis_url.clone().into());
        s.embedded_worker = Some(false);
    })
    .await;
    let (contoso, fabrikam) = provider_and_reseller(&first).await;

    // The mutation on the first process, the subscriber on the second.
    let mut on_second = WsClient::signed_in(&second.address, &contoso).await;
    on_second
        .subscribe("2", EVENTS, json!({ "types": WALKTHROUGH }))
        .await;
    let invited = request(&first, &contoso, "admin@fabrikam.test").await;
    let requested = on_second.next_event("2").await;
    assert_eq!(requested["type"], "PARTNERSHIP_INVITATION_REQUESTED");
    assert_eq!(requested["targetId"], invited.id.as_str());
    assert_eq!(requested["target"]["id"], invited.id.as_str());

    // The email is sent, and its event committed, by a separate worker process.
    let _worker = WorkerProcess::spawn(&[
        ("DATABASE_URL", database_url.clone()),
        ("REDIS_URL", redis_url.clone()),
        ("SMTP_URL", sink.url()),
        ("DATA_DIR", first.data_dir.display().to_string()),
    ]);
    let sent = on_second.next_event("2").await;
    assert_eq!(sent["type"], "EMAIL_SENT", "{sent}");
    assert_eq!(sent["targetId"], invited.id.as_str());
    assert_eq!(sink.received().len(), 1, "the email the event tells of");

    // The other way round: the mutation on the second, subscribers on both. The one on
    // the first resumes after the email's event: the first process's hub may not have
    // broadcast it yet, and a subscription without `after` would get it live.
    let mut on_first = WsClient::signed_in(&first.address, &contoso).await;
    on_first
        .subscribe(
            "1",
            EVENTS,
            json!({ "types": WALKTHROUGH, "after": sent["id"] }),
        )
        .await;
    let accepted = second
        .gql(ACCEPT, json!({ "token": invited.token }), Some(&fabrikam))
        .await;
    assert!(accepted.data()["acceptPartnershipInvitation"]["partnership"].is_object());
    let on_first_event = on_first.next_event("1").await;
    assert_eq!(on_first_event["type"], "PARTNERSHIP_INVITATION_ACCEPTED");
    let on_second_event = on_second.next_event("2").await;
    assert_eq!(on_second_event["id"], on_first_event["id"]);
}
