//! Resuming a subscription with `after`: the events missed while disconnected are replayed
//! exactly, in order, then live events follow with no duplicate; `types` filters both the
//! replay and the live part. A second connection that never went away is the witness of
//! what was missed.

use super::{EVENTS, WALKTHROUGH};
use crate::partnerships::{ACCEPT, provider_and_reseller, request};
use e2e::ws::WsClient;
use e2e::{TestApp, e2e};
use serde_json::{Value, json};

/// The ids of events, to compare sequences.
fn ids(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn resuming_after_the_last_event_replays_exactly_what_was_missed(app: TestApp) {
    let (contoso, fabrikam) = provider_and_reseller(&app).await;
    let mut witness = WsClient::signed_in(&app.address, &contoso).await;
    witness
        .subscribe("w", EVENTS, json!({ "types": WALKTHROUGH }))
        .await;
    let mut live = WsClient::signed_in(&app.address, &contoso).await;
    live.subscribe("1", EVENTS, json!({ "types": WALKTHROUGH }))
        .await;

    let first = request(&app, &contoso, "admin@fabrikam.test").await;
    let received = live.next_event("1").await;
    assert_eq!(received["type"], "PARTNERSHIP_INVITATION_REQUESTED");
    assert_eq!(received["targetId"], first.id.as_str());
    let last_id = received["id"].as_str().unwrap().to_owned();
    live.close().await;

    // While disconnected: the first email goes out, a second request and its email, and
    // then (once the emails are out: an accepted invitation's email is not sent any more)
    // the reseller accepts the first invitation. The witness sees all five, in id order.
    let second = request(&app, &contoso, "admin@adatum.test").await;
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(witness.next_event("w").await);
    }
    let accepted = app
        .gql(ACCEPT, json!({ "token": first.token }), Some(&fabrikam))
        .await;
    assert!(accepted.data()["acceptPartnershipInvitation"]["partnership"].is_object());
    seen.push(witness.next_event("w").await);
    assert_eq!(seen[0]["id"], last_id.as_str());
    let mut kinds: Vec<(String, String)> = seen
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap().into(),
                e["targetId"].as_str().unwrap().into(),
            )
        })
        .collect();
    kinds.sort();
    let mut expected = vec![
        ("EMAIL_SENT".to_owned(), first.id.clone()),
        ("EMAIL_SENT".to_owned(), second.id.clone()),
        (
            "PARTNERSHIP_INVITATION_ACCEPTED".to_owned(),
            first.id.clone(),
        ),
        (
            "PARTNERSHIP_INVITATION_REQUESTED".to_owned(),
            first.id.clone(),
        ),
        (
            "PARTNERSHIP_INVITATION_REQUESTED".to_owned(),
            second.id.clone(),
        ),
    ];
    expected.sort();
    assert_eq!(kinds, expected, "the witness saw: {seen:?}");
    let missed = &seen[1..];

    // Resume: exactly the four missed events, in the same order, same content.
    let mut resumed = WsClient::signed_in(&app.address, &contoso).await;
    resumed
        .subscribe(
            "2",
            EVENTS,
            json!({ "after": last_id, "types": WALKTHROUGH }),
        )
        .await;
    let mut replayed = Vec::new();
    for _ in 0..missed.len() {
        replayed.push(resumed.next_event("2").await);
    }
    assert_eq!(ids(&replayed), ids(missed));
    // The same events (`target` is resolved when sent, so it may have changed since).
    let stored = |e: &Value| json!([e["id"], e["type"], e["targetId"], e["summary"]]);
    assert_eq!(
        replayed.iter().map(stored).collect::<Vec<_>>(),
        missed.iter().map(stored).collect::<Vec<_>>()
    );

    // Filtered resume from the same point: only the emails, then live emails only.
    let mut emails = WsClient::signed_in(&app.address, &contoso).await;
    emails
        .subscribe(
            "3",
            EVENTS,
            json!({ "after": last_id, "types": ["EMAIL_SENT"] }),
        )
        .await;
    let missed_emails: Vec<Value> = missed
        .iter()
        .filter(|e| e["type"] == "EMAIL_SENT")
        .cloned()
        .collect();
    let mut replayed_emails = Vec::new();
    for _ in 0..missed_emails.len() {
        replayed_emails.push(emails.next_event("3").await);
    }
    assert_eq!(ids(&replayed_emails), ids(&missed_emails));

    // Live again: the next event of the resumed stream is the new request, not a replayed
    // one twice; the filtered stream's next is the new email.
    let third = request(&app, &contoso, "admin@tailspin.test").await;
    let next = resumed.next_event("2").await;
    assert_eq!(next["type"], "PARTNERSHIP_INVITATION_REQUESTED", "{next}");
    assert_eq!(next["targetId"], third.id.as_str(), "{next}");
    let after_it = resumed.next_event("2").await;
    assert_eq!(after_it["type"], "EMAIL_SENT");
    assert_eq!(after_it["targetId"], third.id.as_str());
    let next_email = emails.next_event("3").await;
    assert_eq!(next_email["type"], "EMAIL_SENT", "{next_email}");
    assert_eq!(next_email["targetId"], third.id.as_str(), "{next_email}");
    // The witness agrees on the live part too.
    assert_eq!(witness.next_event("w").await["id"], next["id"]);
    assert_eq!(witness.next_event("w").await["id"], after_it["id"]);
}
e2e!(resuming_after_the_last_event_replays_exactly_what_was_missed);

/// `types` alone keeps only those types, live.
async fn types_keep_only_the_chosen_events(app: TestApp) {
    let (contoso, fabrikam) = provider_and_reseller(&app).await;
    let mut live = WsClient::signed_in(&app.address, &contoso).await;
    live.subscribe(
        "accepted",
        EVENTS,
        json!({ "types": ["PARTNERSHIP_INVITATION_ACCEPTED", "PARTNERSHIP_INVITATION_DECLINED"] }),
    )
    .await;
    let invited = request(&app, &contoso, "admin@fabrikam.test").await;
    let accepted = app
        .gql(ACCEPT, json!({ "token": invited.token }), Some(&fabrikam))
        .await;
    assert!(accepted.data()["acceptPartnershipInvitation"]["partnership"].is_object());
    // The request and its email came first, and were left out.
    let event = live.next_event("accepted").await;
    assert_eq!(event["type"], "PARTNERSHIP_INVITATION_ACCEPTED", "{event}");
    assert_eq!(event["targetId"], invited.id.as_str());
    assert_eq!(event["target"]["status"], "ACCEPTED", "{event}");
}
e2e!(types_keep_only_the_chosen_events);
