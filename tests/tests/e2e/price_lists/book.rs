//! An order of several lines prices them all from one read of the reseller's list
//! (`PriceBook` of one pair): the default list when none is assigned, each offer's version
//! in force at the order's time, list price for an offer the list leaves out. The payload
//! answers `customer.subscriptions` from what the call wrote, as a later read does.

use super::*;
use crate::customers::customer_input;
use crate::events::both;
use e2e::Backend;

const ORDER: &str = "query($id: ID!) { node(id: $id) { ... on Order {
  lines { listUnitPrice { amountMinor } resellerUnitPrice { amountMinor } } } } }";

const SUBSCRIPTIONS: &str = "subscriptions { id quantity status term termStartedAt termEndsAt
  autoRenew cancellationWindowEndsAt createdAt updatedAt offer { sku name }
  partnerOfRecord { companyName } supportContact { companyName } monthlyTotal { amountMinor } }";

both!(an_order_of_several_lines_prices_each_from_the_default_list);
async fn an_order_of_several_lines_prices_each_from_the_default_list(backend: Backend) {
    let app = e2e::spawn_app(backend).await;
    let t = two_resellers(&app).await;
    let p = &t.w.provider;
    let basic = offer_id(&app, p, "M365-BUSINESS-BASIC").await;
    let entra = offer_id(&app, p, "ENTRA-ID-P1").await;
    // Fabrikam has no list of its own: it buys at the provider's default list.
    let list = create_list(&app, p, "Standard terms", true).await;
    let now_price = json!({ "priceListId": list, "offerId": basic,
        "unitPrice": { "amountMinor": 450, "currency": "USD" } });
    assert_eq!(set_price(&app, p, now_price).await["userErrors"], json!([]));
    // A version for next month is not in force when the order is placed.
    let later = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let next_month = json!({ "priceListId": list, "offerId": basic,
        "unitPrice": { "amountMinor": 100, "currency": "USD" }, "effectiveFrom": later });
    assert_eq!(
        set_price(&app, p, next_month).await["userErrors"],
        json!([])
    );
    let standard = json!({ "priceListId": list, "offerId": t.standard, "markupPercent": "-10" });
    assert_eq!(set_price(&app, p, standard).await["userErrors"], json!([]));

    let lines = json!([
        { "offerId": basic, "quantity": 10 },
        { "offerId": entra, "quantity": 5, "partnerOfRecordId": t.w.reseller_id },
        { "offerId": t.standard, "quantity": 2 }
    ]);
    let input = customer_input("book.example", Some(&t.w.reseller_id), lines, "book-1");
    let mutation = format!(
        "mutation($input: CreateCustomerInput!) {{ createCustomer(input: $input) {{
          customer {{ id {SUBSCRIPTIONS} }} order {{ id }} userErrors {{ code message }} }} }}"
    );
    let res = app.gql(&mutation, json!({ "input": input }), Some(p)).await;
    let payload = &res.data()["createCustomer"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");

    // Basic at the default list's 450 (not next month's 100), Entra off the list at its
    // list price 600, Standard (list 1250) at -10 %: 1125.
    let order = app
        .gql(ORDER, json!({ "id": payload["order"]["id"] }), Some(p))
        .await;
    let prices: Vec<(Value, Value)> = order.data()["node"]["lines"]
        .as_array()
        .unwrap_or_else(|| panic!("{:?}", order.body))
        .iter()
        .map(|l| {
            (
                l["listUnitPrice"]["amountMinor"].clone(),
                l["resellerUnitPrice"]["amountMinor"].clone(),
            )
        })
        .collect();
    assert_eq!(
        prices,
        vec![
            (json!(600), json!(450)),
            (json!(600), json!(600)),
            (json!(1250), json!(1125))
        ]
    );

    // The payload's subscriptions are exactly what reading the customer gives now.
    let written = &payload["customer"]["subscriptions"];
    assert_eq!(written.as_array().map(Vec::len), Some(3), "{payload}");
    let read = app
        .gql(
            &format!(
                "query($id: ID!) {{ node(id: $id) {{ ... on Customer {{ {SUBSCRIPTIONS} }} }} }}"
            ),
            json!({ "id": payload["customer"]["id"] }),
            Some(p),
        )
        .await;
    assert_eq!(&read.data()["node"]["subscriptions"], written);
    // A retry with the same key replays: the same subscriptions, read back.
    let replay = app.gql(&mutation, json!({ "input": input }), Some(p)).await;
    assert_eq!(
        &replay.data()["createCustomer"]["customer"]["subscriptions"],
        written
    );
}
