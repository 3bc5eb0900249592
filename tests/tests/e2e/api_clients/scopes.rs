//! The scope matrix, generated from the running schema and the policy table: every root
//! query and mutation field is asked for by a client without each scope it needs (refused
//! with `INSUFFICIENT_SCOPE` and that `requiredScope`) and with all of them (let through
//! to the field's own rules); fields for people only are refused with `NOT_A_USER` whatever
//! the scopes. A root field the table does not declare fails the test. The subscription
//! root is checked over WebSocket, the only way it runs.

use super::*;
use api::graphql::policy::{self, Need};
use e2e::e2e;
use e2e::ws::WsClient;

const ROOTS: &str = "{ __schema {
  queryType { name fields { name } }
  mutationType { name fields { name } }
  subscriptionType { name fields { name } } } }";

/// (root type name, operation keyword, field names) of the running schema.
async fn roots(app: &TestApp, token: &str) -> Vec<(String, &'static str, Vec<String>)> {
    let res = app.gql(ROOTS, json!({}), Some(token)).await;
    let schema = &res.data()["__schema"];
    [
        ("queryType", "query"),
        ("mutationType", "mutation"),
        ("subscriptionType", "subscription"),
    ]
    .into_iter()
    .map(|(key, keyword)| {
        let root = &schema[key];
        let fields = root["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_owned())
            .collect();
        (root["name"].as_str().unwrap().to_owned(), keyword, fields)
    })
    .collect()
}

fn first_error(res: &e2e::Gql) -> (String, String, String) {
    let ext = &res.body["errors"][0]["extensions"];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    (
        text(&ext["code"]),
        text(&ext["reason"]),
        text(&ext["requiredScope"]),
    )
}

async fn scope_matrix(app: TestApp) {
    let admin = provider(&app).await;
    let client = create(&app, &admin, &ALL_SCOPES).await;
    let all = access_token(&app, &client, None).await;
    let dotted: Vec<String> = api::api_clients::ApiScope::ALL
        .iter()
        .map(|s| s.dotted().to_owned())
        .collect();
    // One token per scope left out.
    let mut without = std::collections::HashMap::new();
    for leave_out in &dotted {
        let rest: Vec<&str> = dotted
            .iter()
            .filter(|s| *s != leave_out)
            .map(String::as_str)
            .collect();
        without.insert(
            leave_out.clone(),
            access_token(&app, &client, Some(&rest.join(" "))).await,
        );
    }
    let mut checked = 0;
    for (type_name, keyword, fields) in roots(&app, &all).await {
        let table = policy::declared_on(&type_name).expect("a root type of the policy table");
        for field in fields {
            let declared = table
                .iter()
                .find(|(name, _)| *name == field)
                .map(|(_, p)| p.need)
                .unwrap_or_else(|| {
                    panic!(
                        "{type_name}.{field} has no declaration in api/src/graphql/policy/table.rs"
                    )
                });
            if keyword == "subscription" {
                continue;
            }
            // No arguments and no selection: the policy answers before validation would.
            let doc = format!("{keyword} {{ {field} }}");
            let with_all = app.gql(&doc, json!({}), Some(&all)).await;
            let (code, reason, _) = first_error(&with_all);
            match declared {
                Need::PeopleOnly => {
                    assert_eq!(with_all.status, 403, "{field}: {}", with_all.body);
                    assert_eq!(
                        (code.as_str(), reason.as_str()),
                        ("FORBIDDEN", "NOT_A_USER"),
                        "{field}"
                    );
                }
                Need::Open | Need::Scopes(_) => assert!(
                    !(code == "FORBIDDEN"
                        && ["INSUFFICIENT_SCOPE", "NOT_A_USER"].contains(&reason.as_str())),
                    "{field} with every scope: {}",
                    with_all.body
                ),
            }
            if let Need::Scopes(needed) = declared {
                for scope in needed {
                    let res = app
                        .gql(&doc, json!({}), Some(&without[scope.dotted()]))
                        .await;
                    assert_eq!(
                        res.status,
                        403,
                        "{field} without {}: {}",
                        scope.dotted(),
                        res.body
                    );
                    assert_eq!(
                        first_error(&res),
                        (
                            "FORBIDDEN".into(),
                            "INSUFFICIENT_SCOPE".into(),
                            scope.dotted().to_owned()
                        ),
                        "{field} without {}",
                        scope.dotted()
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(
        checked > 50,
        "every root query and mutation field: {checked}"
    );

    // The subscription root, over WebSocket.
    const EVENTS: &str = "subscription { events { id type actorApiClient { name } } }";
    let mut refused = WsClient::signed_in(&app.address, &without["events:read"]).await;
    refused.subscribe("1", EVENTS, json!({})).await;
    let message = refused.message_for("1").await;
    assert_eq!(message["type"], "error", "{message}");
    assert_eq!(
        message["payload"][0]["extensions"]["reason"],
        "INSUFFICIENT_SCOPE"
    );
    assert_eq!(
        message["payload"][0]["extensions"]["requiredScope"],
        "events:read"
    );
    let mut allowed = WsClient::signed_in(&app.address, &all).await;
    allowed.subscribe("1", EVENTS, json!({})).await;
    // The client's own change is an event it receives.
    crate::partnerships::request(&app, &all, "admin@fabrikam.test").await;
    let event = allowed.next_event("1").await;
    assert_eq!(event["type"], "PARTNERSHIP_INVITATION_REQUESTED", "{event}");
    assert_eq!(
        event["actorApiClient"]["name"], "ERP sync",
        "the client is the actor"
    );

    // People are not limited by scopes.
    let res = app
        .gql("{ viewer { user { email } } }", json!({}), Some(&admin))
        .await;
    assert_eq!(res.data()["viewer"]["user"]["email"], "admin@contoso.test");
}
e2e!(scope_matrix);

/// `node`/`nodes` need the object's read scope, decided per type.
async fn nodes_need_their_types_read_scope(app: TestApp) {
    let admin = provider(&app).await;
    let client = create(&app, &admin, &["PARTNERSHIPS_READ", "AUDIT_READ"]).await;
    let token = access_token(&app, &client, None).await;
    let viewer = app
        .gql(
            "{ viewer { user { id } partner { id } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let partner_id = viewer.data()["viewer"]["partner"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let user_id = viewer.data()["viewer"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let node = "query($id: ID!) { node(id: $id) { id } }";
    let res = app
        .gql(node, json!({ "id": partner_id }), Some(&token))
        .await;
    assert_eq!(res.data()["node"]["id"], partner_id.as_str());
    // Nor through the organization's users.
    let users =
        "query($id: ID!) { node(id: $id) { ... on Partner { users(first: 5) { totalCount } } } }";
    let res = app
        .gql(users, json!({ "id": partner_id }), Some(&token))
        .await;
    assert_eq!(first_error(&res).1, "NOT_A_USER", "{}", res.body);
    let res = app.gql(node, json!({ "id": user_id }), Some(&token)).await;
    assert_eq!(first_error(&res).1, "NOT_A_USER", "{}", res.body);
    let res = app
        .gql(node, json!({ "id": client.id }), Some(&token))
        .await;
    assert_eq!(first_error(&res).1, "NOT_A_USER", "{}", res.body);
    let narrow = access_token(&app, &client, Some("audit:read")).await;
    let res = app
        .gql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [partner_id] }),
            Some(&narrow),
        )
        .await;
    assert_eq!(
        first_error(&res),
        (
            "FORBIDDEN".into(),
            "INSUFFICIENT_SCOPE".into(),
            "partnerships:read".into()
        )
    );
}
e2e!(nodes_need_their_types_read_scope);
