//! A socket lives only as long as its session: it closes with 4401 when its token is signed
//! out or its user removed, at once (the periodic check runs only every minute by default,
//! longer than these tests wait), and only the sockets of that session or user close.

use super::EVENTS;
use crate::partnerships::request;
use crate::review::first_sign_in;
use e2e::ws::{Ended, WsClient};
use e2e::{TestApp, e2e};
use serde_json::json;

fn closed_with(ended: &Ended) -> Option<u16> {
    match ended {
        Ended::Closed { code, .. } => Some(*code),
        Ended::Dropped => None,
    }
}

async fn signing_out_closes_the_sockets_of_that_session_only(app: TestApp) {
    let (_, first_token) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let second_token = app.login("admin@contoso.test", "password-123").await;
    let mut first = WsClient::signed_in(&app.address, &first_token).await;
    first.subscribe("1", EVENTS, json!({})).await;
    let mut second = WsClient::signed_in(&app.address, &second_token).await;
    let types = json!({ "types": ["SESSION_ENDED", "PARTNERSHIP_INVITATION_REQUESTED"] });
    second.subscribe("2", EVENTS, types).await;

    let out = app
        .gql(
            "mutation { logout { success userErrors { code } } }",
            json!({}),
            Some(&first_token),
        )
        .await;
    assert_eq!(out.data()["logout"]["success"], true);
    let ended = first.ended().await;
    assert_eq!(closed_with(&ended), Some(4401), "{ended:?}");

    // The same user's other session keeps its socket, and it still gets events (its own
    // SESSION_ENDED is not its session's end).
    let ended_event = second.next_event("2").await;
    assert_eq!(ended_event["type"], "SESSION_ENDED", "{ended_event}");
    let invited = request(&app, &second_token, "admin@fabrikam.test").await;
    let next = second.next_event("2").await;
    assert_eq!(next["targetId"], invited.id.as_str(), "{next}");
    // The signed-out token cannot open a new socket.
    assert!(
        WsClient::try_sign_in(&app.address, &first_token)
            .await
            .is_err()
    );
}
e2e!(signing_out_closes_the_sockets_of_that_session_only);

async fn removing_a_user_closes_its_sockets(app: TestApp) {
    let (_, admin) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let added = app
        .gql(
            "mutation { addUser(input: {email: \"sam@contoso.test\", name: \"Sam\", role: SALES_AGENT}) {
               user { id } temporaryPassword userErrors { code } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let payload = &added.data()["addUser"];
    let sam_id = payload["user"]["id"].as_str().unwrap().to_owned();
    let temporary = payload["temporaryPassword"].as_str().unwrap();
    let sam = first_sign_in(&app, "sam@contoso.test", temporary, "sams-own-password").await;
    let mut sams = WsClient::signed_in(&app.address, &sam).await;
    sams.subscribe("s", EVENTS, json!({})).await;
    let mut admins = WsClient::signed_in(&app.address, &admin).await;
    admins
        .subscribe("a", EVENTS, json!({ "types": ["USER_REMOVED"] }))
        .await;

    let removed = app
        .gql(
            "mutation($id: ID!) { removeUser(input: {userId: $id}) { removedUserId userErrors { code } } }",
            json!({ "id": sam_id }),
            Some(&admin),
        )
        .await;
    assert_eq!(
        removed.data()["removeUser"]["removedUserId"],
        sam_id.as_str()
    );
    let ended = sams.ended().await;
    assert_eq!(closed_with(&ended), Some(4401), "{ended:?}");
    // The ADMIN who removed Sam keeps listening, and sees the removal.
    let event = admins.next_event("a").await;
    assert_eq!(event["type"], "USER_REMOVED", "{event}");
    assert_eq!(event["targetId"], sam_id.as_str());
    assert!(WsClient::try_sign_in(&app.address, &sam).await.is_err());
}
e2e!(removing_a_user_closes_its_sockets);
