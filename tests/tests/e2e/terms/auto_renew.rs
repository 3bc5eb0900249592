//! `setSubscriptionAutoRenew`: whoever may change the subscription's licenses (the
//! provider; a reseller whose relationship grants SUBSCRIPTION_MANAGER), an event for each
//! change; a subscription of another tenant answers exactly as a missing one.

use super::*;

async fn auto_renew_follows_the_subscription_managers(backend: Backend) {
    let t = Terms::spawn(backend).await;
    let app = &t.app;
    let w = world(app).await;
    let basic = offer_id(app, &w.provider, "M365-BUSINESS-BASIC").await;
    let (_, subs) = buy(
        app,
        &w,
        "renewing.example",
        true,
        json!([{ "offerId": basic, "quantity": 4 }]),
    )
    .await;
    let id = &subs[0];
    let set = |token: &str, on: bool| {
        let token = token.to_owned();
        let id = id.clone();
        async move {
            app.gql(AUTO_RENEW, json!({ "id": id, "on": on }), Some(&token))
                .await
        }
    };

    // The provider turns it off, the delegated reseller (SUBSCRIPTION_MANAGER) on again.
    let res = set(&w.provider, false).await;
    assert_eq!(
        res.data()["setSubscriptionAutoRenew"]["subscription"]["autoRenew"],
        false,
        "{:?}",
        res.body
    );
    assert_eq!(sub(app, &w.provider, id).await["autoRenew"], false);
    let res = set(&w.reseller, true).await;
    assert_eq!(
        res.data()["setSubscriptionAutoRenew"]["subscription"]["autoRenew"],
        true,
        "{:?}",
        res.body
    );
    assert_eq!(events(app, "subscription.auto_renew_set", id).await, 2);
    // The same value again changes and records nothing.
    set(&w.provider, true).await;
    assert_eq!(events(app, "subscription.auto_renew_set", id).await, 2);
    // Both parties read the event in the log.
    for token in [&w.provider, &w.reseller] {
        let res = app
            .gql("{ auditLog(first: 5, filter: {action: \"subscription.auto_renew_set\"}) { edges { node { action } } } }", json!({}), Some(token))
            .await;
        assert_eq!(
            res.data()["auditLog"]["edges"].as_array().map(Vec::len),
            Some(2),
            "{:?}",
            res.body
        );
    }

    // Another reseller and another provider: exactly as a missing id.
    let (_, other_provider) = app
        .active_partner(
            "INDIRECT_PROVIDER",
            "Litware Distribution",
            "admin@litware.test",
        )
        .await;
    let missing = e2e_missing_subscription();
    for token in [&w.outsider_reseller, &other_provider] {
        for target in [id.as_str(), missing.as_str()] {
            let res = app
                .gql(
                    AUTO_RENEW,
                    json!({ "id": target, "on": false }),
                    Some(token),
                )
                .await;
            assert_eq!(res.error_code(), "NOT_FOUND", "{:?}", res.body);
        }
    }
    assert_eq!(sub(app, &w.provider, id).await["autoRenew"], true);

    // A reseller whose relationship does not grant SUBSCRIPTION_MANAGER may not.
    let mut input = customer_input(
        "orders.example",
        Some(&w.reseller_id),
        json!([{ "offerId": basic, "quantity": 2 }]),
        "orders",
    );
    input["adminRoles"] = json!(["ORDER_MANAGER"]);
    let res = app
        .gql(CREATE, json!({ "input": input }), Some(&w.provider))
        .await;
    let limited = res.data()["createCustomer"]["customer"]["subscriptions"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{:?}", res.body))
        .to_owned();
    let res = app
        .gql(
            AUTO_RENEW,
            json!({ "id": limited, "on": false }),
            Some(&w.reseller),
        )
        .await;
    assert_eq!(res.error_code(), "FORBIDDEN", "{:?}", res.body);

    // A cancelled subscription has nothing to renew.
    app.gql(CANCEL, json!({ "id": limited }), Some(&w.provider))
        .await;
    let res = app
        .gql(
            AUTO_RENEW,
            json!({ "id": limited, "on": false }),
            Some(&w.provider),
        )
        .await;
    assert_eq!(
        res.data()["setSubscriptionAutoRenew"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
}
both!(auto_renew_follows_the_subscription_managers);

/// A well-formed subscription id that no row has.
fn e2e_missing_subscription() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("Subscription:999999")
}
