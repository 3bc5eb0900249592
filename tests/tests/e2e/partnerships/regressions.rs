//! Regressions found in review: races between resend/revoke/accept, superseded emails,
//! two invitations of one pair accepted at once, and what each party sees afterwards.

use super::*;
use e2e::services::eventually;
use e2e::smtp::{SmtpSink, free_port};
use e2e::{Backend, e2e, spawn_app_with};
use std::time::Duration;

/// Two invitations to two admins of one reseller, accepted at the same time: both succeed
/// and share the one ACTIVE partnership (no INTERNAL from the losing insert).
async fn two_invitations_of_one_pair_accepted_at_once(app: TestApp) {
    let (provider, reseller) = provider_and_reseller(&app).await;
    app.gql("mutation { addUser(input: {email: \"second@fabrikam.test\", name: \"Second\", role: ADMIN}) { userErrors { code } } }", json!({}), Some(&reseller)).await;
    let a = request(&app, &provider, "admin@fabrikam.test").await;
    let b = request(&app, &provider, "second@fabrikam.test").await;
    let (ra, rb) = tokio::join!(
        app.gql(ACCEPT, json!({ "token": a.token }), Some(&reseller)),
        app.gql(ACCEPT, json!({ "token": b.token }), Some(&reseller)),
    );
    let id_a = ra.data()["acceptPartnershipInvitation"]["partnership"]["id"].clone();
    let id_b = rb.data()["acceptPartnershipInvitation"]["partnership"]["id"].clone();
    assert!(id_a.is_string());
    assert_eq!(id_a, id_b, "one partnership for the pair");
}
e2e!(two_invitations_of_one_pair_accepted_at_once);

/// The parties of a declined invitation stay visible to each other; delivery details are
/// the provider's only.
async fn declined_invitation_shows_its_parties(app: TestApp) {
    let (provider, reseller) = provider_and_reseller(&app).await;
    let invited = request(&app, &provider, "admin@fabrikam.test").await;
    app.gql(DECLINE, json!({ "token": invited.token }), Some(&reseller))
        .await;
    let query = "query($id: ID!) { node(id: $id) { ... on PartnershipInvitation {
        status provider { companyName } respondedBy { companyName } delivery { status } } } }";
    let seen = app
        .gql(query, json!({ "id": invited.id }), Some(&provider))
        .await;
    let node = &seen.data()["node"];
    assert_eq!(node["status"], "DECLINED");
    assert_eq!(node["respondedBy"]["companyName"], "Fabrikam Solutions");
    assert!(node["delivery"].is_object());
    let theirs = app
        .gql(query, json!({ "id": invited.id }), Some(&reseller))
        .await;
    assert_eq!(
        theirs.data()["node"]["provider"]["companyName"],
        "Contoso Distribution"
    );
    assert_eq!(theirs.data()["node"]["delivery"], json!(null));
}
e2e!(declined_invitation_shows_its_parties);

/// A re-send withdraws the email still waiting in the outbox: only the new link is
/// delivered, and the withdrawn row keeps no token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resend_withdraws_the_queued_email() {
    let port = free_port();
    let app = spawn_app_with(Backend::Postgres, |s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into());
        s.jobs.max_attempts = 100;
    })
    .await;
    let (provider, _) = provider_and_reseller(&app).await;
    let first = request(&app, &provider, "admin@fabrikam.test").await;
    eventually("a failed attempt", Duration::from_secs(20), || async {
        let d = delivery(&app, &provider, &first.id).await;
        (d["attempts"].as_i64().unwrap_or(0) >= 1).then_some(())
    })
    .await;
    let resent = app
        .gql("mutation($id: ID!) { resendPartnershipInvitation(input: {invitationId: $id}) { link } }", json!({ "id": first.id }), Some(&provider))
        .await;
    let new_link = resent.data()["resendPartnershipInvitation"]["link"]
        .as_str()
        .unwrap()
        .to_owned();

    use sea_orm::{EntityTrait, QueryOrder};
    let rows = entity::outbound_email::Entity::find()
        .order_by_asc(entity::outbound_email::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].status, entity::enums::DeliveryStatus::Cancelled);
    assert!(
        rows[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("superseded")
    );
    assert!(
        !rows[0].text_body.contains(&first.token),
        "withdrawn email scrubbed"
    );

    let sink = SmtpSink::start_on(port, Duration::ZERO);
    let mail = eventually("the new email", Duration::from_secs(30), || async {
        sink.received().into_iter().next()
    })
    .await;
    assert!(mail.decoded().contains(&new_link));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        sink.received().len(),
        1,
        "the withdrawn email never goes out"
    );
}
