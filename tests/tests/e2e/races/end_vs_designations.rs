//! Ending a partnership while the provider designates the reseller on a subscription
//! (issue 11, item 4): `endPartnership` raced against `placeOrder` with a partner-of-record
//! line, `setSubscriptionPartnerOfRecord` and `setSubscriptionSupportContact`. No live
//! subscription may credit or be supported by a reseller through an ENDED partnership.

use super::partnership_end::{Rival, race_end_against};
use super::{active_partner, partnered_resellers};
use crate::customers::{CREATE, customer_input, offer_id};
use e2e::TestApp;
use serde_json::json;

/// The provider, 15 partnered resellers and a direct customer (no reseller) with one
/// Business Basic subscription: (provider token, resellers, customer id, subscription id).
async fn setup(app: &TestApp, tag: &str) -> (String, Vec<super::Partnered>, String, String) {
    let admin = app.platform_admin_token().await;
    let (_, provider) =
        active_partner(app, &admin, "INDIRECT_PROVIDER", "admin@contoso.test").await;
    let resellers = partnered_resellers(app, &admin, &provider, tag, 15).await;
    let basic = offer_id(app, &provider, "M365-BUSINESS-BASIC").await;
    let lines = json!([{ "offerId": basic, "quantity": 5 }]);
    let res = app
        .gql(
            CREATE,
            json!({ "input": customer_input("direct.example", None, lines, "direct") }),
            Some(&provider),
        )
        .await;
    let customer = &res.data()["createCustomer"]["customer"];
    let customer_id = customer["id"].as_str().unwrap().to_owned();
    let sub = customer["subscriptions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (provider, resellers, customer_id, sub)
}

/// Before the fix `placeOrder` checked the partner of record's partnership outside its
/// transaction and `endPartnership` counted the reseller's subscriptions outside its own:
/// an order placed while the reseller ended the partnership created a live subscription
/// crediting a reseller whose partnership was ENDED.
async fn end_partnership_vs_place_order(app: TestApp) {
    let (provider, resellers, customer_id, _) = setup(&app, "order").await;
    let exchange = offer_id(&app, &provider, "EXCHANGE-ONLINE-P1").await;
    let rival = Rival {
        field: "placeOrder",
        object: "order",
        refused_with: "RESELLER_NOT_PARTNER",
    };
    race_end_against(&app, &provider, &resellers, rival, |_, p| {
        app.gql(
            "mutation($c: ID!, $o: ID!, $r: ID!) { placeOrder(input: {customerId: $c, lines: [{offerId: $o, quantity: 2, partnerOfRecordId: $r}]}) {
               order { id } userErrors { code } } }",
            json!({ "c": customer_id, "o": exchange, "r": p.reseller_id }),
            Some(&provider),
        )
    })
    .await;
}
races!(end_partnership_vs_place_order);

/// Before the fix the partner of record was checked and written outside any lock: the
/// subscription ended up crediting a reseller whose partnership had just ENDED, with an
/// audit entry saying the designation succeeded. Each round credits the next reseller on
/// the same subscription.
async fn end_partnership_vs_partner_of_record(app: TestApp) {
    let (provider, resellers, _, sub) = setup(&app, "credit").await;
    let rival = Rival {
        field: "setSubscriptionPartnerOfRecord",
        object: "subscription",
        refused_with: "RESELLER_NOT_PARTNER",
    };
    race_end_against(&app, &provider, &resellers, rival, |_, p| {
        app.gql(
            "mutation($id: ID!, $r: ID) { setSubscriptionPartnerOfRecord(input: {subscriptionId: $id, partnerOfRecordId: $r}) {
               subscription { id } userErrors { code } } }",
            json!({ "id": sub, "r": p.reseller_id }),
            Some(&provider),
        )
    })
    .await;
}
races!(end_partnership_vs_partner_of_record);

/// Same as the partner of record, for the designated support contact: before the fix a
/// live subscription could name as support contact a reseller whose partnership had ENDED.
async fn end_partnership_vs_support_contact(app: TestApp) {
    let (provider, resellers, _, sub) = setup(&app, "support").await;
    let rival = Rival {
        field: "setSubscriptionSupportContact",
        object: "subscription",
        refused_with: "RESELLER_NOT_PARTNER",
    };
    race_end_against(&app, &provider, &resellers, rival, |_, p| {
        app.gql(
            "mutation($id: ID!, $p: ID) { setSubscriptionSupportContact(input: {subscriptionId: $id, supportContactId: $p}) {
               subscription { id } userErrors { code } } }",
            json!({ "id": sub, "p": p.reseller_id }),
            Some(&provider),
        )
    })
    .await;
}
races!(end_partnership_vs_support_contact);
