//! The `offers` connection: the seeded catalog, filters and Relay paging.

use e2e::{TestApp, e2e};
use serde_json::json;

const OFFERS: &str = "query($first: Int, $last: Int, $after: String, $before: String, $filter: OfferFilter) {
  offers(first: $first, last: $last, after: $after, before: $before, filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id sku name category minQuantity maxQuantity isAddOn termMonths billingCycle
      monthlyUnitPrice { amountMinor currency formatted } countries upgradeTargets { sku } } }
  }
}";

async fn provider_lists_the_seeded_catalog(app: TestApp) {
    let (_, token) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "p@contoso.test")
        .await;
    let all = app.gql(OFFERS, json!({ "first": 100 }), Some(&token)).await;
    let offers = &all.data()["offers"];
    let total = offers["totalCount"].as_u64().unwrap();
    assert!(total >= 12, "at least 12 offers seeded");
    let edges = offers["edges"].as_array().unwrap();
    assert_eq!(edges.len() as u64, total);
    for category in ["PRODUCTIVITY", "AZURE", "SECURITY"] {
        assert!(
            edges.iter().any(|e| e["node"]["category"] == category),
            "{category}"
        );
    }
    assert!(edges.iter().any(|e| e["node"]["isAddOn"] == true));
    let basic = edges
        .iter()
        .find(|e| e["node"]["sku"] == "M365-BUSINESS-BASIC")
        .unwrap();
    assert_eq!(
        basic["node"]["monthlyUnitPrice"],
        json!({ "amountMinor": 600, "currency": "USD", "formatted": "$6.00" })
    );
    assert_eq!(basic["node"]["maxQuantity"], 300);
    assert_eq!(
        basic["node"]["upgradeTargets"],
        json!([{ "sku": "M365-BUSINESS-STANDARD" }, { "sku": "M365-BUSINESS-PREMIUM" }])
    );
    assert!(
        basic["node"]["countries"]
            .as_array()
            .unwrap()
            .contains(&json!("US"))
    );

    // Filters.
    let azure = app
        .gql(
            OFFERS,
            json!({ "first": 50, "filter": { "category": "AZURE" } }),
            Some(&token),
        )
        .await;
    let azure = azure.data()["offers"]["edges"].as_array().unwrap().clone();
    assert!(!azure.is_empty() && azure.iter().all(|e| e["node"]["category"] == "AZURE"));
    let search = app
        .gql(
            OFFERS,
            json!({ "first": 50, "filter": { "search": "entra" } }),
            Some(&token),
        )
        .await;
    let names: Vec<_> = search.data()["offers"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Microsoft Entra ID P1", "Microsoft Entra ID P2"]);
    let brazil = app
        .gql(
            OFFERS,
            json!({ "first": 100, "filter": { "country": "br" } }),
            Some(&token),
        )
        .await;
    let brazil = brazil.data()["offers"]["totalCount"].as_u64().unwrap();
    assert!(
        brazil > 0 && brazil < total,
        "some offers are not sold in BR"
    );
    let nowhere = app
        .gql(
            OFFERS,
            json!({ "first": 10, "filter": { "country": "AQ" } }),
            Some(&token),
        )
        .await;
    assert_eq!(nowhere.data()["offers"]["totalCount"], 0);
    // Wildcards in the search text are literal.
    let literal = app
        .gql(
            OFFERS,
            json!({ "first": 10, "filter": { "search": "%" } }),
            Some(&token),
        )
        .await;
    assert_eq!(literal.data()["offers"]["totalCount"], 0);
}
e2e!(provider_lists_the_seeded_catalog);

async fn offers_page_forward_and_backward(app: TestApp) {
    let (_, token) = app
        .active_partner("INDIRECT_RESELLER", "Fabrikam", "r@fabrikam.test")
        .await;
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = app
            .gql(OFFERS, json!({ "first": 5, "after": after }), Some(&token))
            .await;
        let conn = page.data()["offers"].clone();
        for e in conn["edges"].as_array().unwrap() {
            seen.push(e["node"]["sku"].as_str().unwrap().to_owned());
        }
        assert_eq!(conn["pageInfo"]["hasPreviousPage"], after.is_some());
        if conn["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let total = app.gql(OFFERS, json!({ "first": 100 }), Some(&token)).await;
    assert_eq!(
        seen.len() as u64,
        total.data()["offers"]["totalCount"].as_u64().unwrap()
    );
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no offer twice");

    let tail = app.gql(OFFERS, json!({ "last": 3 }), Some(&token)).await;
    let tail: Vec<_> = tail.data()["offers"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["sku"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(tail, seen[seen.len() - 3..]);

    // Anonymous callers do not see the catalog.
    assert_eq!(
        app.gql(OFFERS, json!({ "first": 5 }), None)
            .await
            .error_code(),
        "UNAUTHENTICATED"
    );
}
e2e!(offers_page_forward_and_backward);
