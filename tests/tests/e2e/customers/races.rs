//! Review regressions: concurrent subscription changes keep the order history true, and the
//! limits on input and visibility hold.

use super::*;
use e2e::e2e;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

async fn concurrent_changes_keep_history_true(app: TestApp) {
    let w = world(&app).await;
    let created = fourth_coffee(&app, &w).await;
    let sub_id = created["customer"]["subscriptions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let quantity = "mutation($id: ID!, $q: Int!) { updateSubscriptionQuantity(input: {subscriptionId: $id, quantity: $q}) { subscription { quantity } userErrors { code } } }";
    let results = futures::future::join_all([15, 12, 20, 11, 30, 9].map(|q| {
        let (app, token, id) = (&app, w.reseller.clone(), sub_id.clone());
        async move {
            app.gql(quantity, json!({ "id": id, "q": q }), Some(&token))
                .await
        }
    }))
    .await;
    for r in &results {
        let payload = &r.data()["updateSubscriptionQuantity"];
        if let Some(e) = payload["userErrors"].get(0) {
            assert_eq!(
                e["code"], "INVALID_STATE",
                "a lost race is reported, never INTERNAL"
            );
        }
    }
    // Whatever won, the quantity equals the initial one plus every recorded change.
    let raw_id = {
        use base64::Engine;
        let text = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&sub_id)
            .unwrap();
        String::from_utf8(text)
            .unwrap()
            .split(':')
            .nth(1)
            .unwrap()
            .parse::<i32>()
            .unwrap()
    };
    let sub = entity::subscription::Entity::find_by_id(raw_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let lines = entity::order_line::Entity::find()
        .filter(entity::order_line::Column::SubscriptionId.eq(sub.id))
        .all(&app.db)
        .await
        .unwrap();
    let recorded: i32 = lines.iter().map(|l| l.quantity_change).sum();
    assert_eq!(sub.quantity, recorded, "history {lines:?}");

    // Concurrent upgrades of one subscription: exactly one target subscription.
    let premium = offer_id(&app, &w.provider, "M365-BUSINESS-PREMIUM").await;
    let upgrade = "mutation($id: ID!, $o: ID!) { upgradeSubscription(input: {subscriptionId: $id, targetOfferId: $o}) { subscription { id } userErrors { code } } }";
    let results = futures::future::join_all((0..4).map(|_| {
        let (app, token, id, o) = (&app, w.provider.clone(), sub_id.clone(), premium.clone());
        async move {
            app.gql(upgrade, json!({ "id": id, "o": o }), Some(&token))
                .await
        }
    }))
    .await;
    let wins = results
        .iter()
        .filter(|r| r.data()["upgradeSubscription"]["subscription"].is_object())
        .count();
    assert_eq!(wins, 1);
    let active_premium = entity::subscription::Entity::find()
        .filter(entity::subscription::Column::UpgradedFromId.is_not_null())
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(active_premium.len(), 1);
}
e2e!(concurrent_changes_keep_history_true);

async fn limits_and_visibility(app: TestApp) {
    let w = world(&app).await;
    let basic = offer_id(&app, &w.provider, "M365-BUSINESS-BASIC").await;
    // A 41-character phone is a user error, not an internal one.
    let mut input = customer_input(
        "phone.example",
        None,
        json!([{ "offerId": basic, "quantity": 1 }]),
        "p",
    );
    input["billingContact"]["phone"] = json!("1".repeat(41));
    let res = app
        .gql(CREATE, json!({ "input": input }), Some(&w.provider))
        .await;
    assert_eq!(
        res.data()["createCustomer"]["userErrors"][0]["field"],
        json!(["input", "billingContact", "phone"])
    );
    // Too many lines are refused before touching the database.
    let lines: Vec<_> = (0..101)
        .map(|_| json!({ "offerId": basic, "quantity": 1 }))
        .collect();
    let preview = app
        .gql("query($l: [PreviewLineInput!]!) { previewOrder(input: {country: \"US\", lines: $l}) { valid problems { code } } }", json!({ "l": lines }), Some(&w.provider))
        .await;
    assert_eq!(
        preview.data()["previewOrder"]["problems"][0]["code"],
        "OUT_OF_RANGE"
    );
    // domainAvailable is the providers' wizard helper.
    assert_eq!(
        app.gql(
            "{ domainAvailable(domain: \"x.example\") { available } }",
            json!({}),
            Some(&w.reseller)
        )
        .await
        .error_code(),
        "FORBIDDEN"
    );

    // Platform administrators do not see customers; customer users do not see orders.
    let created = fourth_coffee(&app, &w).await;
    let customer_id = created["customer"]["id"].as_str().unwrap().to_owned();
    let order_id = created["order"]["id"].as_str().unwrap().to_owned();
    let admin = app.platform_admin_token().await;
    let node = "query($id: ID!) { node(id: $id) { id } }";
    assert_eq!(
        app.gql(node, json!({ "id": customer_id }), Some(&admin))
            .await
            .error_code(),
        "NOT_FOUND"
    );
    assert_eq!(
        app.gql(
            "{ customers(first: 5) { totalCount } }",
            json!({}),
            Some(&admin)
        )
        .await
        .error_code(),
        "FORBIDDEN"
    );
    let password = created["setupInfo"]["temporaryPassword"]
        .as_str()
        .unwrap()
        .to_owned();
    let temp = app.login("admin@fourthcoffee.example", &password).await;
    app.gql("mutation($c: String!) { changePassword(input: {currentPassword: $c, newPassword: \"coffee-password-1\"}) { userErrors { code } } }", json!({ "c": password }), Some(&temp)).await;
    let customer = app
        .login("admin@fourthcoffee.example", "coffee-password-1")
        .await;
    assert_eq!(
        app.gql(node, json!({ "id": order_id }), Some(&customer))
            .await
            .error_code(),
        "NOT_FOUND"
    );
    assert!(
        app.gql(node, json!({ "id": order_id }), Some(&w.reseller))
            .await
            .data()["node"]
            .is_object()
    );
}
e2e!(limits_and_visibility);
