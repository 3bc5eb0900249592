//! The New customer wizard: review, submit, one-time setup info, idempotent retries,
//! all-or-nothing, and the customer's own sign-in.

use super::*;
use e2e::e2e;
use sea_orm::{EntityTrait, PaginatorTrait};

async fn wizard_creates_a_delegated_customer(app: TestApp) {
    let w = world(&app).await;
    let basic = offer_id(&app, &w.provider, "M365-BUSINESS-BASIC").await;
    let entra = offer_id(&app, &w.provider, "ENTRA-ID-P1").await;

    // Review step: validated and priced, nothing written.
    let preview = app
        .gql(
            "query($input: PreviewOrderInput!) { previewOrder(input: $input) { valid monthlyTotal { amountMinor formatted } lines { quantity monthlyTotal { amountMinor } } problems { code field } } }",
            json!({ "input": { "country": "US", "lines": [{ "offerId": basic, "quantity": 10 }, { "offerId": entra, "quantity": 5 }] } }),
            Some(&w.provider),
        )
        .await;
    let p = &preview.data()["previewOrder"];
    assert_eq!(p["valid"], true);
    assert_eq!(p["monthlyTotal"]["amountMinor"], 10 * 600 + 5 * 600);
    let bad = app
        .gql(
            "query($input: PreviewOrderInput!) { previewOrder(input: $input) { valid problems { code field } } }",
            json!({ "input": { "country": "BR", "lines": [{ "offerId": basic, "quantity": 301 }, { "offerId": offer_id(&app, &w.provider, "AZURE-RI-D2SV5-1Y").await, "quantity": 1 }] } }),
            Some(&w.provider),
        )
        .await;
    let b = &bad.data()["previewOrder"];
    assert_eq!(b["valid"], false);
    assert_eq!(
        b["problems"],
        json!([
            { "code": "OUT_OF_RANGE", "field": ["input", "lines", "0", "quantity"] },
            { "code": "OFFER_NOT_AVAILABLE", "field": ["input", "lines", "1", "offerId"] }
        ])
    );
    let available = app
        .gql(
            "{ domainAvailable(domain: \"FourthCoffee.example\") { domain available } }",
            json!({}),
            Some(&w.provider),
        )
        .await;
    assert_eq!(
        available.data()["domainAvailable"],
        json!({ "domain": "fourthcoffee.example", "available": true })
    );
    assert_eq!(
        entity::customer::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        0,
        "review writes nothing"
    );

    // Submit.
    let created = fourth_coffee(&app, &w).await;
    let customer = &created["customer"];
    assert_eq!(
        customer["indirectReseller"]["companyName"],
        "Fabrikam Solutions"
    );
    let subs = customer["subscriptions"].as_array().unwrap();
    assert_eq!(subs.len(), 2);
    assert_eq!(
        subs[1]["partnerOfRecord"]["companyName"],
        "Fabrikam Solutions"
    );
    assert_eq!(
        subs[0]["supportContact"]["companyName"],
        "Contoso Distribution"
    );
    assert_eq!(
        created["order"]["onBehalfOf"]["companyName"],
        "Fabrikam Solutions"
    );
    assert_eq!(created["order"]["lines"][0]["kind"], "NEW");
    let setup = &created["setupInfo"];
    assert_eq!(setup["adminUserName"], "admin@fourthcoffee.example");
    let password = setup["temporaryPassword"].as_str().unwrap().to_owned();
    assert_eq!(created["replayed"], false);
    let taken = app
        .gql(
            "{ domainAvailable(domain: \"fourthcoffee.example\") { available reason } }",
            json!({}),
            Some(&w.provider),
        )
        .await;
    assert_eq!(taken.data()["domainAvailable"]["available"], false);

    // The generated temporary password is stored only as a hash: a fast one, since it is
    // random and must be replaced at the first sign-in (the chosen one gets argon2id below).
    let users = entity::user::Entity::find().all(&app.db).await.unwrap();
    let admin = users
        .iter()
        .find(|u| u.email == "admin@fourthcoffee.example")
        .unwrap();
    assert!(admin.password_hash.starts_with("$sha256-temporary$"));
    for u in &users {
        assert!(!u.password_hash.contains(&password));
    }

    // The customer's admin signs in, must change the password, then sees only its own.
    let token = app.login("admin@fourthcoffee.example", &password).await;
    let blocked = app
        .gql(
            "{ customers(first: 5) { totalCount } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(blocked.error_code(), "FORBIDDEN");
    app.gql("mutation($c: String!) { changePassword(input: {currentPassword: $c, newPassword: \"coffee-password-1\"}) { userErrors { code } } }", json!({ "c": password }), Some(&token)).await;
    let admin = entity::user::Entity::find_by_id(admin.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(admin.password_hash.starts_with("$argon2id$"));
    let viewer = app.gql("{ viewer { user { role } customer { domain subscriptions { offer { sku } partnerOfRecord { companyName } supportContact { companyName } } } } customers(first: 5) { totalCount } }", json!({}), Some(&token)).await;
    let v = viewer.data();
    assert_eq!(v["viewer"]["user"]["role"], "CUSTOMER_ADMIN");
    assert_eq!(v["viewer"]["customer"]["domain"], "fourthcoffee.example");
    assert_eq!(
        v["viewer"]["customer"]["subscriptions"][1]["partnerOfRecord"]["companyName"],
        "Fabrikam Solutions"
    );
    assert_eq!(v["customers"]["totalCount"], 1);
    // ...and cannot change anything.
    let sub_id = subs[0]["id"].as_str().unwrap();
    let refused = app.gql("mutation($id: ID!) { suspendSubscription(input: {subscriptionId: $id}) { subscription { status } } }", json!({ "id": sub_id }), Some(&token)).await;
    assert_eq!(refused.error_code(), "FORBIDDEN");

    // The provider filters its customers by reseller and by search.
    let list = "query($r: ID, $s: String) { customers(first: 10, filter: {indirectResellerId: $r, search: $s}) { totalCount edges { node { domain subscriptions { offer { sku } } } } } }";
    let by_reseller = app
        .gql(list, json!({ "r": w.reseller_id }), Some(&w.provider))
        .await;
    assert_eq!(by_reseller.data()["customers"]["totalCount"], 1);
    let other = app
        .gql(
            list,
            json!({ "r": w.outsider_reseller_id }),
            Some(&w.provider),
        )
        .await;
    assert_eq!(other.data()["customers"]["totalCount"], 0);
    let search = app
        .gql(list, json!({ "s": "coffee" }), Some(&w.provider))
        .await;
    assert_eq!(
        search.data()["customers"]["edges"][0]["node"]["subscriptions"][0]["offer"]["sku"],
        "M365-BUSINESS-BASIC"
    );
}
e2e!(wizard_creates_a_delegated_customer);

async fn retried_submits_return_the_first_result(app: TestApp) {
    let w = world(&app).await;
    let basic = offer_id(&app, &w.provider, "M365-BUSINESS-BASIC").await;
    let input = customer_input(
        "contoso-cafe.example",
        None,
        json!([{ "offerId": basic, "quantity": 3 }]),
        "submit-42",
    );
    let first = app
        .gql(CREATE, json!({ "input": input }), Some(&w.provider))
        .await;
    let retry = app
        .gql(CREATE, json!({ "input": input }), Some(&w.provider))
        .await;
    let (a, b) = (
        &first.data()["createCustomer"],
        &retry.data()["createCustomer"],
    );
    assert_eq!(a["customer"]["id"], b["customer"]["id"]);
    assert_eq!(b["replayed"], true);
    assert_eq!(
        b["setupInfo"]["temporaryPassword"],
        json!(null),
        "the password is shown once"
    );
    assert_eq!(
        b["setupInfo"]["adminUserName"],
        "admin@contoso-cafe.example"
    );

    // Two concurrent submits with one key: one customer.
    let input = customer_input(
        "twin.example",
        None,
        json!([{ "offerId": basic, "quantity": 1 }]),
        "twin-key",
    );
    let (x, y) = tokio::join!(
        app.gql(CREATE, json!({ "input": input }), Some(&w.provider)),
        app.gql(CREATE, json!({ "input": input }), Some(&w.provider)),
    );
    let (x, y) = (&x.data()["createCustomer"], &y.data()["createCustomer"]);
    assert_eq!(x["customer"]["id"], y["customer"]["id"]);
    assert_eq!(
        [x["replayed"].as_bool(), y["replayed"].as_bool()]
            .iter()
            .filter(|r| **r == Some(true))
            .count(),
        1
    );
    assert_eq!(
        entity::customer::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        entity::order::Entity::find().count(&app.db).await.unwrap(),
        2
    );
}
e2e!(retried_submits_return_the_first_result);

async fn bad_submits_leave_nothing_behind(app: TestApp) {
    let w = world(&app).await;
    let basic = offer_id(&app, &w.provider, "M365-BUSINESS-BASIC").await;
    let azure_ri = offer_id(&app, &w.provider, "AZURE-RI-D2SV5-1Y").await;
    let counts = || async {
        (
            entity::customer::Entity::find()
                .count(&app.db)
                .await
                .unwrap(),
            entity::user::Entity::find().count(&app.db).await.unwrap(),
            entity::subscription::Entity::find()
                .count(&app.db)
                .await
                .unwrap(),
            entity::order::Entity::find().count(&app.db).await.unwrap(),
        )
    };
    let before = counts().await;
    let cases = [
        (
            customer_input(
                "a.example",
                None,
                json!([{ "offerId": basic, "quantity": 2 }, { "offerId": basic, "quantity": 0 }]),
                "k1",
            ),
            "OUT_OF_RANGE",
            json!(["input", "lines", "1", "quantity"]),
        ),
        (
            customer_input(
                "b.example",
                Some(&w.outsider_reseller_id),
                json!([{ "offerId": basic, "quantity": 2 }]),
                "k2",
            ),
            "RESELLER_NOT_PARTNER",
            json!(["input", "indirectResellerId"]),
        ),
        (
            customer_input(
                "c.example",
                None,
                json!([{ "offerId": basic, "quantity": 2, "partnerOfRecordId": w.outsider_reseller_id }]),
                "k3",
            ),
            "RESELLER_NOT_PARTNER",
            json!(["input", "lines", "0", "partnerOfRecordId"]),
        ),
        (
            customer_input(
                "not a domain",
                None,
                json!([{ "offerId": basic, "quantity": 2 }]),
                "k4",
            ),
            "INVALID",
            json!(["input", "domain"]),
        ),
        (
            customer_input("d.example", None, json!([]), "k5"),
            "INVALID",
            json!(["input", "lines"]),
        ),
        (
            {
                let mut i = customer_input(
                    "e.example",
                    None,
                    json!([{ "offerId": azure_ri, "quantity": 1 }]),
                    "k6",
                );
                i["country"] = json!("BR");
                i
            },
            "OFFER_NOT_AVAILABLE",
            json!(["input", "lines", "0", "offerId"]),
        ),
    ];
    for (input, code, field) in cases {
        let res = app
            .gql(CREATE, json!({ "input": input }), Some(&w.provider))
            .await;
        let errors = &res.data()["createCustomer"]["userErrors"];
        assert_eq!(errors[0]["code"], code, "{res:?}");
        assert_eq!(errors[0]["field"], field);
        assert_eq!(res.data()["createCustomer"]["customer"], json!(null));
    }
    assert_eq!(counts().await, before, "nothing half-written");

    // Domain already used.
    fourth_coffee(&app, &w).await;
    let dup = app.gql(CREATE, json!({ "input": customer_input("FOURTHCOFFEE.example", None, json!([{ "offerId": basic, "quantity": 1 }]), "k7") }), Some(&w.provider)).await;
    assert_eq!(
        dup.data()["createCustomer"]["userErrors"][0]["code"],
        "DOMAIN_TAKEN"
    );

    // Resellers, helpdesk agents and anonymous callers cannot create customers.
    let input = customer_input(
        "f.example",
        None,
        json!([{ "offerId": basic, "quantity": 1 }]),
        "k8",
    );
    assert_eq!(
        app.gql(CREATE, json!({ "input": input }), Some(&w.reseller))
            .await
            .error_code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql(CREATE, json!({ "input": input }), None)
            .await
            .error_code(),
        "UNAUTHENTICATED"
    );
}
e2e!(bad_submits_leave_nothing_behind);

/// The one-time password never reaches the logs (everything logged at debug level is
/// captured, including HTTP and SQL layers).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn temporary_password_never_reaches_the_logs() {
    let logs = e2e::capture_logs();
    let app = e2e::spawn_app(e2e::Backend::Sqlite).await;
    let w = world(&app).await;
    let created = fourth_coffee(&app, &w).await;
    let password = created["setupInfo"]["temporaryPassword"]
        .as_str()
        .unwrap()
        .to_owned();
    // Use it, as the customer would: sign-in and password change are logged paths too.
    let token = app.login("admin@fourthcoffee.example", &password).await;
    app.gql("mutation($c: String!) { changePassword(input: {currentPassword: $c, newPassword: \"coffee-password-1\"}) { userErrors { code } } }", json!({ "c": password }), Some(&token)).await;
    let text = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(text.contains("customer created"), "the capture works");
    assert!(
        !text.contains(&password),
        "the temporary password was logged"
    );
    assert!(!text.contains("coffee-password-1"));
}
