//! The README's walkthrough on the demo data: Tailspin's price list, the order placed on
//! Wide World Importers' behalf with both prices recorded, and its renewal by the worker
//! ten minutes after seeding, at Tailspin's price.

use super::*;
use chrono::{Duration, Utc};

async fn the_demo_renews_at_the_resellers_price(backend: Backend) {
    let t = Terms::spawn(backend).await;
    let app = &t.app;
    api::demo::seed(&app.db).await.unwrap();
    api::demo::seed(&app.db).await.unwrap();
    let provider = app.login("provider@demo.test", api::demo::PASSWORD).await;
    let res = app
        .gql("{ customers(first: 10, filter: {search: \"Wide World\"}) { nodes { subscriptions { id term autoRenew termEndsAt offer { sku } } } } }", json!({}), Some(&provider))
        .await;
    let subs = res.data()["customers"]["nodes"][0]["subscriptions"]
        .as_array()
        .unwrap_or_else(|| panic!("{:?}", res.body))
        .clone();
    let monthly = subs
        .iter()
        .find(|s| s["term"] == "P1M")
        .unwrap_or_else(|| panic!("{subs:?}"));
    let id = monthly["id"].as_str().unwrap();
    assert_eq!(lines(app, id, "NEW").await, [(Some(600), Some(528))]);
    let ends = time(&monthly["termEndsAt"]);
    assert!(ends > Utc::now() && ends <= Utc::now() + Duration::minutes(10));
    let pass = worker::terms::run(&app.db, ends, 1_000).await.unwrap();
    assert_eq!(pass.renewed, 1);
    assert_eq!(lines(app, id, "RENEWAL").await, [(Some(600), Some(528))]);
    assert_eq!(events(app, "subscription.renewed", id).await, 1);
}
both!(the_demo_renews_at_the_resellers_price);
