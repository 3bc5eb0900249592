//! Who sees wholesale prices: a matrix of callers and fields. Reseller A never sees B's
//! price by any field; other providers, the platform and customers see none.

use super::*;
use crate::events::both;
use e2e::Backend;

both!(a_reseller_sees_its_own_price_and_nobody_elses);
async fn a_reseller_sees_its_own_price_and_nobody_elses(backend: Backend) {
    let app = e2e::spawn_app(backend).await;
    let t = two_resellers(&app).await;
    let (p, a, b) = (&t.w.provider, &t.w.reseller, &t.w.outsider_reseller);
    let (a_id, b_id) = (&t.w.reseller_id, &t.w.outsider_reseller_id);
    let list_a = create_list(&app, p, "A", false).await;
    let list_b = create_list(&app, p, "B", false).await;
    assign(&app, p, &list_a, &[a_id]).await;
    assign(&app, p, &list_b, &[b_id]).await;
    set_price(
        &app,
        p,
        json!({ "priceListId": list_a, "offerId": t.standard, "markupPercent": "-12.5" }),
    )
    .await;
    let b_set = set_price(
        &app,
        p,
        json!({ "priceListId": list_b, "offerId": t.standard,
        "unitPrice": { "amountMinor": 777, "currency": "USD" } }),
    )
    .await;
    assert_eq!(b_set["userErrors"], json!([]), "{b_set}");

    // Each reseller its own price; the provider both.
    assert_eq!(my_price(&app, a, &t.standard).await, Some(1094));
    assert_eq!(my_price(&app, b, &t.standard).await, Some(777));
    assert_eq!(price_for(&app, p, &t.standard, a_id).await, Some(1094));
    assert_eq!(price_for(&app, p, &t.standard, b_id).await, Some(777));
    assert_eq!(my_price(&app, p, &t.standard).await, None);

    // A asks for B's price every way it can: null or NOT_FOUND, never 777.
    assert_eq!(price_for(&app, a, &t.standard, b_id).await, None);
    assert_eq!(price_for(&app, a, &t.standard, a_id).await, None);
    let q = "query($id: ID!) { node(id: $id) { ... on PriceList { name prices(first: 5) { edges { node { unitPrice { amountMinor } } } } } } }";
    for list in [&list_a, &list_b] {
        let res = app.gql(q, json!({ "id": list }), Some(a)).await;
        assert_eq!(res.error_code(), "NOT_FOUND", "{:?}", res.body);
    }
    let res = app
        .gql(
            "{ priceLists(first: 5) { totalCount } }",
            json!({}),
            Some(a),
        )
        .await;
    assert_eq!(res.error_code(), "FORBIDDEN");
    let by_provider = app
        .gql("query($id: ID!, $p: ID) { node(id: $id) { ... on Offer { resellerPrice(providerId: $p) { amountMinor } } } }",
             json!({ "id": t.standard, "p": b_id }), Some(a))
        .await;
    assert!(by_provider.data()["node"]["resellerPrice"].is_null());
    // A cannot change prices either.
    let res = app.gql(SET, json!({ "input": { "priceListId": list_b, "offerId": t.standard, "markupPercent": "50" } }), Some(a)).await;
    assert_eq!(res.error_code(), "FORBIDDEN");
    // Nor read them in its audit log.
    let log = app
        .gql(
            "{ auditLog(first: 50) { edges { node { action summary } } } }",
            json!({}),
            Some(a),
        )
        .await;
    let text = log.body.to_string();
    assert!(
        !text.contains("reseller_price") && !text.contains("777"),
        "{text}"
    );

    // Another provider and the platform see none of it.
    let (_, other) = app
        .active_partner("INDIRECT_PROVIDER", "Litware", "admin@litware.test")
        .await;
    assert_eq!(price_for(&app, &other, &t.standard, a_id).await, None);
    assert_eq!(my_price(&app, &other, &t.standard).await, None);
    let res = app.gql(q, json!({ "id": list_a }), Some(&other)).await;
    assert_eq!(res.error_code(), "NOT_FOUND");
    let res = app
        .gql(
            "{ priceLists(first: 5) { totalCount } }",
            json!({}),
            Some(&other),
        )
        .await;
    assert_eq!(res.data()["priceLists"]["totalCount"], 0);
    let platform = app.platform_admin_token().await;
    assert_eq!(my_price(&app, &platform, &t.standard).await, None);
    assert_eq!(price_for(&app, &platform, &t.standard, a_id).await, None);
    let res = app.gql(q, json!({ "id": list_a }), Some(&platform)).await;
    assert_eq!(res.error_code(), "NOT_FOUND");
}
