//! Item 5: a withdrawn email cannot come back. The provider revokes an invitation while the
//! worker is in the middle of sending its email, and that send then fails. The worker's
//! result update used to filter by id only and put a failed email back to `QUEUED`, over
//! the `CANCELLED` the revoke had written and after the revoke had scrubbed the link: the
//! relay then sent the revoked invitation again, its link reading `[redacted]`. Now the
//! result is written only under the sender's claim and only while the row is still QUEUED.
//!
//! The worker's functions are driven directly (no embedded worker), so the test decides
//! when the send starts and when the relay runs.

use crate::partnerships::{delivery, provider_and_reseller, request};
use e2e::services::eventually;
use e2e::smtp::{SmtpSink, free_port};
use e2e::{Backend, spawn_app_with};
use entity::enums::DeliveryStatus;
use sea_orm::EntityTrait;
use serde_json::json;
use std::time::Duration;
use worker::delivery::{Outcome, deliver};
use worker::mail::Mailer;

async fn revoked_while_sending_stays_cancelled(backend: Backend) {
    // The first message is held for 2 s and then refused (451): a send in flight that fails.
    let sink = SmtpSink::start_refusing(free_port(), Duration::from_secs(2), 1);
    let smtp_url = sink.url();
    let app = spawn_app_with(backend, |s| {
        s.smtp_url = Some(smtp_url.clone().into());
        s.embedded_worker = Some(false);
    })
    .await;
    let (provider, _) = provider_and_reseller(&app).await;
    let invited = request(&app, &provider, "admin@fabrikam.test").await;
    let email = entity::outbound_email::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .expect("the invitation's email");
    // Retries due at once, so a row wrongly put back to QUEUED would be taken right away.
    let settings = worker::JobSettings {
        max_attempts: 5,
        backoff_base_ms: 1,
        backoff_max_ms: 1,
        relay_after_ms: 0,
        ..Default::default()
    };
    let mailer = Mailer::smtp(&smtp_url, 1).unwrap();

    let send = {
        let (db, mailer, settings) = (app.db.clone(), mailer.clone(), settings.clone());
        tokio::spawn(async move { deliver(&db, &mailer, &settings, email.id).await })
    };
    eventually("the send in flight", Duration::from_secs(10), || async {
        (sink.started() >= 1).then_some(())
    })
    .await;
    let revoked = app
        .gql(
            "mutation($id: ID!) { revokePartnershipInvitation(input: {invitationId: $id}) {
               invitation { status } userErrors { code } } }",
            json!({ "id": invited.id }),
            Some(&provider),
        )
        .await;
    assert_eq!(
        revoked.data()["revokePartnershipInvitation"]["invitation"]["status"],
        "REVOKED"
    );
    assert_eq!(
        delivery(&app, &provider, &invited.id).await["status"],
        "CANCELLED"
    );

    // The attempt ends in failure; it must not undo the withdrawal (it used to answer
    // WillRetry and write QUEUED).
    let outcome = send.await.unwrap().unwrap();
    assert_eq!(sink.refused().len(), 1, "the in-flight attempt did fail");
    assert_eq!(outcome, Outcome::Superseded);
    let after = delivery(&app, &provider, &invited.id).await;
    assert_eq!(after["status"], "CANCELLED", "{after}");

    // The relay finds nothing to send, and a stray job for the row sends nothing.
    let queue = worker::boot::queue(None, &app.data_dir, &settings)
        .await
        .unwrap();
    let rt = super::runtime(&app, mailer.clone(), queue, settings.clone());
    for _ in 0..3 {
        assert_eq!(worker::runtime::relay_once(&rt).await.unwrap(), 0);
    }
    assert_eq!(
        deliver(&app.db, &mailer, &settings, email.id)
            .await
            .unwrap(),
        Outcome::AlreadyDone
    );

    let row = entity::outbound_email::Entity::find_by_id(email.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, DeliveryStatus::Cancelled);
    assert!(
        !row.text_body.contains(&invited.token),
        "the link is scrubbed"
    );
    assert!(sink.received().is_empty(), "nothing was delivered");
    let all = sink.received().into_iter().chain(sink.refused());
    assert!(
        all.into_iter().all(|m| !m.decoded().contains("[redacted]")),
        "no email with a scrubbed link ever reached the server"
    );
    assert_eq!(sink.started(), 1, "one attempt, never a second");
}
both!(revoked_while_sending_stays_cancelled);
