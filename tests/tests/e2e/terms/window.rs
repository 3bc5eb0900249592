//! The cancellation window at its edges, on the server's clock (moved by the test, never
//! slept through): at `cancellationWindowEndsAt` exactly a subscription can still be
//! cancelled or lose licenses; one second later both answer `CANCELLATION_WINDOW_CLOSED`,
//! while adding licenses works at any time. After a renewal the window opens again.

use super::*;
use chrono::Duration;

async fn the_window_closes_one_second_after_its_end(backend: Backend) {
    let t = Terms::spawn(backend).await;
    let app = &t.app;
    let w = world(app).await;
    let basic = offer_id(app, &w.provider, "M365-BUSINESS-BASIC").await;
    let (_, subs) = buy(
        app,
        &w,
        "window.example",
        false,
        json!([{ "offerId": basic, "quantity": 10 }, { "offerId": basic, "quantity": 10 },
               { "offerId": basic, "quantity": 10 }]),
    )
    .await;
    let ends = time(&sub(app, &w.provider, &subs[0]).await["cancellationWindowEndsAt"]);
    let p = Some(w.provider.as_str());
    let code = |res: &e2e::Gql, field: &str| res.data()[field]["userErrors"][0]["code"].clone();

    // Exactly at the end: still inside.
    t.clock.set(ends);
    let res = app.gql(QUANTITY, json!({ "id": subs[0], "q": 8 }), p).await;
    assert_eq!(
        res.data()["updateSubscriptionQuantity"]["userErrors"],
        json!([]),
        "{:?}",
        res.body
    );
    let res = app.gql(CANCEL, json!({ "id": subs[1] }), p).await;
    assert_eq!(
        res.data()["cancelSubscription"]["subscription"]["status"],
        "CANCELLED",
        "{:?}",
        res.body
    );

    // One second later: closed for fewer licenses and for cancelling, open for more.
    t.clock.set(ends + Duration::seconds(1));
    let res = app.gql(QUANTITY, json!({ "id": subs[0], "q": 7 }), p).await;
    assert_eq!(
        code(&res, "updateSubscriptionQuantity"),
        "CANCELLATION_WINDOW_CLOSED"
    );
    assert_eq!(
        res.data()["updateSubscriptionQuantity"]["userErrors"][0]["field"],
        json!(["input", "quantity"])
    );
    let res = app.gql(CANCEL, json!({ "id": subs[2] }), p).await;
    assert_eq!(
        code(&res, "cancelSubscription"),
        "CANCELLATION_WINDOW_CLOSED"
    );
    let res = app
        .gql(QUANTITY, json!({ "id": subs[0], "q": 12 }), p)
        .await;
    assert_eq!(
        res.data()["updateSubscriptionQuantity"]["subscription"]["quantity"],
        12,
        "{:?}",
        res.body
    );
    // Months later, more licenses still.
    t.clock.set(ends + Duration::days(200));
    let res = app
        .gql(QUANTITY, json!({ "id": subs[0], "q": 13 }), p)
        .await;
    assert_eq!(
        res.data()["updateSubscriptionQuantity"]["subscription"]["quantity"],
        13
    );
    // Nothing changed by the refusals.
    assert_eq!(sub(app, &w.provider, &subs[2]).await["status"], "ACTIVE");

    // A renewal opens a new window from the new term's start.
    let term_end = time(&sub(app, &w.provider, &subs[2]).await["termEndsAt"]);
    worker::terms::run(&app.db, term_end, 1_000).await.unwrap();
    let renewed = sub(app, &w.provider, &subs[2]).await;
    assert_eq!(time(&renewed["termStartedAt"]), term_end);
    let reopened = time(&renewed["cancellationWindowEndsAt"]);
    assert_eq!(reopened, term_end + Duration::days(7));
    t.clock.set(reopened + Duration::seconds(1));
    let res = app.gql(QUANTITY, json!({ "id": subs[2], "q": 9 }), p).await;
    assert_eq!(
        code(&res, "updateSubscriptionQuantity"),
        "CANCELLATION_WINDOW_CLOSED"
    );
    t.clock.set(reopened);
    let res = app.gql(QUANTITY, json!({ "id": subs[2], "q": 9 }), p).await;
    assert_eq!(
        res.data()["updateSubscriptionQuantity"]["userErrors"],
        json!([]),
        "{:?}",
        res.body
    );
}
both!(the_window_closes_one_second_after_its_end);

async fn the_window_is_a_setting(backend: Backend) {
    let clock = api::mfa::Clock::default();
    let shared = clock.clone();
    let app = e2e::spawn_app_with(backend, move |s| {
        s.clock = shared;
        s.embedded_worker = Some(false);
        s.subscriptions.cancellation_window_days = 14;
    })
    .await;
    let w = world(&app).await;
    let basic = offer_id(&app, &w.provider, "M365-BUSINESS-BASIC").await;
    let (_, subs) = buy(
        &app,
        &w,
        "window14.example",
        false,
        json!([{ "offerId": basic, "quantity": 5 }]),
    )
    .await;
    let s = sub(&app, &w.provider, &subs[0]).await;
    let ends = time(&s["cancellationWindowEndsAt"]);
    assert_eq!(ends, time(&s["termStartedAt"]) + Duration::days(14));
    clock.set(ends - Duration::days(1));
    let res = app
        .gql(CANCEL, json!({ "id": subs[0] }), Some(&w.provider))
        .await;
    assert_eq!(
        res.data()["cancelSubscription"]["subscription"]["status"],
        "CANCELLED",
        "{:?}",
        res.body
    );
}
both!(the_window_is_a_setting);
