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
        outsider_log.iter().all(|a| a.starts_with("partner.")),
        "{outsider_log:?}"
    );
}
e2e!(customer_and_account_changes_are_audited);
