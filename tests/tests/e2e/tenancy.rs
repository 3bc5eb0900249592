//! Global ids across tenants: another organization's id answers exactly like a missing one.

use e2e::{TestApp, e2e};
use serde_json::{Value, json};

const NODE: &str =
    "query($id: ID!) { node(id: $id) { id ... on Partner { companyName } ... on User { email } } }";

/// The error part of a response, without the `path`/`locations` that name the query.
fn error_shape(body: &Value) -> Value {
    json!({ "data": body["data"], "message": body["errors"][0]["message"], "extensions": body["errors"][0]["extensions"] })
}

async fn foreign_ids_answer_like_missing_ones(app: TestApp) {
    let (contoso_id, contoso) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "a@contoso.test")
        .await;
    let (fabrikam_id, fabrikam) = app
        .active_partner("INDIRECT_RESELLER", "Fabrikam", "a@fabrikam.test")
        .await;

    // Own partner is visible through node.
    let own = app
        .gql(NODE, json!({ "id": contoso_id }), Some(&contoso))
        .await;
    assert_eq!(own.data()["node"]["companyName"], "Contoso");

    // Another tenant's partner, a user of it, an id that never existed, an id of an unknown
    // type and an id that is not even base64: all the same NOT_FOUND.
    let fabrikam_user = app
        .gql("{ viewer { user { id } } }", json!({}), Some(&fabrikam))
        .await;
    let fabrikam_user_id = fabrikam_user.data()["viewer"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let missing_partner = base64_id("Partner:999999");
    let unknown_type = base64_id("Invoice:1");
    let ids = [
        fabrikam_id.as_str(),
        &fabrikam_user_id,
        &missing_partner,
        &unknown_type,
        "%%%not-an-id",
    ];
    let mut shapes = Vec::new();
    for id in ids {
        let res = app.gql(NODE, json!({ "id": id }), Some(&contoso)).await;
        assert_eq!(res.error_code(), "NOT_FOUND");
        shapes.push(error_shape(&res.body));
    }
    assert!(shapes.windows(2).all(|w| w[0] == w[1]), "{shapes:?}");

    // nodes(): one foreign id fails the field the same way.
    let nodes = app
        .gql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [contoso_id, fabrikam_id] }),
            Some(&contoso),
        )
        .await;
    assert_eq!(nodes.error_code(), "NOT_FOUND");
    let nodes = app
        .gql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [contoso_id] }),
            Some(&contoso),
        )
        .await;
    assert_eq!(nodes.data()["nodes"][0]["id"], contoso_id);

    // Mutations that take ids behave the same: a partner ADMIN cannot touch another
    // organization's users.
    let foreign_update = app
        .gql(
            "mutation($id: ID!) { updateUser(input: {userId: $id, name: \"Hacked\"}) { user { name } } }",
            json!({ "id": fabrikam_user_id }),
            Some(&contoso),
        )
        .await;
    assert_eq!(foreign_update.error_code(), "NOT_FOUND");
    let missing_update = app
        .gql(
            "mutation($id: ID!) { updateUser(input: {userId: $id, name: \"Hacked\"}) { user { name } } }",
            json!({ "id": base64_id("User:999999") }),
            Some(&contoso),
        )
        .await;
    assert_eq!(
        error_shape(&foreign_update.body),
        error_shape(&missing_update.body)
    );

    // The platform admin sees both tenants.
    let admin = app.platform_admin_token().await;
    let seen = app
        .gql(NODE, json!({ "id": fabrikam_id }), Some(&admin))
        .await;
    assert_eq!(seen.data()["node"]["companyName"], "Fabrikam");
    // Partner users cannot list partners at all.
    let list = app
        .gql(
            "{ partners(first: 5) { totalCount } }",
            json!({}),
            Some(&contoso),
        )
        .await;
    assert_eq!(list.error_code(), "FORBIDDEN");
}
e2e!(foreign_ids_answer_like_missing_ones);

fn base64_id(raw: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}
