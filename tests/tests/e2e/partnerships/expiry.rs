//! Expiry: refused at accept time as soon as the time has passed, and turned into EXPIRED by
//! the scheduled job with one set-based update that is safe to run concurrently.

use super::*;
use chrono::Utc;
use e2e::services::eventually;
use e2e::{Backend, e2e, spawn_app_with};
use entity::partnership_invitation::{Column, Entity};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::time::Duration;

async fn age(app: &TestApp, days: i64) {
    Entity::update_many()
        .col_expr(
            Column::ExpiresAt,
            Expr::value(Utc::now() - chrono::Duration::days(days)),
        )
        .exec(&app.db)
        .await
        .unwrap();
}

async fn expired_links_are_refused_before_and_after_the_job(app: TestApp) {
    let (provider, reseller) = provider_and_reseller(&app).await;
    let stale = request(&app, &provider, "admin@fabrikam.test").await;
    age(&app, 1).await;

    // The job has not run: the row still says PENDING, but nobody can use it.
    let row = Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!(row.status, entity::enums::InvitationStatus::Pending);
    let res = app
        .gql(ACCEPT, json!({ "token": stale.token }), Some(&reseller))
        .await;
    assert_eq!(
        user_error(&res, "acceptPartnershipInvitation"),
        "INVITATION_EXPIRED"
    );
    let preview = app
        .gql(
            "query($t: String!) { invitationByToken(token: $t) { status } }",
            json!({ "t": stale.token }),
            None,
        )
        .await;
    assert_eq!(preview.data()["invitationByToken"]["status"], "EXPIRED");

    // Several workers run the job at once: each row changes exactly once.
    let fresh = request(&app, &provider, "other@fabrikam.test").await;
    let now = Utc::now();
    let runs =
        futures::future::join_all((0..4).map(|_| worker::expiry::expire_invitations(&app.db, now)))
            .await;
    let total: u64 = runs.into_iter().map(Result::unwrap).sum();
    assert_eq!(total, 1, "only the stale one, once");
    let expired = Entity::find()
        .filter(Column::Status.eq(entity::enums::InvitationStatus::Expired))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(expired.len(), 1);
    let ok = app
        .gql(ACCEPT, json!({ "token": fresh.token }), Some(&reseller))
        .await;
    assert!(ok.data()["acceptPartnershipInvitation"]["partnership"].is_object());

    // An expired invitation can be re-sent: new link, PENDING again.
    let resent = app
        .gql("mutation($id: ID!) { resendPartnershipInvitation(input: {invitationId: $id}) { invitation { status } userErrors { code } } }", json!({ "id": stale.id }), Some(&provider))
        .await;
    assert_eq!(
        resent.data()["resendPartnershipInvitation"]["invitation"]["status"],
        "PENDING"
    );
}
e2e!(expired_links_are_refused_before_and_after_the_job);

/// The scheduled job itself (apalis-cron in the in-process worker) expires a stale row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schedule_expires_invitations_left_alone() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.jobs.expiry_interval_seconds = 1).await;
    let (provider, _) = provider_and_reseller(&app).await;
    request(&app, &provider, "admin@fabrikam.test").await;
    age(&app, 1).await;
    eventually("the expiry job", Duration::from_secs(15), || async {
        let row = Entity::find().one(&app.db).await.unwrap()?;
        (row.status == entity::enums::InvitationStatus::Expired).then_some(())
    })
    .await;
    let list = app
        .gql(
            "{ partnershipInvitations(first: 5, filter: {status: EXPIRED}) { totalCount } }",
            json!({}),
            Some(&provider),
        )
        .await;
    assert_eq!(list.data()["partnershipInvitations"]["totalCount"], 1);
}

/// Many due rows at once (on PostgreSQL they are split into id ranges expired in parallel):
/// every one expires once, with exactly one audit entry, and a fresh one is left alone.
async fn a_batch_of_stale_invitations_expires_once_each(app: TestApp) {
    let (provider, _) = provider_and_reseller(&app).await;
    for i in 0..7 {
        request(&app, &provider, &format!("prospect{i}@fabrikam.test")).await;
    }
    age(&app, 1).await;
    request(&app, &provider, "fresh@fabrikam.test").await;
    let now = Utc::now();
    let runs =
        futures::future::join_all((0..3).map(|_| worker::expiry::expire_invitations(&app.db, now)))
            .await;
    let total: u64 = runs.into_iter().map(Result::unwrap).sum();
    assert_eq!(total, 7);
    let expired = Entity::find()
        .filter(Column::Status.eq(entity::enums::InvitationStatus::Expired))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(expired.len(), 7);
    let entries = entity::audit_entry::Entity::find()
        .filter(entity::audit_entry::Column::Action.eq("partnership_invitation.expired"))
        .all(&app.db)
        .await
        .unwrap();
    let mut targets: Vec<String> = entries.iter().map(|e| e.target_id.clone()).collect();
    targets.sort();
    let mut expected: Vec<String> = expired
        .iter()
        .map(|i| entity::audit_entry::global_id("PartnershipInvitation", i.id))
        .collect();
    expected.sort();
    assert_eq!(
        targets, expected,
        "one entry per expired invitation, by its global id"
    );
}
e2e!(a_batch_of_stale_invitations_expires_once_each);
