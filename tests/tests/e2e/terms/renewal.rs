//! The worker at a term's end: a renewing subscription gets its next term and one RENEWAL
//! line at the prices in force at the new term's start (a later price list version is not
//! used, the original line never moves); one that does not renew is CANCELLED. Several
//! workers at once renew and end each term exactly once.

use super::*;
use crate::price_lists::{assign, create_list, set_price};
use chrono::{Duration, Utc};

async fn renewal_is_priced_when_the_new_term_starts(backend: Backend) {
    let t = Terms::spawn(backend).await;
    let app = &t.app;
    let w = world(app).await;
    let p = w.provider.as_str();
    let basic = offer_id(app, p, "M365-BUSINESS-BASIC").await;
    let list = create_list(app, p, "Fabrikam", false).await;
    assign(app, p, &list, &[&w.reseller_id]).await;
    set_price(
        app,
        p,
        json!({ "priceListId": list, "offerId": basic, "markupPercent": "-12" }),
    )
    .await;
    let (_, subs) = buy(
        app,
        &w,
        "renewal.example",
        true,
        json!([{ "offerId": basic, "quantity": 10 }]),
    )
    .await;
    let id = &subs[0];
    assert_eq!(lines(app, id, "NEW").await, [(Some(600), Some(528))]);

    // A new version now, another one later: the renewal at T0 + 10 s takes the first.
    let changed = set_price(
        app,
        p,
        json!({ "priceListId": list, "offerId": basic, "markupPercent": "-50" }),
    )
    .await;
    assert_eq!(changed["userErrors"], json!([]), "{changed}");
    let t0 = Utc::now();
    let later = (t0 + Duration::hours(1)).to_rfc3339();
    set_price(app, p, json!({ "priceListId": list, "offerId": basic, "markupPercent": "-25", "effectiveFrom": later })).await;
    let old_end = api::terms::service::whole_millis(t0 + Duration::seconds(10));
    set_term_end(app, id, old_end).await;

    let pass = worker::terms::run(&app.db, t0 + Duration::minutes(1), 1_000)
        .await
        .unwrap();
    assert_eq!(pass.renewed, 1);
    assert_eq!(lines(app, id, "RENEWAL").await, [(Some(600), Some(300))]);
    // The purchase's line did not move.
    assert_eq!(lines(app, id, "NEW").await, [(Some(600), Some(528))]);
    let s = sub(app, p, id).await;
    assert_eq!(s["status"], "ACTIVE");
    assert_eq!(time(&s["termStartedAt"]), old_end);
    assert_eq!(
        time(&s["termEndsAt"]),
        old_end.checked_add_months(chrono::Months::new(12)).unwrap()
    );
    assert_eq!(events(app, "subscription.renewed", id).await, 1);
    // The renewal order is on the reseller's behalf, visible to both parties as an event.
    for token in [p, w.reseller.as_str()] {
        let res = app
            .gql("{ auditLog(first: 5, filter: {action: \"subscription.renewed\"}) { edges { node { action summary } } } }", json!({}), Some(token))
            .await;
        let edges = res.data()["auditLog"]["edges"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(edges.len(), 1, "{:?}", res.body);
    }

    // Passes after that change nothing until the next term ends.
    let again = worker::terms::run(&app.db, t0 + Duration::minutes(2), 1_000)
        .await
        .unwrap();
    assert_eq!((again.renewed, again.expired), (0, 0));
    assert_eq!(lines(app, id, "RENEWAL").await.len(), 1);
}
both!(renewal_is_priced_when_the_new_term_starts);

async fn a_term_without_renewal_ends_cancelled(backend: Backend) {
    let t = Terms::spawn(backend).await;
    let app = &t.app;
    let w = world(app).await;
    let p = w.provider.as_str();
    let basic = offer_id(app, p, "M365-BUSINESS-BASIC").await;
    let (_, subs) = buy(
        app,
        &w,
        "ending.example",
        true,
        json!([{ "offerId": basic, "quantity": 3, "partnerOfRecordId": w.reseller_id },
               { "offerId": basic, "quantity": 3 }, { "offerId": basic, "quantity": 3 }]),
    )
    .await;
    let res = app
        .gql(AUTO_RENEW, json!({ "id": subs[0], "on": false }), Some(p))
        .await;
    assert_eq!(
        res.data()["setSubscriptionAutoRenew"]["userErrors"],
        json!([])
    );
    // A suspended subscription does not renew either.
    app.gql("mutation($id: ID!) { suspendSubscription(input: {subscriptionId: $id}) { userErrors { code } } }", json!({ "id": subs[1] }), Some(p)).await;
    let now = Utc::now();
    for id in &subs {
        set_term_end(app, id, now - Duration::minutes(1)).await;
    }
    let pass = worker::terms::run(&app.db, now, 1_000).await.unwrap();
    assert_eq!((pass.expired, pass.renewed), (2, 1));
    let ended = sub(app, p, &subs[0]).await;
    assert_eq!(ended["status"], "CANCELLED");
    assert!(ended["partnerOfRecord"].is_null(), "{ended}");
    assert_eq!(sub(app, p, &subs[1]).await["status"], "CANCELLED");
    assert_eq!(sub(app, p, &subs[2]).await["status"], "ACTIVE");
    assert_eq!(events(app, "subscription.expired", &subs[0]).await, 1);
    assert_eq!(events(app, "subscription.expired", &subs[1]).await, 1);
    assert!(lines(app, &subs[0], "RENEWAL").await.is_empty());
    let again = worker::terms::run(&app.db, now, 1_000).await.unwrap();
    assert_eq!((again.expired, again.renewed), (0, 0));
    assert_eq!(events(app, "subscription.expired", &subs[0]).await, 1);
}
both!(a_term_without_renewal_ends_cancelled);

async fn several_workers_renew_and_end_each_term_once(backend: Backend) {
    let t = Terms::spawn(backend).await;
    let app = &t.app;
    let w = world(app).await;
    let p = w.provider.as_str();
    let basic = offer_id(app, p, "M365-BUSINESS-BASIC").await;
    let many: Vec<Value> = (0..24)
        .map(|i| {
            let term = if i % 2 == 0 { "P1Y" } else { "P1M" };
            json!({ "offerId": basic, "quantity": 1 + i, "term": term })
        })
        .collect();
    let (_, subs) = buy(app, &w, "several.example", true, json!(many)).await;
    let now = Utc::now();
    for (i, id) in subs.iter().enumerate() {
        if i % 6 == 5 {
            app.gql(AUTO_RENEW, json!({ "id": id, "on": false }), Some(p))
                .await;
        }
        set_term_end(app, id, now - Duration::minutes(5)).await;
    }
    // One monthly subscription whose worker stood still for three terms renews three
    // times, one line per term.
    let behind = &subs[1];
    set_term_end(app, behind, now - Duration::days(70)).await;

    let runs =
        futures::future::join_all((0..4).map(|_| worker::terms::run(&app.db, now, 1_000))).await;
    let (renewed, expired): (u64, u64) = runs
        .into_iter()
        .map(Result::unwrap)
        .fold((0, 0), |(r, e), pass| (r + pass.renewed, e + pass.expired));
    assert_eq!(expired, 4, "four with automatic renewal off");
    assert_eq!(
        renewed,
        20 - 1 + 3,
        "nineteen once, the late one three times"
    );
    for (i, id) in subs.iter().enumerate() {
        let (renewals, ended) = (lines(app, id, "RENEWAL").await.len(), i % 6 == 5);
        let expected = if ended {
            0
        } else if id == behind {
            3
        } else {
            1
        };
        assert_eq!(renewals, expected, "subscription {i}");
        assert_eq!(
            events(app, "subscription.renewed", id).await,
            expected as u64,
            "{i}"
        );
        assert_eq!(
            events(app, "subscription.expired", id).await,
            u64::from(ended),
            "{i}"
        );
    }
    let s = sub(app, p, behind).await;
    assert!(time(&s["termEndsAt"]) > now, "{s}");
}
both!(several_workers_renew_and_end_each_term_once);
