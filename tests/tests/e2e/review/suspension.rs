//! Item 8, a suspended provider: every mutation of the schema (found by introspection, so
//! one added later is covered too) sent by its ADMIN answers `FORBIDDEN` with reason
//! `PARTNER_SUSPENDED` and changes nothing, except the few in `ALLOWED_WHILE_SUSPENDED`;
//! reads still work; once the platform approves it again, the same user acts again. A
//! suspended provider used to keep changing quantities, upgrading, suspending and setting
//! partners of record.

use super::every_mutation::{every_mutation, snapshot};
use super::{error_reason, first_sign_in};
use crate::customers::{customer_input, fourth_coffee, offer_id, world};
use api::auth::suspension::ALLOWED_WHILE_SUSPENDED;
use e2e::services::eventually;
use e2e::{TestApp, e2e};
use serde_json::{Map, Value, json};

async fn a_suspended_provider_can_sign_in_and_read_but_not_change_anything(app: TestApp) {
    let w = world(&app).await;
    let created = fourth_coffee(&app, &w).await;
    let customer_id = created["customer"]["id"].as_str().unwrap().to_owned();
    let basic = created["customer"]["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["offer"]["sku"] == "M365-BUSINESS-BASIC")
        .unwrap()["id"]
        .clone();
    let viewer = app
        .gql(
            "{ viewer { user { id } partner { id } } }",
            json!({}),
            Some(&w.provider),
        )
        .await;
    let provider_id = viewer.data()["viewer"]["partner"]["id"].clone();
    let added = app
        .gql("mutation { addUser(input: {email: \"agent@contoso.test\", name: \"A\", role: SALES_AGENT}) { user { id } } }", json!({}), Some(&w.provider))
        .await;
    let agent = added.data()["addUser"]["user"]["id"].clone();
    let invited = crate::partnerships::request(&app, &w.provider, "prospect@tailspin.test").await;
    // The embedded worker sends its email now, so that nothing changes the database later
    // while the snapshots below are compared.
    eventually(
        "the invitation's email",
        std::time::Duration::from_secs(20),
        || async {
            let d = crate::partnerships::delivery(&app, &w.provider, &invited.id).await;
            (d["status"] == "SENT").then_some(())
        },
    )
    .await;
    let partnerships = app
        .gql(
            "{ indirectResellers(first: 1) { nodes { id } } }",
            json!({}),
            Some(&w.provider),
        )
        .await;
    let partnership = partnerships.data()["indirectResellers"]["nodes"][0]["id"].clone();
    let standard = offer_id(&app, &w.provider, "M365-BUSINESS-STANDARD").await;
    let profile = app
        .gql_upload("mutation($input: SubmitProfileChangeRequestInput!) { submitProfileChangeRequest(input: $input) { request { id } } }",
            json!({ "input": { "companyName": "Contoso Two", "locations": [] } }), None, Some(&w.provider))
        .await;
    let profile_request = profile.data()["submitProfileChangeRequest"]["request"]["id"].clone();
    let platform = app.platform_admin_token().await;
    let suspended = app
        .gql("mutation($id: ID!) { suspendPartner(input: {partnerId: $id}) { partner { enrollmentStatus } } }",
            json!({ "id": provider_id }), Some(&platform))
        .await;
    assert_eq!(
        suspended.data()["suspendPartner"]["partner"]["enrollmentStatus"],
        "SUSPENDED"
    );

    // Arguments that would succeed (or at worst fail a business rule) for an ACTIVE provider.
    let sub = |extra: Value| {
        let mut input = json!({ "subscriptionId": basic });
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        input
    };
    let inputs: Map<String, Value> = json!({
        "addUser": { "email": "new@contoso.test", "name": "New", "role": "SALES_AGENT" },
        "updateUser": { "userId": agent, "name": "Renamed" },
        "removeUser": { "userId": agent },
        "enrollPartner": { "kind": "INDIRECT_RESELLER", "companyName": "Fresh", "country": "US",
            "adminName": "F", "adminEmail": "fresh@fresh.test", "password": "password-123" },
        "approveEnrollment": { "partnerId": provider_id },
        "suspendPartner": { "partnerId": w.reseller_id },
        "requestPartnership": { "resellerEmail": "another@tailspin.test" },
        "resendPartnershipInvitation": { "invitationId": invited.id },
        "revokePartnershipInvitation": { "invitationId": invited.id },
        "acceptPartnershipInvitation": { "token": invited.token },
        "declinePartnershipInvitation": { "token": invited.token },
        "endPartnership": { "partnershipId": partnership },
        "createCustomer": customer_input("while-suspended.example", None,
            json!([{ "offerId": standard, "quantity": 1 }]), "while-suspended"),
        "placeOrder": { "customerId": customer_id, "lines": [{ "subscriptionId": basic, "quantity": 1 }] },
        "updateSubscriptionQuantity": sub(json!({ "quantity": 12 })),
        "upgradeSubscription": sub(json!({ "targetOfferId": standard })),
        "suspendSubscription": sub(json!({})),
        "reactivateSubscription": sub(json!({})),
        "setSubscriptionPartnerOfRecord": sub(json!({ "partnerOfRecordId": w.reseller_id })),
        "setSubscriptionSupportContact": sub(json!({ "supportContactId": w.reseller_id })),
        "grantAzureTenantOwner": { "customerId": customer_id },
        "resetCustomerAdminPassword": { "customerId": customer_id },
        "requestCustomerResellerRelationship": { "customerId": customer_id, "indirectResellerId": w.reseller_id },
        "acceptCustomerResellerRelationship": { "token": "not-a-real-token" },
        "submitProfileChangeRequest": { "companyName": "Contoso Three", "locations": [] },
        "resolveProfileChangeRequest": { "requestId": profile_request, "decision": "START_REVIEW" },
    })
    .as_object()
    .unwrap()
    .clone();

    let before = snapshot(&app).await;
    let mut refused = Vec::new();
    for m in every_mutation(&app, &w.provider, &inputs).await {
        if ALLOWED_WHILE_SUSPENDED.contains(&m.name.as_str()) {
            continue;
        }
        let name = &m.name;
        let res = app.gql(&m.document, m.variables, Some(&w.provider)).await;
        assert_eq!(res.status, 403, "{name}: {}", res.body);
        assert_eq!(res.error_code(), "FORBIDDEN", "{name}");
        assert_eq!(error_reason(&res), "PARTNER_SUSPENDED", "{name}");
        assert!(res.body["data"].is_null(), "{name}: nothing ran");
        refused.push(m.name);
    }
    assert!(
        refused.len() >= inputs.len(),
        "every mutation was tried: {refused:?}"
    );
    assert_eq!(snapshot(&app).await, before, "nothing changed");

    // Reads still work.
    let reads = app
        .gql("{ viewer { partner { enrollmentStatus } } customers(first: 5) { totalCount }
               indirectResellers(first: 5) { totalCount } partnershipInvitations(first: 5) { totalCount } }",
            json!({}), Some(&w.provider))
        .await;
    let data = reads.data();
    assert_eq!(data["viewer"]["partner"]["enrollmentStatus"], "SUSPENDED");
    assert_eq!(data["customers"]["totalCount"], 1);
    assert_eq!(data["indirectResellers"]["totalCount"], 1);
    // The allowed ones: a user of a suspended organization still manages its own sign-in.
    let me = app.login("admin@contoso.test", "password-123").await;
    let fresh = first_sign_in(
        &app,
        "admin@contoso.test",
        "password-123",
        "a-new-password-1",
    )
    .await;
    assert_eq!(
        app.gql("{ viewer { user { id } } }", json!({}), Some(&me))
            .await
            .error_code(),
        "UNAUTHENTICATED",
        "changePassword signed the other sessions out"
    );

    // Approved again: the same user acts again.
    let approved = app
        .gql("mutation($id: ID!) { approveEnrollment(input: {partnerId: $id}) { partner { enrollmentStatus } } }",
            json!({ "id": provider_id }), Some(&platform))
        .await;
    assert_eq!(
        approved.data()["approveEnrollment"]["partner"]["enrollmentStatus"],
        "ACTIVE"
    );
    let changed = app
        .gql("mutation($input: UpdateSubscriptionQuantityInput!) { updateSubscriptionQuantity(input: $input) {
               subscription { quantity } userErrors { code } } }",
            json!({ "input": inputs["updateSubscriptionQuantity"] }), Some(&fresh))
        .await;
    assert_eq!(
        changed.data()["updateSubscriptionQuantity"]["subscription"]["quantity"],
        12
    );
}
e2e!(a_suspended_provider_can_sign_in_and_read_but_not_change_anything);
