//! Customers, orders and subscriptions on a reseller's behalf.

mod batching;
mod delegation;
mod races;
mod relationships;
mod subscriptions;
mod wizard;

use e2e::TestApp;
use serde_json::{Value, json};

pub const CREATE: &str = "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) {
  customer { id companyName domain country indirectReseller { companyName }
    subscriptions { id quantity status offer { sku } partnerOfRecord { companyName } supportContact { companyName } monthlyTotal { amountMinor } } }
  order { id onBehalfOf { companyName } lines { kind quantityChange monthlyUnitPrice { amountMinor } } }
  setupInfo { adminUserName temporaryPassword }
  replayed
  userErrors { code field message } } }";

/// The three parties: provider, its partner reseller, another (unpartnered) reseller.
pub struct World {
    pub provider: String,
    pub reseller: String,
    pub reseller_id: String,
    pub outsider_reseller: String,
    pub outsider_reseller_id: String,
}

/// A provider with an ACTIVE partnership with Fabrikam (through a real invitation), plus
/// Northwind, an ACTIVE reseller with no partnership.
pub async fn world(app: &TestApp) -> World {
    let (_, provider) = app
        .active_partner(
            "INDIRECT_PROVIDER",
            "Contoso Distribution",
            "admin@contoso.test",
        )
        .await;
    let (reseller_id, reseller) = app
        .active_partner(
            "INDIRECT_RESELLER",
            "Fabrikam Solutions",
            "admin@fabrikam.test",
        )
        .await;
    let (outsider_reseller_id, outsider_reseller) = app
        .active_partner("INDIRECT_RESELLER", "Northwind IT", "admin@northwind.test")
        .await;
    let res = app
        .gql("mutation { requestPartnership(input: {resellerEmail: \"admin@fabrikam.test\", draftOnly: true}) { link } }", json!({}), Some(&provider))
        .await;
    let link = res.data()["requestPartnership"]["link"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = link.split("token=").nth(1).unwrap();
    let ok = app
        .gql("mutation($t: String!) { acceptPartnershipInvitation(input: {token: $t}) { partnership { id } } }", json!({ "t": token }), Some(&reseller))
        .await;
    assert!(ok.data()["acceptPartnershipInvitation"]["partnership"].is_object());
    World {
        provider,
        reseller,
        reseller_id,
        outsider_reseller,
        outsider_reseller_id,
    }
}

pub async fn offer_id(app: &TestApp, token: &str, sku: &str) -> String {
    let res = app
        .gql("query($s: String) { offers(first: 5, filter: {search: $s}) { edges { node { id sku } } } }", json!({ "s": sku }), Some(token))
        .await;
    res.data()["offers"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["sku"] == sku)
        .unwrap_or_else(|| panic!("offer {sku}"))["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub fn customer_input(domain: &str, reseller_id: Option<&str>, lines: Value, key: &str) -> Value {
    json!({
        "companyName": "Fourth Coffee",
        "domain": domain,
        "country": "US",
        "address": { "line1": "1 Main St", "city": "Seattle", "postalCode": "98101" },
        "billingContact": { "name": "Ana Bill", "email": "billing@fourthcoffee.example" },
        "language": "en-US",
        "indirectResellerId": reseller_id,
        "lines": lines,
        "idempotencyKey": key
    })
}

/// Creates Fourth Coffee for the partner reseller with Business Basic x10 and Entra ID P1 x5;
/// returns the createCustomer payload.
pub async fn fourth_coffee(app: &TestApp, w: &World) -> Value {
    let basic = offer_id(app, &w.provider, "M365-BUSINESS-BASIC").await;
    let entra = offer_id(app, &w.provider, "ENTRA-ID-P1").await;
    let lines = json!([
        { "offerId": basic, "quantity": 10 },
        { "offerId": entra, "quantity": 5, "partnerOfRecordId": w.reseller_id }
    ]);
    let mut input = customer_input(
        "fourthcoffee.example",
        Some(&w.reseller_id),
        lines,
        "wizard-1",
    );
    // Every role, the tenant owner's too (it is not a default since issue 21).
    input["adminRoles"] = json!([
        "ORDER_MANAGER",
        "SUBSCRIPTION_MANAGER",
        "USER_ADMINISTRATOR",
        "TENANT_OWNER"
    ]);
    let res = app
        .gql(CREATE, json!({ "input": input }), Some(&w.provider))
        .await;
    let payload = res.data()["createCustomer"].clone();
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    payload
}
