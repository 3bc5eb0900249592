//! Roles inside a partner organization: an ADMIN adds users with a temporary password that
//! must be changed first, changes roles, removes users; non-admins cannot.

use e2e::{TestApp, e2e};
use serde_json::json;

const ADD: &str = "mutation($input: AddUserInput!) { addUser(input: $input) {
    user { id email role mustChangePassword } temporaryPassword userErrors { code field } } }";

async fn admin_manages_members_with_roles(app: TestApp) {
    let (partner_id, admin) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "boss@contoso.test")
        .await;
    let added = app
        .gql(ADD, json!({ "input": { "email": "sam@contoso.test", "name": "Sam", "role": "SALES_AGENT" } }), Some(&admin))
        .await;
    let payload = &added.data()["addUser"];
    assert_eq!(payload["user"]["role"], "SALES_AGENT");
    assert_eq!(payload["user"]["mustChangePassword"], true);
    let temporary = payload["temporaryPassword"].as_str().unwrap().to_owned();
    let sam_id = payload["user"]["id"].as_str().unwrap().to_owned();

    // Same email again: EMAIL_TAKEN.
    let dup = app
        .gql(
            ADD,
            json!({ "input": { "email": "SAM@contoso.test", "name": "Sam 2", "role": "ADMIN" } }),
            Some(&admin),
        )
        .await;
    assert_eq!(
        dup.data()["addUser"]["userErrors"][0]["code"],
        "EMAIL_TAKEN"
    );
    // Platform role cannot be handed out by a partner.
    let platform = app
        .gql(ADD, json!({ "input": { "email": "x@contoso.test", "name": "X", "role": "PLATFORM_ADMIN" } }), Some(&admin))
        .await;
    assert_eq!(
        platform.data()["addUser"]["userErrors"][0]["code"],
        "INVALID"
    );

    // Sam signs in with the temporary password: only changePassword/viewer work.
    let signed_in = app.try_login("sam@contoso.test", &temporary).await;
    assert_eq!(signed_in.data()["login"]["mustChangePassword"], true);
    let sam = signed_in.data()["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let offers = app
        .gql("{ offers(first: 1) { totalCount } }", json!({}), Some(&sam))
        .await;
    assert_eq!(offers.error_code(), "FORBIDDEN");
    assert_eq!(
        offers.body["errors"][0]["extensions"]["reason"],
        "PASSWORD_CHANGE_REQUIRED"
    );
    let viewer = app
        .gql(
            "{ viewer { user { mustChangePassword } } }",
            json!({}),
            Some(&sam),
        )
        .await;
    assert_eq!(viewer.data()["viewer"]["user"]["mustChangePassword"], true);
    let changed = app
        .gql(
            "mutation($c: String!) { changePassword(input: {currentPassword: $c, newPassword: \"sams-own-password\"}) { userErrors { code } } }",
            json!({ "c": temporary }),
            Some(&sam),
        )
        .await;
    assert_eq!(changed.data()["changePassword"]["userErrors"], json!([]));
    let offers = app
        .gql("{ offers(first: 1) { totalCount } }", json!({}), Some(&sam))
        .await;
    assert!(offers.data()["offers"]["totalCount"].as_u64().unwrap() >= 12);

    // A SALES_AGENT cannot manage users or see the member list.
    let refused = app
        .gql(
            ADD,
            json!({ "input": { "email": "y@contoso.test", "name": "Y", "role": "ADMIN" } }),
            Some(&sam),
        )
        .await;
    assert_eq!(refused.error_code(), "FORBIDDEN");
    let members_query = "query($id: ID!) { node(id: $id) { ... on Partner { users(first: 10) { totalCount edges { node { email role } } } } } }";
    let refused = app
        .gql(members_query, json!({ "id": partner_id }), Some(&sam))
        .await;
    assert_eq!(refused.error_code(), "FORBIDDEN");
    let listed = app
        .gql(members_query, json!({ "id": partner_id }), Some(&admin))
        .await;
    assert_eq!(listed.data()["node"]["users"]["totalCount"], 2);

    // Promote, rename, then the last-admin rule.
    let update = "mutation($input: UpdateUserInput!) { updateUser(input: $input) { user { name role } userErrors { code } } }";
    let promoted = app
        .gql(
            update,
            json!({ "input": { "userId": sam_id, "role": "HELPDESK_AGENT", "name": "Samuel" } }),
            Some(&admin),
        )
        .await;
    assert_eq!(
        promoted.data()["updateUser"]["user"],
        json!({ "name": "Samuel", "role": "HELPDESK_AGENT" })
    );
    let viewer = app
        .gql("{ viewer { user { id } } }", json!({}), Some(&admin))
        .await;
    let admin_id = viewer.data()["viewer"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let demote_last = app
        .gql(
            update,
            json!({ "input": { "userId": admin_id, "role": "SALES_AGENT" } }),
            Some(&admin),
        )
        .await;
    assert_eq!(
        demote_last.data()["updateUser"]["userErrors"][0]["code"],
        "LAST_ADMIN"
    );

    // Removal: not yourself; removing Sam ends Sam's sessions.
    let remove = "mutation($id: ID!) { removeUser(input: {userId: $id}) { removedUserId userErrors { code } } }";
    let myself = app
        .gql(remove, json!({ "id": admin_id }), Some(&admin))
        .await;
    assert_eq!(
        myself.data()["removeUser"]["userErrors"][0]["code"],
        "CANNOT_REMOVE_SELF"
    );
    let sam_token = app.login("sam@contoso.test", "sams-own-password").await;
    let removed = app.gql(remove, json!({ "id": sam_id }), Some(&admin)).await;
    assert_eq!(removed.data()["removeUser"]["removedUserId"], sam_id);
    let gone = app
        .gql("{ viewer { user { id } } }", json!({}), Some(&sam_token))
        .await;
    assert_eq!(gone.error_code(), "UNAUTHENTICATED");
}
e2e!(admin_manages_members_with_roles);
