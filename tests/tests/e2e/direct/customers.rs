//! The customers page: every field of the shape, nulls and escapes, aliases and fragments,
//! variables, paging both ways, every kind of viewer, and what the plan leaves to the
//! general path (errors), each answered alike with and without plans.

use super::{Pair, pair};
use e2e::{TestApp, e2e};
use serde_json::json;

/// The harness's read page (`bench/src/scenarios.rs`).
const BENCH: &str = "query CustomersPage { customers(first: 50) { totalCount \
    pageInfo { hasNextPage endCursor } edges { node { id companyName \
    subscriptions { id quantity status offer { id name } \
    partnerOfRecord { id companyName } supportContact { id companyName } } } } } }";

/// Every field the plan answers.
const EVERY_FIELD: &str = "query Every($n: Int) { customers(first: $n) { __typename totalCount
  pageInfo { __typename hasPreviousPage hasNextPage startCursor endCursor }
  edges { __typename cursor node { __typename id companyName domain country language
    adminUserName createdAt
    address { __typename line1 line2 city postalCode country }
    billingContact { __typename name email phone }
    subscriptions { __typename id quantity status createdAt updatedAt
      offer { __typename id name } partnerOfRecord { __typename id companyName }
      supportContact { __typename id companyName } } } }
  nodes { id companyName } } }";

const ALIASED: &str = "query Aliased { t: __typename list: customers(first: 4) {
    count: totalCount
    edges { node { ...C name: companyName ... on Customer { id domain } ... { theId: id } } }
    info: pageInfo { end: endCursor hasNextPage } again: totalCount } __typename }
  fragment C on Customer { id theId: id subscriptions { ...S } where: address { city } }
  fragment S on Subscription { id n: quantity offer { name } offer { id } }";

const FORWARD: &str = "query($n: Int!, $after: String, $before: String) {
  customers(first: $n, after: $after, before: $before) { totalCount
    pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
    edges { cursor node { id companyName subscriptions { id status } } } } }";

const BACKWARD: &str = "query($n: Int = 2, $after: String, $before: String) {
  customers(last: $n, after: $after, before: $before) {
    pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
    edges { cursor node { id companyName } } } }";

e2e!(customers_page_answers_byte_for_byte);
async fn customers_page_answers_byte_for_byte(app: TestApp) {
    let p = pair(app).await;
    let provider = Some(p.world.provider.as_str());
    let page = p.same(BENCH, json!({}), provider, true).await;
    assert_eq!(page["data"]["customers"]["totalCount"], 11, "{page}");
    assert!(page["extensions"]["cost"].is_object(), "{page}");
    let every = p
        .same(EVERY_FIELD, json!({ "n": 20 }), provider, true)
        .await;
    let edges = every["data"]["customers"]["edges"].as_array().unwrap();
    assert!(
        edges
            .iter()
            .any(|e| e["node"]["address"]["line2"].is_null())
    );
    assert!(
        edges
            .iter()
            .any(|e| e["node"]["subscriptions"] == json!([]))
    );
    assert!(
        edges
            .iter()
            .any(|e| e["node"]["subscriptions"][0]["partnerOfRecord"].is_null())
    );
    p.same(ALIASED, json!({}), provider, true).await;
    // Variables given, defaulted, null; the operation picked by name.
    p.same(EVERY_FIELD, json!({ "n": 3 }), provider, true).await;
    p.same(BACKWARD, json!({}), provider, true).await;
    p.same(
        BACKWARD,
        json!({ "n": null, "before": null }),
        provider,
        false,
    )
    .await;
    p.same_body(
        json!({ "query": BENCH, "operationName": "CustomersPage" }),
        provider,
        true,
    )
    .await;
    pages_both_ways(&p).await;
    viewers(&p).await;
    left_to_the_general_path(&p).await;
}

/// Forwards by 3 to the end, back by 2 to the start, and windows between two cursors.
async fn pages_both_ways(p: &Pair) {
    let provider = Some(p.world.provider.as_str());
    let windows = [(1, 6), (0, 1), (4, 9)];
    let cursors = p
        .walk(("customers", FORWARD, BACKWARD), provider, &windows)
        .await;
    assert_eq!(cursors.len(), 11);
}

/// The provider's reseller, an unrelated reseller, another provider, the customer's own
/// admin: each sees its own customers (another's cursor pages nothing of theirs).
async fn viewers(p: &Pair) {
    let w = &p.world;
    let reseller = p
        .same(EVERY_FIELD, json!({ "n": 10 }), Some(&w.reseller), true)
        .await;
    assert_eq!(reseller["data"]["customers"]["totalCount"], 1, "{reseller}");
    let none = p
        .same(
            EVERY_FIELD,
            json!({ "n": 10 }),
            Some(&w.outsider_reseller),
            true,
        )
        .await;
    assert_eq!(none["data"]["customers"]["totalCount"], 0, "{none}");
    let other = p
        .same(BENCH, json!({}), Some(&p.other_provider), true)
        .await;
    assert_eq!(other["data"]["customers"]["totalCount"], 3, "{other}");
    let own = p
        .same(EVERY_FIELD, json!({ "n": 10 }), Some(&p.customer), true)
        .await;
    assert_eq!(own["data"]["customers"]["totalCount"], 1, "{own}");
    // A cursor of the provider's list in the other provider's hands.
    let first = p
        .same(FORWARD, json!({ "n": 1 }), Some(&w.provider), true)
        .await;
    let cursor = &first["data"]["customers"]["edges"][0]["cursor"];
    let foreign = p
        .same(
            FORWARD,
            json!({ "n": 5, "after": cursor }),
            Some(&p.other_provider),
            true,
        )
        .await;
    let names: Vec<&str> = foreign["data"]["customers"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["companyName"].as_str().unwrap())
        .collect();
    assert!(names.len() <= 3, "only the other provider's own: {names:?}");
}

/// Errors and shapes the plan does not cover: the general path answers, as before.
async fn left_to_the_general_path(p: &Pair) {
    let provider = Some(p.world.provider.as_str());
    let page = "query($n: Int) { customers(first: $n) { edges { node { id } } } }";
    for (query, variables, token) in [
        (page, json!({ "n": 101 }), provider),
        (page, json!({ "n": "ten" }), provider),
        (page, json!({ "n": 2.5 }), provider),
        ("{ customers { totalCount } }", json!({}), provider),
        (
            "{ customers(first: 2, last: 2) { totalCount } }",
            json!({}),
            provider,
        ),
        (
            "{ customers(first: 2, after: \"bogus\") { totalCount } }",
            json!({}),
            provider,
        ),
        (BENCH, json!({}), None),
        (BENCH, json!({}), Some(p.platform.as_str())),
        (BENCH, json!({}), Some(p.customer_temporary.as_str())),
        (BENCH, json!({}), Some("not-a-session")),
    ] {
        let answer = p.same(query, variables, token, false).await;
        assert!(answer["errors"].is_array(), "{answer}");
    }
    for (query, variables) in [
        // Not the plan's shape: fields, filters, directives, several operations, unused
        // variables or fragments, a field the type does not have.
        (
            "{ customers(first: 2) { edges { node { provider { companyName } } } } }",
            json!({}),
        ),
        (
            "{ customers(first: 2, filter: {search: \"Plain\"}) { totalCount } }",
            json!({}),
        ),
        (
            "{ customers(first: 2) { totalCount @include(if: true) } }",
            json!({}),
        ),
        (
            "query A { __typename } query B { customers(first: 1) { totalCount } }",
            json!({}),
        ),
        (
            "query($x: Int) { customers(first: 1) { totalCount } }",
            json!({}),
        ),
        (
            "{ customers(first: 1) { totalCount } } fragment F on Customer { id }",
            json!({}),
        ),
        ("{ customers(first: 1) { totalCount nope } }", json!({})),
        (
            "{ customers(first: 1) { edges { node { id } } edges: totalCount } }",
            json!({}),
        ),
    ] {
        p.same(query, variables, provider, false).await;
    }
}

e2e!(typename_answers_byte_for_byte);
async fn typename_answers_byte_for_byte(app: TestApp) {
    let p = pair(app).await;
    let a = p.same("{ __typename }", json!({}), None, true).await;
    assert_eq!(a["data"], json!({ "__typename": "QueryRoot" }));
    p.same("{ __typename }", json!({}), Some(&p.world.provider), true)
        .await;
    p.same(
        "query Q { a: __typename b: __typename }",
        json!({}),
        None,
        true,
    )
    .await;
}
