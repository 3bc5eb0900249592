//! Graceful shutdown with subscribers connected: every socket is closed cleanly with 1001
//! ("going away", so clients reconnect elsewhere), and the open sockets do not hold the
//! server up until its grace period runs out.

use super::EVENTS;
use e2e::Backend;
use e2e::ws::{Ended, WsClient};
use serde_json::json;
use std::time::{Duration, Instant};

/// Far longer than a clean stop takes: a stop that waits for it was held up by a socket.
const GRACE_SECONDS: u64 = 30;

async fn shutting_down_closes_sockets_with_going_away(backend: Backend) {
    let (app, mut stopper) = e2e::spawn_app_stoppable(backend, |s| {
        s.shutdown_grace_seconds = GRACE_SECONDS;
    })
    .await;
    let (_, token) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let mut subscribed = WsClient::signed_in(&app.address, &token).await;
    subscribed.subscribe("1", EVENTS, json!({})).await;
    // A socket signed in but without a subscription, and one not even signed in yet.
    let mut idle = WsClient::signed_in(&app.address, &token).await;
    let mut anonymous = WsClient::connect(&app.address).await;

    let started = Instant::now();
    stopper.stop();
    for (name, socket) in [
        ("subscribed", &mut subscribed),
        ("idle", &mut idle),
        ("anonymous", &mut anonymous),
    ] {
        let ended = socket.ended().await;
        assert!(
            matches!(ended, Ended::Closed { code: 1001, .. }),
            "the {name} socket ended with {ended:?}"
        );
    }
    let served = tokio::time::timeout(Duration::from_secs(GRACE_SECONDS), &mut stopper.served)
        .await
        .expect("the server stopped before its grace period ran out");
    served.expect("server task").expect("server ran cleanly");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "stopping took {:?}",
        started.elapsed()
    );
    // Stopped means stopped: no new connection is accepted.
    let refused = reqwest::get(format!("{}/healthz", app.address)).await;
    assert!(refused.is_err(), "still serving after shutdown");
}
both!(shutting_down_closes_sockets_with_going_away);
