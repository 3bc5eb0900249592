//! Versions, `effectiveFrom`, markup rounding, the default list and the input rules.

use super::*;
use crate::events::both;
use e2e::Backend;

both!(versions_take_effect_and_markups_round_half_away_from_zero);
async fn versions_take_effect_and_markups_round_half_away_from_zero(backend: Backend) {
    let app = e2e::spawn_app(backend).await;
    let t = two_resellers(&app).await;
    let (p, a) = (&t.w.provider, &t.w.reseller_id);
    let list = create_list(&app, p, "Fabrikam", false).await;
    // Not on any list yet: the list price.
    assert_eq!(my_price(&app, &t.w.reseller, &t.standard).await, Some(1250));
    assert_eq!(assign(&app, p, &list, &[a]).await["userErrors"], json!([]));
    // 1250 at -12.5 % is 1093.75 → 1094.
    let set = set_price(
        &app,
        p,
        json!({ "priceListId": list, "offerId": t.standard, "markupPercent": "-12.5" }),
    )
    .await;
    assert_eq!(set["userErrors"], json!([]), "{set}");
    assert_eq!(set["price"]["markupPercent"], "-12.5");
    assert_eq!(set["price"]["unitPrice"], Value::Null);
    assert_eq!(my_price(&app, &t.w.reseller, &t.standard).await, Some(1094));
    assert_eq!(price_for(&app, p, &t.standard, a).await, Some(1094));
    // 1250 at -12.46 % is 1094.25 → 1094; at -0.04 % 1249.5 → 1250 (half away from zero).
    set_price(
        &app,
        p,
        json!({ "priceListId": list, "offerId": t.standard, "markupPercent": "-0.04" }),
    )
    .await;
    assert_eq!(my_price(&app, &t.w.reseller, &t.standard).await, Some(1250));
    set_price(
        &app,
        p,
        json!({ "priceListId": list, "offerId": t.standard, "markupPercent": "-12.46" }),
    )
    .await;
    assert_eq!(my_price(&app, &t.w.reseller, &t.standard).await, Some(1094));

    // A version for later leaves today's price alone; `prices(at:)` shows each moment.
    let later = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let fixed = set_price(
        &app,
        p,
        json!({ "priceListId": list, "offerId": t.standard,
        "unitPrice": { "amountMinor": 999, "currency": "USD" }, "effectiveFrom": later }),
    )
    .await;
    assert_eq!(fixed["userErrors"], json!([]), "{fixed}");
    assert_eq!(my_price(&app, &t.w.reseller, &t.standard).await, Some(1094));
    let q = "query($id: ID!, $at: DateTime) { node(id: $id) { ... on PriceList {
      prices(first: 10, at: $at) { totalCount edges { node { offer { sku } unitPrice { amountMinor } markupPercent } } } } } }";
    let now = app.gql(q, json!({ "id": list }), Some(p)).await;
    let prices = &now.data()["node"]["prices"];
    assert_eq!(prices["totalCount"], 1, "{prices}");
    assert_eq!(prices["edges"][0]["node"]["markupPercent"], "-12.46");
    let at = (chrono::Utc::now() + chrono::Duration::days(31)).to_rfc3339();
    let then = app.gql(q, json!({ "id": list, "at": at }), Some(p)).await;
    let prices = &then.data()["node"]["prices"];
    assert_eq!(prices["totalCount"], 1, "{prices}");
    assert_eq!(prices["edges"][0]["node"]["unitPrice"]["amountMinor"], 999);

    // The default list prices resellers without a list of their own.
    let default = create_list(&app, p, "Everyone else", true).await;
    set_price(
        &app,
        p,
        json!({ "priceListId": default, "offerId": t.standard, "markupPercent": "-5" }),
    )
    .await;
    assert_eq!(
        my_price(&app, &t.w.outsider_reseller, &t.standard).await,
        Some(1188)
    );
    assert_eq!(my_price(&app, &t.w.reseller, &t.standard).await, Some(1094));
    // A new default takes over; the old one stops being the default.
    let newer = create_list(&app, p, "Everyone else 2027", true).await;
    let lists = app
        .gql(
            "{ priceLists(first: 10) { edges { node { id isDefault } } } }",
            json!({}),
            Some(p),
        )
        .await;
    let defaults: Vec<&Value> = lists.data()["priceLists"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["isDefault"] == true)
        .collect();
    assert_eq!(defaults.len(), 1);
    assert_eq!(defaults[0]["node"]["id"], newer.as_str());
    assert_eq!(
        my_price(&app, &t.w.outsider_reseller, &t.standard).await,
        Some(1250)
    );
    // Every change is an event.
    let log = app
        .gql(
            "{ auditLog(first: 20) { edges { node { action } } } }",
            json!({}),
            Some(p),
        )
        .await;
    let log = log.body.to_string();
    for action in [
        "price_list.created",
        "reseller_price.set",
        "price_list.assigned",
    ] {
        assert!(log.contains(action), "{action} in {log}");
    }
}

both!(bad_prices_are_user_errors);
async fn bad_prices_are_user_errors(backend: Backend) {
    let app = e2e::spawn_app(backend).await;
    let t = two_resellers(&app).await;
    let p = &t.w.provider;
    let list = create_list(&app, p, "Fabrikam", false).await;
    let code = |v: &Value| {
        v["userErrors"][0]["code"]
            .as_str()
            .unwrap_or("none")
            .to_owned()
    };
    let base = json!({ "priceListId": list, "offerId": t.standard });
    let with = |extra: Value| {
        let mut input = base.clone();
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        input
    };
    let both = set_price(
        &app,
        p,
        with(json!({ "markupPercent": "1", "unitPrice": { "amountMinor": 1, "currency": "USD" } })),
    )
    .await;
    assert_eq!(code(&both), "INVALID");
    assert_eq!(code(&set_price(&app, p, base.clone()).await), "INVALID");
    assert_eq!(
        code(&set_price(&app, p, with(json!({ "markupPercent": "12.34567" }))).await),
        "INVALID"
    );
    assert_eq!(
        code(&set_price(&app, p, with(json!({ "markupPercent": "-100.5" }))).await),
        "INVALID"
    );
    let eur = set_price(
        &app,
        p,
        with(json!({ "unitPrice": { "amountMinor": 1, "currency": "EUR" } })),
    )
    .await;
    assert_eq!(code(&eur), "INVALID");
    assert_eq!(
        eur["userErrors"][0]["field"],
        json!(["input", "unitPrice", "currency"])
    );
    let neg = set_price(
        &app,
        p,
        with(json!({ "unitPrice": { "amountMinor": -1, "currency": "USD" } })),
    )
    .await;
    assert_eq!(code(&neg), "OUT_OF_RANGE");
    let past = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    let old = set_price(
        &app,
        p,
        with(json!({ "markupPercent": "1", "effectiveFrom": past })),
    )
    .await;
    assert_eq!(code(&old), "OUT_OF_RANGE");
    // Assigning to a reseller that is not an ACTIVE partner is refused, pointing at it.
    let (stranger, _) = app
        .active_partner("INDIRECT_RESELLER", "Tailspin", "admin@tailspin.test")
        .await;
    let refused = assign(&app, p, &list, &[&t.w.reseller_id, &stranger]).await;
    assert_eq!(code(&refused), "RESELLER_NOT_PARTNER");
    assert_eq!(
        refused["userErrors"][0]["field"],
        json!(["input", "resellerIds", "1"])
    );
    let res = app
        .gql(CREATE, json!({ "input": { "name": "  " } }), Some(p))
        .await;
    assert_eq!(code(&res.data()["createPriceList"]), "INVALID");
}
