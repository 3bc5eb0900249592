//! The rules every document passes apply to trusted ones: an API client's scopes (the
//! policy table), the organization's second-factor rule, and the cost budget.

use super::*;

const SMALL_PAGE: &str = "query One { customers(first: 1) { totalCount } }";

async fn rules_still_apply(backend: Backend) {
    // The read page costs 751 points: a manifest holding it would not start with a bucket of
    // 100 (a document that could never be paid for is not trusted); one customer costs 2.
    let (app, _dir) = with_manifest(backend, &[OFFERS, SMALL_PAGE], |s| {
        s.rate_limits.cost_bucket = 100;
        s.rate_limits.cost_restore_per_second = 0;
    })
    .await;
    let admin = provider(&app).await;

    // Scopes: a client without CUSTOMERS_READ is refused the customers page.
    let client = crate::api_clients::create(&app, &admin, &["PARTNERSHIPS_READ"]).await;
    let client_token = crate::api_clients::access_token(&app, &client, None).await;
    let refused = by_id(&app, &id_of(SMALL_PAGE), json!({}), Some(&client_token)).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(refused.error_code(), "FORBIDDEN");
    assert_eq!(
        refused.body["errors"][0]["extensions"]["reason"],
        "INSUFFICIENT_SCOPE"
    );
    assert_eq!(
        refused.body["errors"][0]["extensions"]["requiredScope"],
        "customers:read"
    );

    // The budget: each call costs what the text does, until the 100 points are spent.
    let text = app.gql(OFFERS, json!({}), Some(&client_token)).await;
    let cost = text.body["extensions"]["cost"]["requestedQueryCost"]
        .as_u64()
        .unwrap();
    let mut spent = cost;
    while spent + cost <= 100 {
        let paid = by_id(&app, &id_of(OFFERS), json!({}), Some(&client_token)).await;
        assert_eq!(
            paid.body["extensions"]["cost"]["requestedQueryCost"], cost,
            "{}",
            paid.body
        );
        spent += cost;
    }
    let over = by_id(&app, &id_of(OFFERS), json!({}), Some(&client_token)).await;
    assert_eq!(over.status, 429, "{}", over.body);
    assert_eq!(over.error_code(), "RATE_LIMITED");

    // The second-factor rule: once the ADMIN requires it, its own trusted request is refused.
    let set = app
        .gql(
            "mutation { setOrganizationMfaRequired(input: {required: true}) {
               partner { mfaRequired } userErrors { code } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        set.data()["setOrganizationMfaRequired"]["partner"]["mfaRequired"],
        true
    );
    let refused = by_id(&app, &id_of(OFFERS), json!({}), Some(&admin)).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(
        refused.body["errors"][0]["extensions"]["reason"],
        "MFA_ENROLLMENT_REQUIRED"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_still_apply_sqlite() {
    rules_still_apply(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_still_apply_postgres() {
    rules_still_apply(Backend::Postgres).await;
}
