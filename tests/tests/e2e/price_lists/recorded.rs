//! Orders record the list price and the reseller's price in force when placed; later
//! price changes never move a recorded line. `previewOrder` shows the two prices now.

use super::*;
use crate::customers::fourth_coffee;
use crate::events::both;
use e2e::Backend;

const ORDER: &str = "query($id: ID!) { node(id: $id) { ... on Order {
  lines { quantityChange listUnitPrice { amountMinor } resellerUnitPrice { amountMinor formatted } } } } }";

fn prices(res: &e2e::Gql) -> Vec<(Value, Value)> {
    res.data()["node"]["lines"]
        .as_array()
        .unwrap_or_else(|| panic!("{:?}", res.body))
        .iter()
        .map(|l| {
            (
                l["listUnitPrice"]["amountMinor"].clone(),
                l["resellerUnitPrice"]["amountMinor"].clone(),
            )
        })
        .collect()
}

both!(order_lines_keep_the_prices_they_were_placed_at);
async fn order_lines_keep_the_prices_they_were_placed_at(backend: Backend) {
    let app = e2e::spawn_app(backend).await;
    let t = two_resellers(&app).await;
    let (p, a_id) = (&t.w.provider, &t.w.reseller_id);
    let basic = offer_id(&app, p, "M365-BUSINESS-BASIC").await;
    let list = create_list(&app, p, "Fabrikam at list minus 12 %", false).await;
    assign(&app, p, &list, &[a_id]).await;
    set_price(
        &app,
        p,
        json!({ "priceListId": list, "offerId": basic, "markupPercent": "-12" }),
    )
    .await;

    // Business Basic (600) at -12 % is 528; Entra ID P1 is not on the list: 600.
    let created = fourth_coffee(&app, &t.w).await;
    let order = created["order"]["id"].as_str().unwrap().to_owned();
    let customer = created["customer"]["id"].as_str().unwrap().to_owned();
    let before = app.gql(ORDER, json!({ "id": order }), Some(p)).await;
    assert_eq!(
        prices(&before),
        vec![(json!(600), json!(528)), (json!(600), json!(600))]
    );
    assert_eq!(
        before.data()["node"]["lines"][0]["resellerUnitPrice"]["formatted"],
        "$5.28"
    );

    // A new version: the old order does not move; a new order is placed at the new price.
    set_price(
        &app,
        p,
        json!({ "priceListId": list, "offerId": basic, "markupPercent": "-50" }),
    )
    .await;
    let after = app.gql(ORDER, json!({ "id": order }), Some(p)).await;
    assert_eq!(prices(&after), prices(&before));
    let placed = app
        .gql("mutation($c: ID!, $o: ID!) { placeOrder(input: {customerId: $c, lines: [{offerId: $o, quantity: 2}]}) { order { id } userErrors { code message } } }",
             json!({ "c": customer, "o": basic }), Some(p))
        .await;
    let second = placed.data()["placeOrder"]["order"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{:?}", placed.body))
        .to_owned();
    let res = app.gql(ORDER, json!({ "id": second }), Some(p)).await;
    assert_eq!(prices(&res), vec![(json!(600), json!(300))]);
    // The reseller ordered for sees its price on the order too.
    let res = app
        .gql(ORDER, json!({ "id": second }), Some(&t.w.reseller))
        .await;
    assert_eq!(prices(&res), vec![(json!(600), json!(300))]);

    // previewOrder: the provider names the reseller; a reseller sees its own; the list
    // price for everyone.
    let q = "query($input: PreviewOrderInput!) { previewOrder(input: $input) { lines { listUnitPrice { amountMinor } resellerUnitPrice { amountMinor } } } }";
    let input = |r: Option<&str>| json!({ "input": { "country": "US", "lines": [{ "offerId": basic, "quantity": 1 }], "indirectResellerId": r } });
    let line = |res: &e2e::Gql| res.data()["previewOrder"]["lines"][0].clone();
    let res = app.gql(q, input(Some(a_id)), Some(p)).await;
    assert_eq!(line(&res)["resellerUnitPrice"]["amountMinor"], 300);
    assert_eq!(line(&res)["listUnitPrice"]["amountMinor"], 600);
    let res = app.gql(q, input(None), Some(&t.w.reseller)).await;
    assert_eq!(line(&res)["resellerUnitPrice"]["amountMinor"], 300);
    // Reseller B asking as A gets its own (list) price, never A's.
    let res = app
        .gql(q, input(Some(a_id)), Some(&t.w.outsider_reseller))
        .await;
    assert_eq!(line(&res)["resellerUnitPrice"]["amountMinor"], 600);
    let res = app.gql(q, input(None), Some(p)).await;
    assert!(line(&res)["resellerUnitPrice"].is_null());

    // The month's margin: Basic 10 × (600, 528), Entra 5 × (600, 600), Basic 2 × (600, 300).
    let listed = app
        .gql(
            "{ indirectResellers(first: 5) { nodes { id reseller { companyName } } } }",
            json!({}),
            Some(p),
        )
        .await;
    let partnership = listed.data()["indirectResellers"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["reseller"]["companyName"] == "Fabrikam Solutions")
        .unwrap()["id"]
        .clone();
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    let q = "query($id: ID!, $m: String!) { node(id: $id) { ... on Partnership {
      margin(month: $m) { listValue { amountMinor } resellerValue { amountMinor } difference { amountMinor formatted } } } } }";
    for token in [p, &t.w.reseller] {
        let res = app
            .gql(q, json!({ "id": partnership, "m": month }), Some(token))
            .await;
        let margin = &res.data()["node"]["margin"];
        assert_eq!(margin["listValue"]["amountMinor"], 10200, "{:?}", res.body);
        assert_eq!(margin["resellerValue"]["amountMinor"], 8880);
        assert_eq!(margin["difference"]["amountMinor"], 1320);
        assert_eq!(margin["difference"]["formatted"], "$13.20");
    }
    let res = app
        .gql(q, json!({ "id": partnership, "m": "2026-13" }), Some(p))
        .await;
    assert_eq!(res.error_code(), "BAD_USER_INPUT");
}
