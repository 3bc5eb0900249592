//! Lists whose order is not just the id: the public directory by name (several providers
//! with the same name, told apart by id) and the platform's profile request queue by due
//! date; and a page after a cursor whose row was deleted in between.

use super::{page, walk};
use crate::events::{create_endpoint, webhook_app};
use e2e::{Backend, TestApp, e2e};
use serde_json::json;

const SUBMIT: &str = "mutation($input: SubmitProfileChangeRequestInput!) {
  submitProfileChangeRequest(input: $input) { request { id } userErrors { code } } }";
const RESOLVE: &str = "mutation($id: ID!, $d: ProfileRequestDecision!) {
  resolveProfileChangeRequest(input: {requestId: $id, decision: $d}) { userErrors { code } } }";

/// An ACTIVE provider listed in the directory as `name`.
async fn listed(app: &TestApp, admin: &str, n: usize, name: &str) {
    let (_, token) = app
        .active_partner(
            "INDIRECT_PROVIDER",
            &format!("Provider {n}"),
            &format!("admin@p{n}.test"),
        )
        .await;
    let input = json!({ "input": { "companyName": name, "locations": [] } });
    let res = app.gql_upload(SUBMIT, input, None, Some(&token)).await;
    let id = res.data()["submitProfileChangeRequest"]["request"]["id"].clone();
    for decision in ["START_REVIEW", "COMPLETE"] {
        let res = app
            .gql(RESOLVE, json!({ "id": id, "d": decision }), Some(admin))
            .await;
        assert_eq!(
            res.data()["resolveProfileChangeRequest"]["userErrors"],
            json!([])
        );
    }
}

async fn orders_with_ties_page_by_their_whole_key(app: TestApp) {
    let admin = app.platform_admin_token().await;
    let names = [
        "Same Name Cloud",
        "Another Cloud",
        "Same Name Cloud",
        "Same Name Cloud",
    ];
    for (n, name) in names.iter().enumerate() {
        listed(&app, &admin, n, name).await;
    }

    // The directory, by name: one provider per page, forwards and backwards.
    let node = "key: partnerNetworkId";
    let dir = "providerDirectory";
    let forwards = walk(&app, None, dir, node, "", 1, true).await;
    assert_eq!(walk(&app, None, dir, node, "", 1, false).await, forwards);
    assert_eq!(walk(&app, None, dir, node, "", 2, true).await, forwards);
    let full = app
        .gql(
            "{ providerDirectory(first: 10) { edges { node { partnerNetworkId companyName } } } }",
            json!({}),
            None,
        )
        .await;
    let edges = full.data()["providerDirectory"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    let listed: Vec<&str> = edges
        .iter()
        .map(|e| e["node"]["partnerNetworkId"].as_str().unwrap())
        .collect();
    assert_eq!(listed, forwards, "each provider once, in the list's order");
    let shown: Vec<&str> = edges
        .iter()
        .map(|e| e["node"]["companyName"].as_str().unwrap())
        .collect();
    assert_eq!(
        shown,
        [
            "Another Cloud",
            "Same Name Cloud",
            "Same Name Cloud",
            "Same Name Cloud"
        ]
    );

    // The platform's queue, earliest due first (a date key, then the id).
    let queue = "profileChangeRequests";
    let forwards = walk(&app, Some(&admin), queue, "key: id", "", 1, true).await;
    assert_eq!(forwards.len(), 4);
    assert_eq!(
        walk(&app, Some(&admin), queue, "key: id", "", 3, false).await,
        forwards
    );
    let dues = app
        .gql(
            "{ profileChangeRequests(first: 10) { edges { node { id dueBy } } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let dues = dues.data()["profileChangeRequests"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    let ids: Vec<&str> = dues
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, forwards);
    let times: Vec<chrono::DateTime<chrono::FixedOffset>> = dues
        .iter()
        .map(|e| {
            chrono::DateTime::parse_from_rfc3339(e["node"]["dueBy"].as_str().unwrap()).unwrap()
        })
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
}
e2e!(orders_with_ties_page_by_their_whole_key);

const DELETE: &str = "mutation($id: ID!) { deleteWebhookEndpoint(input: {endpointId: $id}) {
  deletedEndpointId } }";

/// A client holding a cursor whose row is deleted before its next fetch still gets the
/// rows beyond it, and `pageInfo` still knows what lies on either side.
async fn a_deleted_cursor_row_still_pages(backend: Backend) {
    let app = webhook_app(backend, |_| {}).await;
    let (_, admin) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let mut ids = Vec::new();
    for n in 0..5 {
        let url = format!("http://127.0.0.1:9/hook/{n}");
        ids.push(
            create_endpoint(&app, &admin, &url, &["CUSTOMER_CREATED"])
                .await
                .0,
        );
    }
    ids.reverse(); // Newest first, as listed.
    let field = "webhookEndpoints";
    let first = page(
        &app,
        Some(&admin),
        field,
        "key: id",
        "",
        json!({ "first": 2 }),
    )
    .await;
    assert_eq!(first.keys, ids[0..2]);
    let delete = |id: String| {
        let (app, admin) = (&app, &admin);
        async move {
            let res = app.gql(DELETE, json!({ "id": id }), Some(admin)).await;
            assert_eq!(
                res.data()["deleteWebhookEndpoint"]["deletedEndpointId"],
                json!(id)
            );
        }
    };
    delete(ids[1].clone()).await;
    let after = first.cursors.last().cloned();
    let next = page(
        &app,
        Some(&admin),
        field,
        "key: id",
        "",
        json!({ "first": 2, "after": after }),
    )
    .await;
    assert_eq!(next.keys, ids[2..4]);
    assert!(next.has_previous && next.has_next);

    delete(ids[2].clone()).await;
    let before = next.cursors.first().cloned();
    let back = page(
        &app,
        Some(&admin),
        field,
        "key: id",
        "",
        json!({ "last": 2, "before": before }),
    )
    .await;
    assert_eq!(back.keys, ids[0..1]);
    assert!(!back.has_previous && back.has_next);
}

mod a_deleted_cursor_row_still_pages {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::a_deleted_cursor_row_still_pages(e2e::Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::a_deleted_cursor_row_still_pages(e2e::Backend::Postgres).await;
    }
}
