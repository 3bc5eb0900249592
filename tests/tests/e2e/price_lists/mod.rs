//! Price lists (issue 24): versions and `effectiveFrom`, markup rounding, assignment and
//! the default list, and the tenancy of wholesale prices (a reseller sees its own price
//! only; nobody else sees any).

mod book;
mod recorded;
mod tenancy;
mod versions;

use crate::customers::{World, offer_id, world};
use e2e::TestApp;
use serde_json::{Value, json};

pub const CREATE: &str =
    "mutation($input: CreatePriceListInput!) { createPriceList(input: $input) {
  priceList { id name isDefault } userErrors { code field message } } }";
pub const SET: &str = "mutation($input: SetResellerPriceInput!) { setResellerPrice(input: $input) {
  price { offer { sku } unitPrice { amountMinor currency } markupPercent effectiveFrom }
  userErrors { code field message } } }";
pub const ASSIGN: &str =
    "mutation($input: AssignPriceListInput!) { assignPriceList(input: $input) {
  priceList { id resellers(first: 10) { totalCount edges { node { companyName } } } }
  userErrors { code field message } } }";

/// The customers' world plus a second partner reseller: Northwind accepts too.
pub struct Two {
    pub w: World,
    /// Business Standard (list 1250).
    pub standard: String,
}

pub async fn two_resellers(app: &TestApp) -> Two {
    let w = world(app).await;
    let res = app
        .gql("mutation { requestPartnership(input: {resellerEmail: \"admin@northwind.test\", draftOnly: true}) { link } }", json!({}), Some(&w.provider))
        .await;
    let link = res.data()["requestPartnership"]["link"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = link.split("token=").nth(1).unwrap();
    let ok = app
        .gql("mutation($t: String!) { acceptPartnershipInvitation(input: {token: $t}) { partnership { id } } }", json!({ "t": token }), Some(&w.outsider_reseller))
        .await;
    assert!(
        ok.data()["acceptPartnershipInvitation"]["partnership"].is_object(),
        "{:?}",
        ok.body
    );
    let standard = offer_id(app, &w.provider, "M365-BUSINESS-STANDARD").await;
    Two { w, standard }
}

pub async fn create_list(app: &TestApp, token: &str, name: &str, is_default: bool) -> String {
    let res = app
        .gql(
            CREATE,
            json!({ "input": { "name": name, "isDefault": is_default } }),
            Some(token),
        )
        .await;
    let payload = &res.data()["createPriceList"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    payload["priceList"]["id"].as_str().unwrap().to_owned()
}

/// `setResellerPrice`; returns the payload.
pub async fn set_price(app: &TestApp, token: &str, input: Value) -> Value {
    app.gql(SET, json!({ "input": input }), Some(token))
        .await
        .data()["setResellerPrice"]
        .clone()
}

pub async fn assign(app: &TestApp, token: &str, list: &str, resellers: &[&str]) -> Value {
    app.gql(
        ASSIGN,
        json!({ "input": { "priceListId": list, "resellerIds": resellers } }),
        Some(token),
    )
    .await
    .data()["assignPriceList"]
        .clone()
}

/// The caller's `Offer.resellerPrice` in minor units (None for null).
pub async fn my_price(app: &TestApp, token: &str, offer: &str) -> Option<i64> {
    let res = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Offer { resellerPrice { amountMinor } } } }",
            json!({ "id": offer }),
            Some(token),
        )
        .await;
    res.data()["node"]["resellerPrice"]["amountMinor"].as_i64()
}

/// The provider's `Offer.resellerPriceFor(resellerId)` in minor units.
pub async fn price_for(app: &TestApp, token: &str, offer: &str, reseller: &str) -> Option<i64> {
    let res = app
        .gql("query($id: ID!, $r: ID!) { node(id: $id) { ... on Offer { resellerPriceFor(resellerId: $r) { amountMinor } } } }", json!({ "id": offer, "r": reseller }), Some(token))
        .await;
    res.data()["node"]["resellerPriceFor"]["amountMinor"].as_i64()
}
