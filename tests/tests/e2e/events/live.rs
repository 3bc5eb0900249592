//! Live events over a real WebSocket client.

use super::{EVENTS, WALKTHROUGH};
use crate::partnerships::{ACCEPT, provider_and_reseller, request};
use e2e::ws::WsClient;
use e2e::{TestApp, e2e};
use serde_json::json;

async fn a_provider_sees_its_partnership_happen_live(app: TestApp) {
    let (provider, reseller) = provider_and_reseller(&app).await;
    let mut live = WsClient::signed_in(&app.address, &provider).await;
    // The walkthrough only: set-up events may still be on their way (see `WALKTHROUGH`).
    live.subscribe("1", EVENTS, json!({ "types": WALKTHROUGH }))
        .await;
    let invited = request(&app, &provider, "admin@fabrikam.test").await;
    let first = live.next_data("1").await;
    assert_eq!(
        first["data"]["events"]["type"], "PARTNERSHIP_INVITATION_REQUESTED",
        "{first}"
    );
    assert_eq!(first["data"]["events"]["target"]["id"], invited.id.as_str());
    let sent = live.next_data("1").await;
    assert_eq!(sent["data"]["events"]["type"], "EMAIL_SENT", "{sent}");
    assert_eq!(sent["data"]["events"]["targetId"], invited.id.as_str());
    let accepted = app
        .gql(ACCEPT, json!({ "token": invited.token }), Some(&reseller))
        .await;
    assert!(accepted.data()["acceptPartnershipInvitation"]["partnership"].is_object());
    let event = live.next_data("1").await;
    assert_eq!(
        event["data"]["events"]["type"], "PARTNERSHIP_INVITATION_ACCEPTED",
        "{event}"
    );
}
e2e!(a_provider_sees_its_partnership_happen_live);
