//! Item 1: removing a user who has done work. A SALES_AGENT who created a customer and
//! placed an order, and an ADMIN who requested a partnership and submitted a profile change
//! request, are removed by another ADMIN. Removal used to answer `INTERNAL` (foreign keys
//! from orders, invitations and change requests to the deleted user row) and left the
//! user's session working; now it deactivates: access ends at once, history still names the
//! user, and adding the same email again brings the same person back.

use super::{audit_entries, first_sign_in, user_error_codes};
use crate::customers::{CREATE, customer_input, offer_id};
use e2e::{TestApp, e2e};
use serde_json::{Value, json};

const ADD: &str = "mutation($input: AddUserInput!) { addUser(input: $input) {
    user { id email } temporaryPassword userErrors { code field } } }";
const REMOVE: &str = "mutation($id: ID!) { removeUser(input: {userId: $id}) {
    removedUserId userErrors { code } } }";
const USER: &str = "query($id: ID!) { node(id: $id) { ... on User { id email removedAt } } }";
const MEMBERS: &str = "query($id: ID!) { node(id: $id) { ... on Partner {
    users(first: 50) { totalCount nodes { id email } } } } }";

/// `addUser` as `admin`: (user id, temporary password).
async fn add(app: &TestApp, admin: &str, email: &str, role: &str) -> (String, String) {
    let res = app
        .gql(
            ADD,
            json!({ "input": { "email": email, "name": "Member", "role": role } }),
            Some(admin),
        )
        .await;
    let payload = &res.data()["addUser"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    (
        payload["user"]["id"].as_str().unwrap().to_owned(),
        payload["temporaryPassword"].as_str().unwrap().to_owned(),
    )
}

async fn member_emails(app: &TestApp, admin: &str, partner_id: &str) -> Vec<String> {
    let res = app
        .gql(MEMBERS, json!({ "id": partner_id }), Some(admin))
        .await;
    res.data()["node"]["users"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_owned())
        .collect()
}

/// Actor ids of the entries with `action` the organization's ADMIN sees.
async fn actors_of(app: &TestApp, admin: &str, action: &str) -> Vec<Value> {
    audit_entries(app, admin, action)
        .await
        .into_iter()
        .map(|e| e["actorUserId"].clone())
        .collect()
}

async fn removing_users_who_did_work_ends_access_and_keeps_history(app: TestApp) {
    let (partner_id, boss) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "boss@contoso.test")
        .await;
    app.active_partner("INDIRECT_RESELLER", "Fabrikam", "admin@fabrikam.test")
        .await;

    // The agent: first sign-in, then a customer and an order.
    let (agent_id, agent_temporary) = add(&app, &boss, "agent@contoso.test", "SALES_AGENT").await;
    let agent = first_sign_in(
        &app,
        "agent@contoso.test",
        &agent_temporary,
        "agent-password-1",
    )
    .await;
    let basic = offer_id(&app, &agent, "M365-BUSINESS-BASIC").await;
    let created = app
        .gql(
            CREATE,
            json!({ "input": customer_input("agent-made.example", None,
            json!([{ "offerId": basic, "quantity": 2 }]), "agent-1") }),
            Some(&agent),
        )
        .await;
    let customer_id = created.data()["createCustomer"]["customer"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let placed = app
        .gql("mutation($c: ID!, $o: ID!) { placeOrder(input: {customerId: $c, lines: [{offerId: $o, quantity: 1}]}) {
            order { id placedByUserId } userErrors { code } } }",
            json!({ "c": customer_id, "o": offer_id(&app, &agent, "ENTRA-ID-P1").await }), Some(&agent))
        .await;
    let order = placed.data()["placeOrder"]["order"].clone();
    assert_eq!(order["placedByUserId"], agent_id);

    // The second ADMIN: an invitation (emailed) and a profile change request.
    let (deputy_id, temporary) = add(&app, &boss, "deputy@contoso.test", "ADMIN").await;
    let deputy = first_sign_in(&app, "deputy@contoso.test", &temporary, "deputy-password-1").await;
    let invited = crate::partnerships::request(&app, &deputy, "admin@fabrikam.test").await;
    let submitted = app
        .gql_upload(
            "mutation($input: SubmitProfileChangeRequestInput!) { submitProfileChangeRequest(input: $input) {
               request { id } userErrors { code } } }",
            json!({ "input": { "companyName": "Contoso Cloud", "locations": [] } }),
            None,
            Some(&deputy),
        )
        .await;
    assert_eq!(
        submitted.data()["submitProfileChangeRequest"]["userErrors"],
        json!([])
    );

    // Both are removed: no INTERNAL, and their tokens stop working at once.
    for (id, token) in [(&agent_id, &agent), (&deputy_id, &deputy)] {
        let removed = app.gql(REMOVE, json!({ "id": id }), Some(&boss)).await;
        assert_eq!(removed.data()["removeUser"]["removedUserId"], *id);
        let viewer = app
            .gql("{ viewer { user { id } } }", json!({}), Some(token))
            .await;
        assert_eq!(viewer.error_code(), "UNAUTHENTICATED", "{}", viewer.body);
    }
    // A removed user cannot sign in: the same answer as an unknown email.
    let unknown = app
        .try_login("nobody@contoso.test", "agent-password-1")
        .await;
    for (email, password) in [
        ("agent@contoso.test", "agent-password-1"),
        ("deputy@contoso.test", "deputy-password-1"),
    ] {
        let refused = app.try_login(email, password).await;
        assert_eq!(user_error_codes(&refused, "login"), ["INVALID_CREDENTIALS"]);
        assert_eq!(refused.data()["login"], unknown.data()["login"]);
    }

    // History still names them, and the ADMIN sees when they were removed.
    for id in [&agent_id, &deputy_id] {
        let node = app.gql(USER, json!({ "id": id }), Some(&boss)).await;
        assert_eq!(node.data()["node"]["id"], *id);
        assert!(
            node.data()["node"]["removedAt"].is_string(),
            "{}",
            node.body
        );
    }
    let order_now = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Order { placedByUserId } } }",
            json!({ "id": order["id"] }),
            Some(&boss),
        )
        .await;
    assert_eq!(order_now.data()["node"]["placedByUserId"], agent_id);
    for (action, who) in [
        ("customer.created", &agent_id),
        ("order.placed", &agent_id),
        ("partnership_invitation.requested", &deputy_id),
        ("profile_change_request.submitted", &deputy_id),
    ] {
        let actors = actors_of(&app, &boss, action).await;
        assert!(actors.contains(&json!(who)), "{action}: {actors:?}");
    }
    // The invitation the deputy sent is still the provider's, still PENDING.
    let inv = app
        .gql(
            crate::partnerships::INVITATION,
            json!({ "id": invited.id }),
            Some(&boss),
        )
        .await;
    assert_eq!(inv.data()["node"]["status"], "PENDING");

    // The member list shows only who is still there.
    let members = member_emails(&app, &boss, &partner_id).await;
    assert_eq!(members, ["boss@contoso.test"]);

    // Adding the agent again brings the same user back, with a new temporary password.
    let (again_id, again_temporary) =
        add(&app, &boss, "agent@contoso.test", "HELPDESK_AGENT").await;
    assert_eq!(again_id, agent_id, "the same person, the same id");
    assert_ne!(again_temporary, agent_temporary);
    let back = app.try_login("agent@contoso.test", &again_temporary).await;
    assert_eq!(back.data()["login"]["mustChangePassword"], true);
    let old = app
        .try_login("agent@contoso.test", "agent-password-1")
        .await;
    assert_eq!(user_error_codes(&old, "login"), ["INVALID_CREDENTIALS"]);
    let node = app.gql(USER, json!({ "id": agent_id }), Some(&boss)).await;
    assert_eq!(node.data()["node"]["removedAt"], json!(null));
    let mut members = member_emails(&app, &boss, &partner_id).await;
    members.sort();
    assert_eq!(members, ["agent@contoso.test", "boss@contoso.test"]);
}
e2e!(removing_users_who_did_work_ends_access_and_keeps_history);
