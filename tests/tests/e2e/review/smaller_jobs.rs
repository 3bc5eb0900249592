//! Item 11, the smaller points about what happens over time:
//! (d) expiry withdraws the still-QUEUED email of an expired invitation or relationship
//!     request (it used to stay QUEUED, token and all, and go out with a dead link);
//! (e) emails sent on an organization's behalf are rate-limited per organization (there
//!     was no limit: free text from the platform's address to any address);
//! (f) retention removes long-expired sessions and blanks the bodies of emails that are
//!     done, keeping the rows (both used to be kept forever).
//!
//! The worker's jobs are driven directly: no embedded worker runs.

use super::{db_id, direct_customer, relationship_request};
use crate::customers::world;
use crate::partnerships::{REQUEST, delivery, provider_and_reseller, request};
use chrono::{Duration, Utc};
use e2e::{Backend, TestApp, spawn_app_with};
use entity::enums::DeliveryStatus;
use entity::{
    customer_relationship_request as relationship, outbound_email,
    partnership_invitation as invitation, session,
};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use worker::delivery::{Outcome, deliver};

async fn no_worker(backend: Backend) -> TestApp {
    spawn_app_with(backend, |s| s.embedded_worker = Some(false)).await
}

async fn email(app: &TestApp, id: i32) -> outbound_email::Model {
    outbound_email::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

async fn expiry_withdraws_the_unsent_email(backend: Backend) {
    let app = no_worker(backend).await;
    let w = world(&app).await;
    let invited = request(&app, &w.provider, "prospect@tailspin.test").await;
    let customer = direct_customer(&app, &w.provider, "bakery.example").await;
    let (request_id, request_token) =
        relationship_request(&app, &w.provider, &customer, &w.reseller_id).await;
    let invitation_email = invitation::Entity::find_by_id(db_id(&invited.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .outbound_email_id
        .unwrap();
    let request_email = relationship::Entity::find_by_id(db_id(&request_id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .outbound_email_id
        .unwrap();
    assert_eq!(
        email(&app, invitation_email).await.status,
        DeliveryStatus::Queued
    );

    let past = Utc::now() - Duration::hours(1);
    invitation::Entity::update_many()
        .col_expr(invitation::Column::ExpiresAt, Expr::value(past))
        .exec(&app.db)
        .await
        .unwrap();
    relationship::Entity::update_many()
        .col_expr(relationship::Column::ExpiresAt, Expr::value(past))
        .exec(&app.db)
        .await
        .unwrap();
    let expired = worker::expiry::expire_invitations(&app.db, Utc::now())
        .await
        .unwrap();
    assert_eq!(expired, 2);

    for (id, token) in [
        (invitation_email, &invited.token),
        (request_email, &request_token),
    ] {
        let row = email(&app, id).await;
        assert_eq!(row.status, DeliveryStatus::Cancelled, "email {id}");
        assert!(
            !row.text_body.contains(token.as_str()) && !row.html_body.contains(token.as_str()),
            "token scrubbed"
        );
        assert!(row.text_body.contains("[redacted]"));
        // A job still in the queue for it sends nothing.
        let files = worker::mail::Mailer::files(&app.data_dir.join("outbox")).unwrap();
        let outcome = deliver(&app.db, &files, &Default::default(), id)
            .await
            .unwrap();
        assert_eq!(outcome, Outcome::AlreadyDone);
    }
    assert_eq!(
        delivery(&app, &w.provider, &invited.id).await["status"],
        "CANCELLED"
    );
}
both!(expiry_withdraws_the_unsent_email);

async fn emails_are_rate_limited_per_organization(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.embedded_worker = Some(false);
        s.rate_limits.emails_per_organization = 2;
    })
    .await;
    let w = world(&app).await; // its invitation is a draft: not counted
    request(&app, &w.provider, "one@tailspin.test").await;
    request(&app, &w.provider, "two@tailspin.test").await;
    let third = app
        .gql(
            REQUEST,
            json!({ "input": { "resellerEmail": "three@tailspin.test" } }),
            Some(&w.provider),
        )
        .await;
    assert_eq!(third.error_code(), "RATE_LIMITED", "{}", third.body);
    assert!(
        third.body["errors"][0]["extensions"]["retryAfterSeconds"]
            .as_i64()
            .unwrap()
            > 0
    );
    // Relationship requests are emails on the organization's behalf too.
    let customer = direct_customer(&app, &w.provider, "bakery.example").await;
    let relationship = app
        .gql("mutation($c: ID!, $r: ID!) { requestCustomerResellerRelationship(input: {customerId: $c, indirectResellerId: $r}) { link } }",
            json!({ "c": customer, "r": w.reseller_id }), Some(&w.provider))
        .await;
    assert_eq!(relationship.error_code(), "RATE_LIMITED");
    // Nothing was queued for the refused ones; a draft (sent from the provider's own mail
    // app) still works.
    assert_eq!(
        outbound_email::Entity::find().count(&app.db).await.unwrap(),
        2
    );
    let draft = app
        .gql(
            REQUEST,
            json!({ "input": { "resellerEmail": "three@tailspin.test", "draftOnly": true } }),
            Some(&w.provider),
        )
        .await;
    let payload = &draft.data()["requestPartnership"];
    assert_eq!(payload["userErrors"], json!([]));
    assert!(payload["link"].is_string());
    assert_eq!(payload["invitation"]["delivery"], json!(null));
    // The limit is the organization's: another provider still sends.
    let (_, other) = app
        .active_partner("INDIRECT_PROVIDER", "Litware", "admin@litware.test")
        .await;
    request(&app, &other, "one@tailspin.test").await;
}
both!(emails_are_rate_limited_per_organization);

async fn retention_removes_old_sessions_and_email_bodies(backend: Backend) {
    let app = no_worker(backend).await;
    let (provider, _) = provider_and_reseller(&app).await;
    let stale = app.login("admin@contoso.test", "password-123").await;
    let live = app.login("admin@contoso.test", "password-123").await;
    let sent = request(&app, &provider, "one@fabrikam.test").await;
    let queued = request(&app, &provider, "two@fabrikam.test").await;
    let sent_email = invitation::Entity::find_by_id(db_id(&sent.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .outbound_email_id
        .unwrap();
    let queued_email = invitation::Entity::find_by_id(db_id(&queued.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .outbound_email_id
        .unwrap();
    let files = worker::mail::Mailer::files(&app.data_dir.join("outbox")).unwrap();
    let outcome = deliver(&app.db, &files, &Default::default(), sent_email)
        .await
        .unwrap();
    assert!(matches!(outcome, Outcome::Sent { .. }), "{outcome:?}");
    // One session expired an hour ago (sessions are stored by the SHA-256 of their token).
    use sha2::Digest;
    let stale_hash = hex::encode(sha2::Sha256::digest(stale.as_bytes()));
    session::Entity::update_many()
        .col_expr(
            session::Column::ExpiresAt,
            Expr::value(Utc::now() - Duration::hours(1)),
        )
        .filter(session::Column::TokenHash.eq(stale_hash))
        .exec(&app.db)
        .await
        .unwrap();
    let sessions_before = session::Entity::find().count(&app.db).await.unwrap();

    let queue = worker::boot::queue(None, &app.data_dir, &Default::default())
        .await
        .unwrap();
    let settings = worker::retention::RetentionSettings {
        expired_sessions_days: 0,
        email_body_days: 0,
        ..Default::default()
    };
    let cleaned = super::clean(&app, &queue, &settings).await;
    assert_eq!(cleaned.sessions, 1);
    assert_eq!(cleaned.email_bodies, 1, "only the email that is done");
    assert_eq!(
        session::Entity::find().count(&app.db).await.unwrap(),
        sessions_before - 1
    );
    let viewer = "{ viewer { user { email } } }";
    assert_eq!(
        app.gql(viewer, json!({}), Some(&stale)).await.error_code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.gql(viewer, json!({}), Some(&live)).await.data()["viewer"]["user"]["email"],
        "admin@contoso.test"
    );

    let done = email(&app, sent_email).await;
    assert_eq!((done.text_body.as_str(), done.html_body.as_str()), ("", ""));
    assert_eq!(
        done.status,
        DeliveryStatus::Sent,
        "the row and its status stay"
    );
    assert_eq!(delivery(&app, &provider, &sent.id).await["status"], "SENT");
    let waiting = email(&app, queued_email).await;
    assert!(
        waiting.text_body.contains(&queued.token),
        "a queued email keeps its body"
    );
    // A second pass finds nothing more.
    let again = super::clean(&app, &queue, &settings).await;
    assert_eq!((again.sessions, again.email_bodies), (0, 0));
}
both!(retention_removes_old_sessions_and_email_bodies);
