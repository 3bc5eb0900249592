//! Orders for existing customers, upgrades, partner of record and support contact.

use super::*;
use e2e::e2e;

async fn orders_upgrades_and_designations(app: TestApp) {
    let w = world(&app).await;
    let created = fourth_coffee(&app, &w).await;
    let customer_id = created["customer"]["id"].as_str().unwrap().to_owned();
    let basic_sub = created["customer"]["subscriptions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let exchange = offer_id(&app, &w.provider, "EXCHANGE-ONLINE-P1").await;

    // placeOrder: a new subscription credited to the reseller, and more licenses.
    let placed = app
        .gql(
            "mutation($c: ID!, $o: ID!, $s: ID!, $r: ID!) { placeOrder(input: {customerId: $c, lines: [
                {offerId: $o, quantity: 7, partnerOfRecordId: $r}, {subscriptionId: $s, quantity: 5}]}) {
              order { onBehalfOf { companyName } lines { kind quantityChange } } userErrors { code field } } }",
            json!({ "c": customer_id, "o": exchange, "s": basic_sub, "r": w.reseller_id }),
            Some(&w.provider),
        )
        .await;
    let order = &placed.data()["placeOrder"]["order"];
    assert_eq!(
        order["lines"],
        json!([{ "kind": "NEW", "quantityChange": 7 }, { "kind": "ADD_QUANTITY", "quantityChange": 5 }])
    );
    assert_eq!(order["onBehalfOf"]["companyName"], "Fabrikam Solutions");
    let bad = app
        .gql("mutation($c: ID!, $o: ID!) { placeOrder(input: {customerId: $c, lines: [{offerId: $o, quantity: 0}]}) { userErrors { code field } } }", json!({ "c": customer_id, "o": exchange }), Some(&w.provider))
        .await;
    assert_eq!(
        bad.data()["placeOrder"]["userErrors"][0]["field"],
        json!(["input", "lines", "0", "quantity"])
    );

    // Partner of record and designated support contact.
    let set_por = "mutation($id: ID!, $r: ID) { setSubscriptionPartnerOfRecord(input: {subscriptionId: $id, partnerOfRecordId: $r}) {
        subscription { partnerOfRecord { companyName } } userErrors { code } } }";
    let credited = app
        .gql(
            set_por,
            json!({ "id": basic_sub, "r": w.reseller_id }),
            Some(&w.provider),
        )
        .await;
    assert_eq!(
        credited.data()["setSubscriptionPartnerOfRecord"]["subscription"]["partnerOfRecord"]["companyName"],
        "Fabrikam Solutions"
    );
    let refused = app
        .gql(
            set_por,
            json!({ "id": basic_sub, "r": w.outsider_reseller_id }),
            Some(&w.provider),
        )
        .await;
    assert_eq!(
        refused.data()["setSubscriptionPartnerOfRecord"]["userErrors"][0]["code"],
        "RESELLER_NOT_PARTNER"
    );
    let support = "mutation($id: ID!, $p: ID) { setSubscriptionSupportContact(input: {subscriptionId: $id, supportContactId: $p}) {
        subscription { supportContact { companyName } } userErrors { code } } }";
    let designated = app
        .gql(
            support,
            json!({ "id": basic_sub, "p": w.reseller_id }),
            Some(&w.provider),
        )
        .await;
    assert_eq!(
        designated.data()["setSubscriptionSupportContact"]["subscription"]["supportContact"]["companyName"],
        "Fabrikam Solutions"
    );
    let back = app
        .gql(
            support,
            json!({ "id": basic_sub, "p": null }),
            Some(&w.provider),
        )
        .await;
    assert_eq!(
        back.data()["setSubscriptionSupportContact"]["subscription"]["supportContact"]["companyName"],
        "Contoso Distribution"
    );

    // Upgrade: only to upgrade targets; licenses move; the source is cancelled.
    let upgrade = "mutation($id: ID!, $o: ID!) { upgradeSubscription(input: {subscriptionId: $id, targetOfferId: $o}) {
        subscription { id quantity status offer { sku } partnerOfRecord { companyName } } order { lines { kind quantityChange } } userErrors { code } } }";
    let e5 = offer_id(&app, &w.provider, "M365-E5").await;
    let wrong = app
        .gql(
            upgrade,
            json!({ "id": basic_sub, "o": e5 }),
            Some(&w.provider),
        )
        .await;
    assert_eq!(
        wrong.data()["upgradeSubscription"]["userErrors"][0]["code"],
        "NOT_AN_UPGRADE_TARGET"
    );
    let premium = offer_id(&app, &w.provider, "M365-BUSINESS-PREMIUM").await;
    let up = app
        .gql(
            upgrade,
            json!({ "id": basic_sub, "o": premium }),
            Some(&w.reseller),
        )
        .await;
    let new_sub = &up.data()["upgradeSubscription"]["subscription"];
    assert_eq!(new_sub["offer"]["sku"], "M365-BUSINESS-PREMIUM");
    assert_eq!(new_sub["quantity"], 15);
    assert_eq!(
        new_sub["partnerOfRecord"]["companyName"],
        "Fabrikam Solutions"
    );
    assert_eq!(
        up.data()["upgradeSubscription"]["order"]["lines"],
        json!([{ "kind": "UPGRADE", "quantityChange": 15 }])
    );
    let old = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Subscription { status } } }",
            json!({ "id": basic_sub }),
            Some(&w.provider),
        )
        .await;
    assert_eq!(old.data()["node"]["status"], "CANCELLED");
    let again = app
        .gql(
            upgrade,
            json!({ "id": basic_sub, "o": premium }),
            Some(&w.provider),
        )
        .await;
    assert_eq!(
        again.data()["upgradeSubscription"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );

    // A reseller credited on a subscription of a customer not delegated to it can read it.
    let basic = offer_id(&app, &w.provider, "M365-BUSINESS-BASIC").await;
    let direct = app
        .gql(CREATE, json!({ "input": customer_input("direct.example", None, json!([{ "offerId": basic, "quantity": 2, "partnerOfRecordId": w.reseller_id }]), "direct") }), Some(&w.provider))
        .await;
    let credited_sub = direct.data()["createCustomer"]["customer"]["subscriptions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let read = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Subscription { quantity } } }",
            json!({ "id": credited_sub }),
            Some(&w.reseller),
        )
        .await;
    assert_eq!(read.data()["node"]["quantity"], 2);
    let change = app.gql("mutation($id: ID!) { suspendSubscription(input: {subscriptionId: $id}) { subscription { status } } }", json!({ "id": credited_sub }), Some(&w.reseller)).await;
    assert_eq!(
        change.error_code(),
        "FORBIDDEN",
        "credit gives read access only"
    );
    let not_delegated = app
        .gql(
            "{ customers(first: 5) { totalCount } }",
            json!({}),
            Some(&w.reseller),
        )
        .await;
    assert_eq!(
        not_delegated.data()["customers"]["totalCount"],
        1,
        "only the delegated customer is listed"
    );
}
e2e!(orders_upgrades_and_designations);

/// Incentives: what the reseller is credited for, seen by both sides; Azure tenant owner.
async fn incentives_and_azure_tenant_owner(app: TestApp) {
    let w = world(&app).await;
    let created = fourth_coffee(&app, &w).await; // Entra ID P1 x5 credited to the reseller
    let customer_id = created["customer"]["id"].as_str().unwrap().to_owned();
    let incentives = "{ %LIST%(first: 1) { edges { node { incentives { totalLicenses monthlyTotal { amountMinor }
        subscriptions { offerName licenses monthlyValue { amountMinor } } } } } } }";
    for (who, list) in [
        (&w.provider, "indirectResellers"),
        (&w.reseller, "indirectProviders"),
    ] {
        let res = app
            .gql(&incentives.replace("%LIST%", list), json!({}), Some(who))
            .await;
        let inc = &res.data()[list]["edges"][0]["node"]["incentives"];
        assert_eq!(inc["totalLicenses"], 5, "{list}");
        assert_eq!(inc["monthlyTotal"]["amountMinor"], 5 * 600);
        assert_eq!(
            inc["subscriptions"][0]["offerName"],
            "Microsoft Entra ID P1"
        );
    }

    // Azure tenant owner: only for a customer holding an Azure subscription.
    let grant = "mutation($id: ID!) { grantAzureTenantOwner(input: {customerId: $id}) {
        customer { azureTenantOwner { companyName } } userErrors { code } } }";
    let refused = app
        .gql(grant, json!({ "id": customer_id }), Some(&w.provider))
        .await;
    assert_eq!(
        refused.data()["grantAzureTenantOwner"]["userErrors"][0]["code"],
        "NOT_AN_AZURE_CUSTOMER"
    );
    let azure = offer_id(&app, &w.provider, "AZURE-PLAN").await;
    app.gql("mutation($c: ID!, $o: ID!) { placeOrder(input: {customerId: $c, lines: [{offerId: $o, quantity: 1}]}) { userErrors { code } } }", json!({ "c": customer_id, "o": azure }), Some(&w.provider)).await;
    let granted = app
        .gql(grant, json!({ "id": customer_id }), Some(&w.provider))
        .await;
    assert_eq!(
        granted.data()["grantAzureTenantOwner"]["customer"]["azureTenantOwner"]["companyName"],
        "Fabrikam Solutions"
    );
    let seen = app
        .gql(
            "{ customers(first: 1) { edges { node { azureTenantOwner { companyName } } } } }",
            json!({}),
            Some(&w.reseller),
        )
        .await;
    assert_eq!(
        seen.data()["customers"]["edges"][0]["node"]["azureTenantOwner"]["companyName"],
        "Fabrikam Solutions"
    );
    assert_eq!(
        app.gql(grant, json!({ "id": customer_id }), Some(&w.reseller))
            .await
            .error_code(),
        "FORBIDDEN"
    );
    // A direct customer has no associated reseller.
    let direct = app
        .gql(CREATE, json!({ "input": customer_input("solo.example", None, json!([{ "offerId": azure, "quantity": 1 }]), "solo") }), Some(&w.provider))
        .await;
    let direct_id = direct.data()["createCustomer"]["customer"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let none = app
        .gql(grant, json!({ "id": direct_id }), Some(&w.provider))
        .await;
    assert_eq!(
        none.data()["grantAzureTenantOwner"]["userErrors"][0]["code"],
        "NO_ASSOCIATED_RESELLER"
    );
}
e2e!(incentives_and_azure_tenant_owner);
