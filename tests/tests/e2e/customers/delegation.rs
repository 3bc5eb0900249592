//! Delegated administration and its limits, and the cross-tenant matrix: another provider,
//! another reseller and another customer get NOT_FOUND for every id of this customer.

use super::*;
use e2e::e2e;

const NODE: &str = "query($id: ID!) { node(id: $id) { id } }";
const QUANTITY: &str = "mutation($id: ID!, $q: Int!) { updateSubscriptionQuantity(input: {subscriptionId: $id, quantity: $q}) {
  subscription { quantity } order { lines { kind quantityChange } } userErrors { code field } } }";

async fn delegated_reseller_administers_and_others_see_nothing(app: TestApp) {
    let w = world(&app).await;
    let created = fourth_coffee(&app, &w).await;
    let customer_id = created["customer"]["id"].as_str().unwrap().to_owned();
    let order_id = created["order"]["id"].as_str().unwrap().to_owned();
    let sub_id = created["customer"]["subscriptions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The delegated reseller sees the customer and administers its subscriptions.
    let list = app
        .gql(
            "{ customers(first: 5) { totalCount edges { node { id domain } } } }",
            json!({}),
            Some(&w.reseller),
        )
        .await;
    assert_eq!(list.data()["customers"]["totalCount"], 1);
    let more = app
        .gql(
            QUANTITY,
            json!({ "id": sub_id, "q": 25 }),
            Some(&w.reseller),
        )
        .await;
    let p = &more.data()["updateSubscriptionQuantity"];
    assert_eq!(p["subscription"]["quantity"], 25);
    assert_eq!(
        p["order"]["lines"],
        json!([{ "kind": "ADD_QUANTITY", "quantityChange": 15 }])
    );
    let fewer = app
        .gql(
            QUANTITY,
            json!({ "id": sub_id, "q": 20 }),
            Some(&w.reseller),
        )
        .await;
    assert_eq!(
        fewer.data()["updateSubscriptionQuantity"]["order"]["lines"][0]["kind"],
        "REMOVE_QUANTITY"
    );
    let too_many = app
        .gql(
            QUANTITY,
            json!({ "id": sub_id, "q": 301 }),
            Some(&w.reseller),
        )
        .await;
    assert_eq!(
        too_many.data()["updateSubscriptionQuantity"]["userErrors"][0]["code"],
        "OUT_OF_RANGE"
    );
    let suspend = "mutation($id: ID!) { suspendSubscription(input: {subscriptionId: $id}) { subscription { status } userErrors { code } } }";
    let reactivate = "mutation($id: ID!) { reactivateSubscription(input: {subscriptionId: $id}) { subscription { status } userErrors { code } } }";
    assert_eq!(
        app.gql(suspend, json!({ "id": sub_id }), Some(&w.reseller))
            .await
            .data()["suspendSubscription"]["subscription"]["status"],
        "SUSPENDED"
    );
    let on_suspended = app
        .gql(QUANTITY, json!({ "id": sub_id, "q": 5 }), Some(&w.reseller))
        .await;
    assert_eq!(
        on_suspended.data()["updateSubscriptionQuantity"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
    assert_eq!(
        app.gql(suspend, json!({ "id": sub_id }), Some(&w.reseller))
            .await
            .data()["suspendSubscription"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
    assert_eq!(
        app.gql(reactivate, json!({ "id": sub_id }), Some(&w.reseller))
            .await
            .data()["reactivateSubscription"]["subscription"]["status"],
        "ACTIVE"
    );
    // Designating resellers is the provider's job.
    let por = app
        .gql("mutation($id: ID!, $r: ID) { setSubscriptionPartnerOfRecord(input: {subscriptionId: $id, partnerOfRecordId: $r}) { subscription { id } } }", json!({ "id": sub_id, "r": w.reseller_id }), Some(&w.reseller))
        .await;
    assert_eq!(por.error_code(), "FORBIDDEN");

    // Outsiders: another reseller, another provider, another customer.
    let (_, other_provider) = app
        .active_partner("INDIRECT_PROVIDER", "Litware", "admin@litware.test")
        .await;
    let basic = offer_id(&app, &other_provider, "M365-BUSINESS-BASIC").await;
    let theirs = app
        .gql(CREATE, json!({ "input": customer_input("litware-client.example", None, json!([{ "offerId": basic, "quantity": 1 }]), "x") }), Some(&other_provider))
        .await;
    let password = theirs.data()["createCustomer"]["setupInfo"]["temporaryPassword"]
        .as_str()
        .unwrap()
        .to_owned();
    let temp = app.login("admin@litware-client.example", &password).await;
    app.gql("mutation($c: String!) { changePassword(input: {currentPassword: $c, newPassword: \"another-customer-1\"}) { userErrors { code } } }", json!({ "c": password }), Some(&temp)).await;
    let other_customer = app
        .login("admin@litware-client.example", "another-customer-1")
        .await;

    let queries = [
        (NODE, json!({ "id": customer_id })),
        (NODE, json!({ "id": sub_id })),
        (NODE, json!({ "id": order_id })),
        (QUANTITY, json!({ "id": sub_id, "q": 12 })),
        (
            "mutation($id: ID!) { suspendSubscription(input: {subscriptionId: $id}) { subscription { status } } }",
            json!({ "id": sub_id }),
        ),
        (
            "mutation($id: ID!) { reactivateSubscription(input: {subscriptionId: $id}) { subscription { status } } }",
            json!({ "id": sub_id }),
        ),
        (
            "mutation($id: ID!, $o: ID!) { upgradeSubscription(input: {subscriptionId: $id, targetOfferId: $o}) { subscription { id } } }",
            json!({ "id": sub_id, "o": offer_id(&app, &w.provider, "M365-BUSINESS-STANDARD").await }),
        ),
        (
            "mutation($id: ID!) { setSubscriptionPartnerOfRecord(input: {subscriptionId: $id}) { subscription { id } } }",
            json!({ "id": sub_id }),
        ),
        (
            "mutation($id: ID!) { setSubscriptionSupportContact(input: {subscriptionId: $id}) { subscription { id } } }",
            json!({ "id": sub_id }),
        ),
        (
            "mutation($id: ID!, $o: ID!) { placeOrder(input: {customerId: $id, lines: [{offerId: $o, quantity: 1}]}) { order { id } } }",
            json!({ "id": customer_id, "o": basic }),
        ),
        (
            "mutation($id: ID!) { grantAzureTenantOwner(input: {customerId: $id}) { customer { id } } }",
            json!({ "id": customer_id }),
        ),
        (
            "mutation($id: ID!, $r: ID!) { requestCustomerResellerRelationship(input: {customerId: $id, indirectResellerId: $r}) { link } }",
            json!({ "id": customer_id, "r": w.reseller_id }),
        ),
    ];
    for who in [&w.outsider_reseller, &other_provider, &other_customer] {
        let list = app
            .gql(
                "{ customers(first: 5) { edges { node { id } } } }",
                json!({}),
                Some(who),
            )
            .await;
        assert!(!list.body.to_string().contains(&customer_id));
        for (query, vars) in &queries {
            let res = app.gql(query, vars.clone(), Some(who)).await;
            assert_eq!(res.error_code(), "NOT_FOUND", "{query} -> {}", res.body);
        }
    }
    // Nothing changed under the outsiders' attempts.
    let seen = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Subscription { quantity status } } }",
            json!({ "id": sub_id }),
            Some(&w.provider),
        )
        .await;
    assert_eq!(
        seen.data()["node"],
        json!({ "quantity": 20, "status": "ACTIVE" })
    );

    // The partnership cannot end while the reseller manages this customer.
    let partnership = app
        .gql(
            "{ indirectResellers(first: 1) { edges { node { id } } } }",
            json!({}),
            Some(&w.provider),
        )
        .await;
    let partnership_id = partnership.data()["indirectResellers"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let end = app
        .gql("mutation($id: ID!) { endPartnership(input: {partnershipId: $id}) { partnership { status } userErrors { code message } } }", json!({ "id": partnership_id }), Some(&w.provider))
        .await;
    assert_eq!(
        end.data()["endPartnership"]["userErrors"][0]["code"],
        "PARTNERSHIP_IN_USE"
    );
}
e2e!(delegated_reseller_administers_and_others_see_nothing);
