//! Upgrades under concurrency (issue 11, items 3 and 4): many upgrades at once do not stall
//! the connection pool, and a partner-of-record change racing an upgrade of the same
//! subscription is either refused or carried to the upgraded subscription.

use crate::customers::{CREATE, customer_input, fourth_coffee, offer_id, world};
use e2e::{Backend, TestApp, e2e, spawn_app};
use serde_json::json;

const UPGRADE: &str = "mutation($id: ID!, $o: ID!) { upgradeSubscription(input: {subscriptionId: $id, targetOfferId: $o}) {
  subscription { id status offer { sku } partnerOfRecord { id } } userErrors { code } } }";
const SET_POR: &str = "mutation($id: ID!, $r: ID) { setSubscriptionPartnerOfRecord(input: {subscriptionId: $id, partnerOfRecordId: $r}) {
  subscription { partnerOfRecord { id } } userErrors { code } } }";
const SUBSCRIPTION: &str = "query($id: ID!) { node(id: $id) { ... on Subscription { status offer { sku } partnerOfRecord { id } } } }";

/// Upgrades all `subs` to `sku` at once; returns the new subscriptions' ids.
async fn upgrade_all(app: &TestApp, token: &str, subs: &[String], sku: &str) -> Vec<String> {
    let target = offer_id(app, token, sku).await;
    let started = std::time::Instant::now();
    let results = futures::future::join_all(
        subs.iter()
            .map(|id| app.gql(UPGRADE, json!({ "id": id, "o": target }), Some(token))),
    )
    .await;
    let mut upgraded = Vec::new();
    for (res, id) in results.iter().zip(subs) {
        let errors = &res.body["errors"];
        assert!(
            errors.as_array().is_none_or(|e| e.is_empty()),
            "upgrade of {id} to {sku} failed after {:?}: {errors}",
            started.elapsed()
        );
        let payload = &res.data()["upgradeSubscription"];
        assert_eq!(payload["userErrors"], json!([]), "{id}");
        assert_eq!(payload["subscription"]["offer"]["sku"], sku);
        upgraded.push(payload["subscription"]["id"].as_str().unwrap().to_owned());
    }
    upgraded
}

/// Before the fix `upgradeSubscription` opened a transaction, shadowed it with a second one
/// and kept both: each upgrade held two pooled connections, so as many concurrent upgrades
/// as the pool has connections (20 per app on PostgreSQL) each held one and waited for a
/// second until the 10 s acquire timeout, and answered INTERNAL. Now one transaction, one
/// connection: 25 upgrades at once all succeed, twice in a row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_upgrades_do_not_stall_the_pool() {
    let app = spawn_app(Backend::Postgres).await;
    let w = world(&app).await;
    let basic = offer_id(&app, &w.provider, "M365-BUSINESS-BASIC").await;
    let lines: Vec<_> = (0..25)
        .map(|_| json!({ "offerId": basic, "quantity": 2 }))
        .collect();
    let res = app
        .gql(CREATE, json!({ "input": customer_input("pool.example", Some(&w.reseller_id), json!(lines), "pool") }), Some(&w.provider))
        .await;
    let subs: Vec<String> = res.data()["createCustomer"]["customer"]["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(subs.len(), 25);

    // The provider, then the delegated reseller: two rounds of 25 at once.
    let standard = upgrade_all(&app, &w.provider, &subs, "M365-BUSINESS-STANDARD").await;
    let premium = upgrade_all(&app, &w.reseller, &standard, "M365-BUSINESS-PREMIUM").await;
    let customer_id = res.data()["createCustomer"]["customer"]["id"].clone();
    let after = app
        .gql("query($id: ID!) { node(id: $id) { ... on Customer { subscriptions { id status offer { sku } } } } }", json!({ "id": customer_id }), Some(&w.provider))
        .await;
    let subscriptions = after.data()["node"]["subscriptions"]
        .as_array()
        .unwrap()
        .clone();
    let live: Vec<_> = subscriptions
        .iter()
        .filter(|s| s["status"] == "ACTIVE")
        .collect();
    assert_eq!(live.len(), 25, "{subscriptions:?}");
    assert!(
        live.iter()
            .all(|s| s["offer"]["sku"] == "M365-BUSINESS-PREMIUM"
                && premium.contains(&s["id"].as_str().unwrap().to_owned()))
    );
    assert_eq!(
        subscriptions.len(),
        75,
        "each upgrade cancelled its source once"
    );
}

/// Before the fix the partner of record was written to the subscription row read before
/// the check, outside any lock: when an upgrade copied the old partner of record to the new
/// subscription and cancelled the source in between, the change landed on the cancelled
/// source, answered success and was audited, and the live subscription never got it. Now
/// both lock the subscription: the change comes first (and the upgrade carries it) or it
/// finds the subscription cancelled and says INVALID_STATE.
async fn partner_of_record_change_is_not_lost_to_an_upgrade(app: TestApp) {
    let w = world(&app).await;
    let created = fourth_coffee(&app, &w).await;
    let customer_id = created["customer"]["id"].as_str().unwrap().to_owned();
    let basic = offer_id(&app, &w.provider, "M365-BUSINESS-BASIC").await;
    let premium = offer_id(&app, &w.provider, "M365-BUSINESS-PREMIUM").await;
    let (mut carried, mut refused) = (0, 0);
    for round in 0..10 {
        // A fresh subscription with no partner of record.
        let placed = app
            .gql(
                "mutation($c: ID!, $o: ID!) { placeOrder(input: {customerId: $c, lines: [{offerId: $o, quantity: 4}]}) {
                   order { lines { subscriptionId } } userErrors { code } } }",
                json!({ "c": customer_id, "o": basic }),
                Some(&w.provider),
            )
            .await;
        let sub = placed.data()["placeOrder"]["order"]["lines"][0]["subscriptionId"]
            .as_str()
            .unwrap()
            .to_owned();
        let por = app.gql(
            SET_POR,
            json!({ "id": sub, "r": w.reseller_id }),
            Some(&w.provider),
        );
        let upgrade = app.gql(
            UPGRADE,
            json!({ "id": sub, "o": premium }),
            Some(&w.reseller),
        );
        // Both orders of sending, every other round.
        let (por, upgrade) = if round % 2 == 0 {
            tokio::join!(por, upgrade)
        } else {
            let (u, p) = tokio::join!(upgrade, por);
            (p, u)
        };
        let upgraded = &upgrade.data()["upgradeSubscription"]["subscription"];
        assert!(
            upgraded.is_object(),
            "round {round}: the upgrade failed: {}",
            upgrade.body
        );
        let successor = app
            .gql(
                SUBSCRIPTION,
                json!({ "id": upgraded["id"] }),
                Some(&w.provider),
            )
            .await;
        let successor = &successor.data()["node"];
        assert_eq!(successor["status"], "ACTIVE");
        if super::succeeded(&por, "setSubscriptionPartnerOfRecord", "subscription") {
            carried += 1;
            assert_eq!(
                successor["partnerOfRecord"]["id"], w.reseller_id,
                "round {round}: setSubscriptionPartnerOfRecord answered success, but the upgraded \
                 subscription does not credit the reseller (the change was lost)"
            );
        } else {
            refused += 1;
            assert_eq!(
                super::refusal(&por, "setSubscriptionPartnerOfRecord"),
                "INVALID_STATE",
                "round {round}"
            );
            assert_eq!(successor["partnerOfRecord"], json!(null));
        }
    }
    assert_eq!(carried + refused, 10);
}
e2e!(partner_of_record_change_is_not_lost_to_an_upgrade);
