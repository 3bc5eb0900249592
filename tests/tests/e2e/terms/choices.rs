//! Offers state their terms and billing cycles; a new subscription gets the term asked for
//! (one of the offer's) or the offer's first, and renews unless told not to.

use super::*;

async fn terms_default_to_the_offers_first_and_can_be_chosen(backend: Backend) {
    let t = Terms::spawn(backend).await;
    let app = &t.app;
    let w = world(app).await;
    let res = app
        .gql(
            "{ offers(first: 20) { nodes { sku terms billingCycles termMonths } } }",
            json!({}),
            Some(&w.provider),
        )
        .await;
    let offers = res.data()["offers"]["nodes"].as_array().unwrap().clone();
    let of = |sku: &str| offers.iter().find(|o| o["sku"] == sku).unwrap().clone();
    assert_eq!(of("M365-BUSINESS-BASIC")["terms"], json!(["P1Y", "P1M"]));
    assert_eq!(
        of("M365-BUSINESS-BASIC")["billingCycles"],
        json!(["MONTHLY", "ANNUAL"])
    );
    assert_eq!(of("AZURE-PLAN")["terms"], json!(["P1M"]));
    assert_eq!(of("AZURE-PLAN")["billingCycles"], json!(["MONTHLY"]));

    let basic = offer_id(app, &w.provider, "M365-BUSINESS-BASIC").await;
    let azure = offer_id(app, &w.provider, "AZURE-PLAN").await;
    // A term the offer is not sold with is refused at its line's field.
    let input = customer_input(
        "terms-bad.example",
        None,
        json!([{ "offerId": basic, "quantity": 1 }, { "offerId": azure, "quantity": 1, "term": "P1Y" }]),
        "terms-bad",
    );
    let res = app
        .gql(CREATE, json!({ "input": input }), Some(&w.provider))
        .await;
    let errors = &res.data()["createCustomer"]["userErrors"];
    assert_eq!(errors[0]["code"], "INVALID", "{errors}");
    assert_eq!(errors[0]["field"], json!(["input", "lines", "1", "term"]));

    let (customer, subs) = buy(
        app,
        &w,
        "terms.example",
        false,
        json!([
            { "offerId": basic, "quantity": 3 },
            { "offerId": basic, "quantity": 2, "term": "P1M", "autoRenew": false }
        ]),
    )
    .await;
    let yearly = sub(app, &w.provider, &subs[0]).await;
    assert_eq!(yearly["term"], "P1Y");
    assert_eq!(yearly["autoRenew"], true);
    let start = time(&yearly["termStartedAt"]);
    assert_eq!(
        time(&yearly["termEndsAt"]),
        start.checked_add_months(chrono::Months::new(12)).unwrap()
    );
    assert_eq!(
        time(&yearly["cancellationWindowEndsAt"]),
        start + chrono::Duration::days(7)
    );
    let monthly = sub(app, &w.provider, &subs[1]).await;
    assert_eq!(monthly["term"], "P1M");
    assert_eq!(monthly["autoRenew"], false);
    assert_eq!(
        time(&monthly["termEndsAt"]),
        time(&monthly["termStartedAt"])
            .checked_add_months(chrono::Months::new(1))
            .unwrap()
    );

    // placeOrder and previewOrder take the same two choices.
    let res = app
        .gql("mutation($c: ID!, $o: ID!) { placeOrder(input: {customerId: $c, lines: [{offerId: $o, quantity: 1, term: P1M}]}) { order { lines { subscriptionId } } userErrors { code } } }",
             json!({ "c": customer, "o": basic }), Some(&w.provider))
        .await;
    let placed = res.data()["placeOrder"]["order"]["lines"][0]["subscriptionId"]
        .as_str()
        .unwrap_or_else(|| panic!("{:?}", res.body))
        .to_owned();
    let placed = sub(app, &w.provider, &placed).await;
    assert_eq!(
        (placed["term"].clone(), placed["autoRenew"].clone()),
        (json!("P1M"), json!(true))
    );
    let res = app
        .gql("query($o: ID!) { previewOrder(input: {country: \"US\", lines: [{offerId: $o, quantity: 1}, {offerId: $o, quantity: 1, term: P1M, autoRenew: false}]}) { valid lines { term autoRenew } } }",
             json!({ "o": basic }), Some(&w.provider))
        .await;
    assert_eq!(
        res.data()["previewOrder"]["lines"],
        json!([{ "term": "P1Y", "autoRenew": true }, { "term": "P1M", "autoRenew": false }])
    );
}
both!(terms_default_to_the_offers_first_and_can_be_chosen);

/// A subscription always has its current term: the database refuses a row without one
/// (NOT NULL on PostgreSQL, triggers on SQLite), so no page ever meets such a row (one
/// inserted by other means made the customers page answer INTERNAL).
async fn the_database_refuses_a_subscription_without_its_term(backend: Backend) {
    use sea_orm::ConnectionTrait;
    let t = Terms::spawn(backend).await;
    let app = &t.app;
    let w = world(app).await;
    let basic = offer_id(app, &w.provider, "M365-BUSINESS-BASIC").await;
    let (_, subs) = buy(
        app,
        &w,
        "required.example",
        false,
        json!([{ "offerId": basic, "quantity": 1 }]),
    )
    .await;
    let id = raw_id(&subs[0]);
    let copy = "INSERT INTO subscriptions (customer_id, offer_id, quantity, status, \
        partner_of_record_id, support_contact_partner_id, created_at, updated_at) \
        SELECT customer_id, offer_id, 1, 'ACTIVE', partner_of_record_id, \
        support_contact_partner_id, created_at, updated_at FROM subscriptions";
    assert!(
        app.db.execute_unprepared(copy).await.is_err(),
        "a row without a term was stored"
    );
    for column in ["term_started_at", "term_ends_at"] {
        let clear = format!("UPDATE subscriptions SET {column} = NULL WHERE id = {id}");
        assert!(
            app.db.execute_unprepared(&clear).await.is_err(),
            "{column} was cleared"
        );
    }
    // The subscription is as it was, and reads.
    let read = sub(app, &w.provider, &subs[0]).await;
    assert_eq!(read["term"], "P1Y", "{read}");
    assert!(read["termEndsAt"].is_string(), "{read}");
}
both!(the_database_refuses_a_subscription_without_its_term);
