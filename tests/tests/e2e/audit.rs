//! The audit log: recorded with the change, visible to the acting organization and to the
//! owner of the changed object, to platform administrators, and to no one else.

use e2e::services::eventually;
use e2e::{TestApp, e2e};
use serde_json::{Value, json};
use std::time::Duration;

const LOG: &str =
    "query($f: AuditLogFilter) { auditLog(first: 50, filter: $f) { totalCount edges { node {
  action targetType targetId summary actorUserId actorPartnerId requestId occurredAt } } } }";

async fn actions(app: &TestApp, token: &str, filter: Value) -> Vec<String> {
    let res = app.gql(LOG, json!({ "f": filter }), Some(token)).await;
    res.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap().to_owned())
        .collect()
}

async fn partnership_steps_are_seen_by_the_right_organizations(app: TestApp) {
    let (_, provider) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let (_, reseller) = app
        .active_partner("INDIRECT_RESELLER", "Fabrikam", "admin@fabrikam.test")
        .await;
    let (_, outsider) = app
        .active_partner("INDIRECT_PROVIDER", "Litware", "admin@litware.test")
        .await;
    let req = app
        .gql("mutation { requestPartnership(input: {resellerEmail: \"admin@fabrikam.test\"}) { link invitation { id } } }", json!({}), Some(&provider))
        .await;
    let token = req.data()["requestPartnership"]["link"]
        .as_str()
        .unwrap()
        .split("token=")
        .nth(1)
        .unwrap()
        .to_owned();
    let invitation_id = req.data()["requestPartnership"]["invitation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The worker's delivery is recorded for the provider.
    eventually("the email.sent entry", Duration::from_secs(20), || async {
        let a = actions(&app, &provider, json!(null)).await;
        a.contains(&"email.sent".to_owned()).then_some(a)
    })
    .await;
    app.gql("mutation($t: String!) { acceptPartnershipInvitation(input: {token: $t}) { partnership { id } } }", json!({ "t": token }), Some(&reseller))
        .await;

    // The provider sees its request, the reseller's acceptance, and the delivery.
    let seen = actions(&app, &provider, json!(null)).await;
    for action in [
        "partnership_invitation.requested",
        "partnership_invitation.accepted",
        "partner.enrolled",
        "partner.approved",
    ] {
        assert!(seen.contains(&action.to_owned()), "{action} in {seen:?}");
    }
    // Newest first.
    let log = app.gql(LOG, json!({ "f": null }), Some(&provider)).await;
    let times: Vec<String> = log.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["occurredAt"].as_str().unwrap().to_owned())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);
    // Entries say who and which request.
    let accepted = log.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["action"] == "partnership_invitation.accepted")
        .unwrap()["node"]
        .clone();
    assert_eq!(accepted["targetId"], invitation_id.as_str());
    assert!(accepted["actorUserId"].is_string());
    assert_eq!(accepted["requestId"].as_str().unwrap().len(), 36);

    // The reseller sees its acceptance, not the provider's own steps.
    let theirs = actions(&app, &reseller, json!(null)).await;
    assert!(theirs.contains(&"partnership_invitation.accepted".to_owned()));
    assert!(!theirs.contains(&"partnership_invitation.requested".to_owned()));
    assert!(!theirs.contains(&"email.sent".to_owned()));
    // Another provider sees nothing of it; filtering by the target changes nothing.
    let outsider_log = actions(&app, &outsider, json!({ "targetId": invitation_id })).await;
    assert!(outsider_log.is_empty(), "{outsider_log:?}");
    // Platform administrators see everything; filters narrow it.
    let admin = app.platform_admin_token().await;
    let all = actions(&app, &admin, json!({ "targetId": invitation_id })).await;
    assert_eq!(
        all.iter()
            .filter(|a| a.starts_with("partnership_invitation."))
            .count(),
        2
    );
    let only = actions(
        &app,
        &admin,
        json!({ "action": "partnership_invitation.accepted" }),
    )
    .await;
    assert_eq!(only, ["partnership_invitation.accepted"]);
    let future = actions(&app, &admin, json!({ "from": "2999-01-01T00:00:00Z" })).await;
    assert!(future.is_empty());

    // Expiry is recorded by the worker for the provider.
    let stale = app
        .gql("mutation { requestPartnership(input: {resellerEmail: \"late@fabrikam.test\", draftOnly: true}) { invitation { id } } }", json!({}), Some(&provider))
        .await;
    let stale_id = stale.data()["requestPartnership"]["invitation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    entity::partnership_invitation::Entity::update_many()
        .col_expr(
            entity::partnership_invitation::Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::hours(1)),
        )
        .filter(
            entity::partnership_invitation::Column::Status
                .eq(entity::enums::InvitationStatus::Pending),
        )
        .exec(&app.db)
        .await
        .unwrap();
    worker::expiry::expire_invitations(&app.db, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(
        actions(&app, &provider, json!({ "targetId": stale_id })).await,
        [
            "partnership_invitation.expired",
            "partnership_invitation.requested"
        ]
    );
    assert!(
        actions(&app, &outsider, json!({ "targetId": stale_id }))
            .await
            .is_empty()
    );

    // There is no way to change or delete entries through the API.
    let schema = app
        .gql(
            "{ __schema { mutationType { fields { name } } } }",
            json!({}),
            None,
        )
        .await;
    let names: Vec<String> = schema.data()["__schema"]["mutationType"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_lowercase())
        .collect();
    assert!(names.iter().all(|n| !n.contains("audit")), "{names:?}");
}
e2e!(partnership_steps_are_seen_by_the_right_organizations);

async fn profile_request_steps_are_audited(app: TestApp) {
    let (_, provider) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let (_, other) = app
        .active_partner("INDIRECT_PROVIDER", "Litware", "admin@litware.test")
        .await;
    let submitted = app
        .gql_upload(
            "mutation($input: SubmitProfileChangeRequestInput!) { submitProfileChangeRequest(input: $input) { request { id } } }",
            json!({ "input": { "companyName": "Contoso Cloud", "locations": [{ "country": "US", "targetUrl": "https://contoso.example" }] } }),
            None,
            Some(&provider),
        )
        .await;
    let id = submitted.data()["submitProfileChangeRequest"]["request"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin = app.platform_admin_token().await;
    let resolve = "mutation($id: ID!, $d: ProfileRequestDecision!) { resolveProfileChangeRequest(input: {requestId: $id, decision: $d}) { request { status } } }";
    app.gql(
        resolve,
        json!({ "id": id, "d": "START_REVIEW" }),
        Some(&admin),
    )
    .await;
    app.gql(resolve, json!({ "id": id, "d": "COMPLETE" }), Some(&admin))
        .await;
    let filter = json!({ "targetId": id });
    let expected = [
        "profile_change_request.completed",
        "profile_change_request.in_review",
        "profile_change_request.submitted",
    ];
    assert_eq!(actions(&app, &provider, filter.clone()).await, expected);
    assert_eq!(actions(&app, &admin, filter.clone()).await, expected);
    assert!(actions(&app, &other, filter).await.is_empty());
}
e2e!(profile_request_steps_are_audited);

/// Customer work on a reseller's behalf is visible to both sides; users' changes to their
/// own organization only.
async fn customer_and_account_changes_are_audited(app: TestApp) {
    let (_, provider) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let (reseller_id, reseller) = app
        .active_partner("INDIRECT_RESELLER", "Fabrikam", "admin@fabrikam.test")
        .await;
    let (_, outsider) = app
        .active_partner("INDIRECT_RESELLER", "Northwind", "admin@northwind.test")
        .await;
    let link = app.gql("mutation { requestPartnership(input: {resellerEmail: \"admin@fabrikam.test\", draftOnly: true}) { link } }", json!({}), Some(&provider)).await;
    let token = link.data()["requestPartnership"]["link"]
        .as_str()
        .unwrap()
        .split("token=")
        .nth(1)
        .unwrap()
        .to_owned();
    app.gql("mutation($t: String!) { acceptPartnershipInvitation(input: {token: $t}) { partnership { id } } }", json!({ "t": token }), Some(&reseller)).await;
    let offers = app.gql("{ offers(first: 1, filter: {search: \"M365-BUSINESS-BASIC\"}) { edges { node { id } } } }", json!({}), Some(&provider)).await;
    let basic = offers.data()["offers"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = app
        .gql(
            "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id subscriptions { id } } } }",
            json!({ "i": { "companyName": "Fourth Coffee", "domain": "fourthcoffee.example", "country": "US",
                "address": { "line1": "1 Main St", "city": "Seattle", "postalCode": "98101" },
                "billingContact": { "name": "Ana", "email": "ana@fourthcoffee.example" },
                "indirectResellerId": reseller_id, "idempotencyKey": "a1",
                "lines": [{ "offerId": basic, "quantity": 3 }] } }),
            Some(&provider),
        )
        .await;
    let sub = created.data()["createCustomer"]["customer"]["subscriptions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.gql("mutation($s: ID!) { updateSubscriptionQuantity(input: {subscriptionId: $s, quantity: 4}) { subscription { quantity } } }", json!({ "s": sub }), Some(&reseller)).await;
    app.gql("mutation { addUser(input: {email: \"sam@contoso.test\", name: \"Sam\", role: SALES_AGENT}) { user { id } } }", json!({}), Some(&provider)).await;

    let provider_log = actions(&app, &provider, json!(null)).await;
    for action in [
        "customer.created",
        "subscription.quantity_changed",
        "user.added",
    ] {
        assert!(
            provider_log.contains(&action.to_owned()),
            "{action} in {provider_log:?}"
        );
    }
    let reseller_log = actions(&app, &reseller, json!(null)).await;
    assert!(
        reseller_log.contains(&"customer.created".to_owned()),
        "the delegated reseller sees it"
    );
    assert!(reseller_log.contains(&"subscription.quantity_changed".to_owned()));
    assert!(
        !reseller_log.contains(&"user.added".to_owned()),
        "the provider's own staff changes stay its own"
    );
    let outsider_log = actions(&app, &outsider, json!(null)).await;
    assert!(
        outsider_log
            .iter()
            .all(|a| a.starts_with("partner.") || a.starts_with("session.")),
        "only its own enrollment and sign-ins: {outsider_log:?}"
    );
}
e2e!(customer_and_account_changes_are_audited);

/// Every state-changing mutation of the earlier issues leaves its entry.
async fn every_mutation_leaves_an_entry(app: TestApp) {
    let gql = |q: &'static str, v: Value, t: String| {
        let app = &app;
        async move { app.gql(q, v, Some(&t)).await }
    };
    let (provider_id, provider) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let (reseller_id, reseller) = app
        .active_partner("INDIRECT_RESELLER", "Fabrikam", "admin@fabrikam.test")
        .await;
    let (other_id, other) = app
        .active_partner("INDIRECT_RESELLER", "Northwind", "admin@northwind.test")
        .await;
    let admin = app.platform_admin_token().await;
    let request = "mutation($e: String!) { requestPartnership(input: {resellerEmail: $e}) { link invitation { id } } }";
    let token_of = |res: &e2e::Gql| {
        res.data()["requestPartnership"]["link"]
            .as_str()
            .unwrap()
            .split("token=")
            .nth(1)
            .unwrap()
            .to_owned()
    };
    let accept = "mutation($t: String!) { acceptPartnershipInvitation(input: {token: $t}) { partnership { id } } }";

    // Partnerships: request, resend, revoke, accept, decline, end.
    let first = gql(
        request,
        json!({ "e": "admin@fabrikam.test" }),
        provider.clone(),
    )
    .await;
    let first_id = first.data()["requestPartnership"]["invitation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let resent = gql(
        "mutation($id: ID!) { resendPartnershipInvitation(input: {invitationId: $id}) { link } }",
        json!({ "id": first_id }),
        provider.clone(),
    )
    .await;
    let token = resent.data()["resendPartnershipInvitation"]["link"]
        .as_str()
        .unwrap()
        .split("token=")
        .nth(1)
        .unwrap()
        .to_owned();
    gql(accept, json!({ "t": token }), reseller.clone()).await;
    let revoked = gql(request, json!({ "e": "x@else.test" }), provider.clone()).await;
    gql("mutation($id: ID!) { revokePartnershipInvitation(input: {invitationId: $id}) { invitation { status } } }", json!({ "id": revoked.data()["requestPartnership"]["invitation"]["id"] }), provider.clone()).await;
    let declined = gql(
        request,
        json!({ "e": "admin@northwind.test" }),
        provider.clone(),
    )
    .await;
    gql(
        "mutation($t: String!) { declinePartnershipInvitation(input: {token: $t}) { declined } }",
        json!({ "t": token_of(&declined) }),
        other.clone(),
    )
    .await;
    let again = gql(
        request,
        json!({ "e": "admin@northwind.test" }),
        provider.clone(),
    )
    .await;
    let ended = gql(accept, json!({ "t": token_of(&again) }), other.clone()).await;
    gql("mutation($id: ID!) { endPartnership(input: {partnershipId: $id}) { partnership { status } } }", json!({ "id": ended.data()["acceptPartnershipInvitation"]["partnership"]["id"] }), provider.clone()).await;

    // Users of an organization.
    let added = gql("mutation { addUser(input: {email: \"sam@contoso.test\", name: \"Sam\", role: SALES_AGENT}) { user { id } } }", json!({}), provider.clone()).await;
    let sam = added.data()["addUser"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    gql("mutation($id: ID!) { updateUser(input: {userId: $id, role: HELPDESK_AGENT}) { user { id } } }", json!({ "id": sam }), provider.clone()).await;
    gql(
        "mutation($id: ID!) { removeUser(input: {userId: $id}) { removedUserId } }",
        json!({ "id": sam }),
        provider.clone(),
    )
    .await;

    // Customers and subscriptions.
    let offers = app
        .gql(
            "{ offers(first: 20) { edges { node { id sku } } } }",
            json!({}),
            Some(&provider),
        )
        .await;
    let offer = |sku: &str| {
        offers.data()["offers"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["node"]["sku"] == sku)
            .unwrap()["node"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let customer = |domain: &str, reseller: Option<&str>| {
        json!({ "i": { "companyName": domain, "domain": domain, "country": "US",
        "address": { "line1": "1 Main St", "city": "Seattle", "postalCode": "98101" },
        "billingContact": { "name": "Ana", "email": "ana@example.com" }, "indirectResellerId": reseller,
        // The tenant owner needs the TENANT_OWNER role (issue 21).
        "adminRoles": ["SUBSCRIPTION_MANAGER", "ORDER_MANAGER", "USER_ADMINISTRATOR", "TENANT_OWNER"],
        "idempotencyKey": domain, "lines": [{ "offerId": offer("M365-BUSINESS-BASIC"), "quantity": 3 }, { "offerId": offer("AZURE-PLAN"), "quantity": 1 }] } })
    };
    let create = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id subscriptions { id } } setupInfo { temporaryPassword } } }";
    let delegated = gql(
        create,
        customer("delegated.example", Some(&reseller_id)),
        provider.clone(),
    )
    .await;
    let c = &delegated.data()["createCustomer"]["customer"];
    let (customer_id, sub) = (
        c["id"].as_str().unwrap().to_owned(),
        c["subscriptions"][0]["id"].as_str().unwrap().to_owned(),
    );
    gql("mutation($c: ID!, $o: ID!) { placeOrder(input: {customerId: $c, lines: [{offerId: $o, quantity: 2}]}) { order { id } } }", json!({ "c": customer_id, "o": offer("ENTRA-ID-P1") }), provider.clone()).await;
    gql("mutation($s: ID!) { updateSubscriptionQuantity(input: {subscriptionId: $s, quantity: 5}) { subscription { id } } }", json!({ "s": sub }), reseller.clone()).await;
    gql("mutation($s: ID!) { suspendSubscription(input: {subscriptionId: $s}) { subscription { id } } }", json!({ "s": sub }), reseller.clone()).await;
    gql("mutation($s: ID!) { reactivateSubscription(input: {subscriptionId: $s}) { subscription { id } } }", json!({ "s": sub }), reseller.clone()).await;
    gql("mutation($s: ID!, $r: ID) { setSubscriptionPartnerOfRecord(input: {subscriptionId: $s, partnerOfRecordId: $r}) { subscription { id } } }", json!({ "s": sub, "r": reseller_id }), provider.clone()).await;
    gql("mutation($s: ID!, $r: ID) { setSubscriptionSupportContact(input: {subscriptionId: $s, supportContactId: $r}) { subscription { id } } }", json!({ "s": sub, "r": reseller_id }), provider.clone()).await;
    gql("mutation($s: ID!, $o: ID!) { upgradeSubscription(input: {subscriptionId: $s, targetOfferId: $o}) { subscription { id } } }", json!({ "s": sub, "o": offer("M365-BUSINESS-STANDARD") }), provider.clone()).await;
    gql(
        "mutation($c: ID!) { grantAzureTenantOwner(input: {customerId: $c}) { customer { id } } }",
        json!({ "c": customer_id }),
        provider.clone(),
    )
    .await;

    // A direct customer accepts a reseller relationship (its admin signs in, changes the
    // temporary password, accepts, signs out).
    let direct = gql(create, customer("direct.example", None), provider.clone()).await;
    let direct_id = direct.data()["createCustomer"]["customer"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let temp = direct.data()["createCustomer"]["setupInfo"]["temporaryPassword"]
        .as_str()
        .unwrap()
        .to_owned();
    let requested = gql("mutation($c: ID!, $r: ID!) { requestCustomerResellerRelationship(input: {customerId: $c, indirectResellerId: $r}) { link } }", json!({ "c": direct_id, "r": reseller_id }), provider.clone()).await;
    let rel_token = requested.data()["requestCustomerResellerRelationship"]["link"]
        .as_str()
        .unwrap()
        .split("token=")
        .nth(1)
        .unwrap()
        .to_owned();
    let first_login = app.login("admin@direct.example", &temp).await;
    gql("mutation($c: String!) { changePassword(input: {currentPassword: $c, newPassword: \"direct-password-1\"}) { userErrors { code } } }", json!({ "c": temp }), first_login.clone()).await;
    let customer_admin = app.login("admin@direct.example", "direct-password-1").await;
    gql("mutation($t: String!) { acceptCustomerResellerRelationship(input: {token: $t}) { customer { id } } }", json!({ "t": rel_token }), customer_admin.clone()).await;
    gql("mutation { logout { success } }", json!({}), customer_admin).await;

    // Enrollment life: suspension last (it blocks nothing recorded above).
    gql(
        "mutation($id: ID!) { suspendPartner(input: {partnerId: $id}) { partner { id } } }",
        json!({ "id": other_id }),
        admin.clone(),
    )
    .await;

    for action in [
        "partner.enrolled",
        "partner.approved",
        "partner.suspended",
        "session.started",
        "session.ended",
        "user.password_changed",
        "user.added",
        "user.updated",
        "user.removed",
        "partnership_invitation.requested",
        "partnership_invitation.resent",
        "partnership_invitation.revoked",
        "partnership_invitation.accepted",
        "partnership_invitation.declined",
        "partnership.ended",
        "customer.created",
        "order.placed",
        "subscription.quantity_changed",
        "subscription.suspended",
        "subscription.reactivated",
        "subscription.partner_of_record_set",
        "subscription.support_contact_set",
        "subscription.upgraded",
        "customer.azure_tenant_owner_granted",
        "customer_relationship.requested",
        "customer_relationship.accepted",
    ] {
        let res = app
            .gql(
                "query($a: String) { auditLog(first: 1, filter: {action: $a}) { totalCount } }",
                json!({ "a": action }),
                Some(&admin),
            )
            .await;
        assert!(
            res.data()["auditLog"]["totalCount"].as_u64().unwrap() >= 1,
            "no {action} entry"
        );
    }
    let _ = provider_id;
}
e2e!(every_mutation_leaves_an_entry);
