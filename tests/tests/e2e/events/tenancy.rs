//! Tenancy of live events: an organization subscribed at the same time as another one never
//! receives the other's events. Proved without waiting for silence: events reach every
//! subscriber in id order, so once an organization's own later event arrives first, the
//! other's earlier events were never going to come.

use super::{EVENTS, WALKTHROUGH};
use crate::partnerships::{ACCEPT, provider_and_reseller, request};
use e2e::ws::WsClient;
use e2e::{TestApp, e2e};
use serde_json::json;

async fn another_organization_receives_none_of_a_providers_events(app: TestApp) {
    let (contoso, fabrikam) = provider_and_reseller(&app).await;
    let (_, northwind) = app
        .active_partner(
            "INDIRECT_PROVIDER",
            "Northwind Traders",
            "admin@northwind.test",
        )
        .await;
    let ops = app.platform_admin_token().await;
    let mut contoso_live = WsClient::signed_in(&app.address, &contoso).await;
    // Contoso keeps to the walkthrough's types, which Northwind's events below have too.
    contoso_live
        .subscribe("c", EVENTS, json!({ "types": WALKTHROUGH }))
        .await;
    let mut northwind_live = WsClient::signed_in(&app.address, &northwind).await;
    northwind_live.subscribe("n", EVENTS, json!({})).await;
    let mut ops_live = WsClient::signed_in(&app.address, &ops).await;
    ops_live
        .subscribe("o", EVENTS, json!({ "types": WALKTHROUGH }))
        .await;

    // Contoso's walkthrough, all of it seen by Contoso.
    let invited = request(&app, &contoso, "admin@fabrikam.test").await;
    let requested = contoso_live.next_event("c").await;
    assert_eq!(requested["type"], "PARTNERSHIP_INVITATION_REQUESTED");
    assert_eq!(requested["targetId"], invited.id.as_str());
    let sent = contoso_live.next_event("c").await;
    assert_eq!(sent["type"], "EMAIL_SENT", "{sent}");
    assert_eq!(sent["targetId"], invited.id.as_str());
    let accepted = app
        .gql(ACCEPT, json!({ "token": invited.token }), Some(&fabrikam))
        .await;
    assert!(accepted.data()["acceptPartnershipInvitation"]["partnership"].is_object());
    let event = contoso_live.next_event("c").await;
    assert_eq!(event["type"], "PARTNERSHIP_INVITATION_ACCEPTED", "{event}");

    // The platform sees every organization's events, Contoso's first.
    let seen_by_ops = ops_live.next_event("o").await;
    assert_eq!(seen_by_ops["id"], requested["id"], "{seen_by_ops}");

    // Northwind now acts. It may first get its own set-up events (sign-in, approval) if
    // they were still on their way when it subscribed, but none of Contoso's three, which
    // were all committed before its own request and would have come first.
    let contoso_events = [&requested["id"], &sent["id"], &event["id"]];
    let own = request(&app, &northwind, "admin@tailspin.test").await;
    loop {
        let next = northwind_live.next_event("n").await;
        assert!(
            !contoso_events.contains(&&next["id"]) && next["targetId"] != invited.id.as_str(),
            "Northwind received an event of Contoso: {next}"
        );
        if next["type"] == "PARTNERSHIP_INVITATION_REQUESTED" {
            assert_eq!(next["targetId"], own.id.as_str(), "{next}");
            break;
        }
    }
    let own_email = northwind_live.next_event("n").await;
    assert_eq!(own_email["type"], "EMAIL_SENT");
    assert_eq!(own_email["targetId"], own.id.as_str());

    // And the other way round: Contoso's next event is its own next request, not
    // Northwind's two.
    let again = request(&app, &contoso, "admin@adatum.test").await;
    let next = contoso_live.next_event("c").await;
    assert_eq!(
        next["targetId"],
        again.id.as_str(),
        "Contoso received an event of Northwind: {next}"
    );
}
e2e!(another_organization_receives_none_of_a_providers_events);
