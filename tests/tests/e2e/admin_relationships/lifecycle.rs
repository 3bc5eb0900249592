//! The lifecycle: created by the provider on a partner reseller's behalf, approved or
//! declined by the customer's admin through the emailed single-use link, terminated by any
//! party; one audit entry per transition.

use super::*;
use e2e::e2e;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

async fn provider_delegates_and_customer_approves(app: TestApp) {
    let w = world(&app).await;
    let (customer_id, admin, _) = customer(&app, &w, "bakery.example", None, None).await;

    // The contract's refusals.
    for (days, roles, auto, code) in [
        (0, json!(["ORDER_MANAGER"]), false, "OUT_OF_RANGE"),
        (731, json!(["ORDER_MANAGER"]), false, "OUT_OF_RANGE"),
        (90, json!([]), false, "INVALID"),
        (90, json!(["TENANT_OWNER"]), true, "INVALID"),
    ] {
        let res = app
            .gql(CREATE_REL, json!({ "input": { "customerId": customer_id, "resellerId": w.reseller_id, "roles": roles, "durationDays": days, "autoExtend": auto } }), Some(&w.provider))
            .await;
        assert_eq!(
            res.data()["createAdminRelationship"]["userErrors"][0]["code"],
            code,
            "{days} {roles}"
        );
    }
    let stranger = app
        .gql(CREATE_REL, json!({ "input": { "customerId": customer_id, "resellerId": w.outsider_reseller_id, "roles": ["ORDER_MANAGER"], "durationDays": 90 } }), Some(&w.provider))
        .await;
    assert_eq!(
        stranger.data()["createAdminRelationship"]["userErrors"][0]["code"],
        "RESELLER_NOT_PARTNER"
    );
    let by_reseller = app
        .gql(CREATE_REL, json!({ "input": { "customerId": customer_id, "resellerId": w.reseller_id, "roles": ["ORDER_MANAGER"], "durationDays": 90 } }), Some(&w.reseller))
        .await;
    assert_eq!(by_reseller.error_code(), "NOT_FOUND");

    // Two roles for 90 days: PENDING_APPROVAL, no end yet, CUSTOMER_READER added.
    let res = app
        .gql(CREATE_REL, json!({ "input": { "customerId": customer_id, "resellerId": w.reseller_id, "roles": ["SUBSCRIPTION_MANAGER", "USER_ADMINISTRATOR"], "durationDays": 90 } }), Some(&w.provider))
        .await;
    let created = &res.data()["createAdminRelationship"];
    let rel = &created["relationship"];
    assert_eq!(rel["status"], "PENDING_APPROVAL");
    assert_eq!(rel["endsAt"], Value::Null);
    assert_eq!(
        rel["roles"],
        json!([
            "CUSTOMER_READER",
            "SUBSCRIPTION_MANAGER",
            "USER_ADMINISTRATOR"
        ])
    );
    assert_eq!(rel["customer"]["companyName"], "Fourth Coffee");
    let rel_id = rel["id"].as_str().unwrap().to_owned();
    let token = created["link"]
        .as_str()
        .unwrap()
        .split("token=")
        .nth(1)
        .unwrap()
        .to_owned();
    // The email to the customer's admin carries the link.
    let email = entity::outbound_email::Entity::find()
        .filter(entity::outbound_email::Column::Kind.eq("ADMIN_RELATIONSHIP_APPROVAL"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(email.to_address, "admin@bakery.example");

    // Pending grants nothing: the reseller reads the relationship (with the customer's
    // name), not the customer.
    let node = "query($id: ID!) { node(id: $id) { id } }";
    let hidden = app
        .gql(node, json!({ "id": customer_id }), Some(&w.reseller))
        .await;
    assert_eq!(hidden.error_code(), "NOT_FOUND");
    let mine = app
        .gql("{ adminRelationships(first: 5) { totalCount edges { node { status customer { companyName subscriptions { id } } } } } }", json!({}), Some(&w.reseller))
        .await;
    assert_eq!(mine.data()["adminRelationships"]["totalCount"], 1);
    let seen = &mine.data()["adminRelationships"]["edges"][0]["node"];
    assert_eq!(seen["customer"]["companyName"], "Fourth Coffee");
    assert_eq!(seen["customer"]["subscriptions"], json!([]));

    // Only the customer's admin approves, once.
    let wrong = app
        .gql(APPROVE, json!({ "t": token }), Some(&w.provider))
        .await;
    assert_eq!(wrong.error_code(), "FORBIDDEN");
    let preview = app
        .gql("query($t: String!) { adminRelationshipByToken(token: $t) { roles durationDays provider { companyName } reseller { companyName } } }", json!({ "t": token }), Some(&admin))
        .await;
    assert_eq!(
        preview.data()["adminRelationshipByToken"]["reseller"]["companyName"],
        "Fabrikam Solutions"
    );
    let approved = app.gql(APPROVE, json!({ "t": token }), Some(&admin)).await;
    let p = &approved.data()["approveAdminRelationship"];
    assert_eq!(p["relationship"]["status"], "ACTIVE", "{p}");
    let ends = chrono::DateTime::parse_from_rfc3339(p["relationship"]["endsAt"].as_str().unwrap())
        .unwrap();
    let days = (ends.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_hours();
    assert!((89 * 24..=90 * 24).contains(&days), "{days} hours");
    let again = app.gql(APPROVE, json!({ "t": token }), Some(&admin)).await;
    assert_eq!(
        again.data()["approveAdminRelationship"]["userErrors"][0]["code"],
        "INVALID_TOKEN"
    );

    // ACTIVE: the reseller sees the customer, which names it as its reseller.
    let visible = app
        .gql("query($id: ID!) { node(id: $id) { ... on Customer { indirectReseller { companyName } adminRelationships { status } } } }", json!({ "id": customer_id }), Some(&w.reseller))
        .await;
    assert_eq!(
        visible.data()["node"]["indirectReseller"]["companyName"],
        "Fabrikam Solutions"
    );

    // A second request, declined.
    let (declined_id, decline_token) = delegate(
        &app,
        &w.provider,
        &customer_id,
        &w.reseller_id,
        json!(["ORDER_MANAGER"]),
        30,
    )
    .await;
    let declined = app
        .gql(DECLINE, json!({ "t": decline_token }), Some(&admin))
        .await;
    assert_eq!(
        declined.data()["declineAdminRelationship"]["relationship"]["status"],
        "DECLINED"
    );

    // The customer's admin terminates the active one: ended at once, once.
    let ended = app
        .gql(TERMINATE, json!({ "id": rel_id }), Some(&admin))
        .await;
    assert_eq!(
        ended.data()["terminateAdminRelationship"]["relationship"]["status"],
        "TERMINATED"
    );
    let twice = app
        .gql(TERMINATE, json!({ "id": rel_id }), Some(&w.provider))
        .await;
    assert_eq!(
        twice.data()["terminateAdminRelationship"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
    let gone = app
        .gql(node, json!({ "id": customer_id }), Some(&w.reseller))
        .await;
    assert_eq!(gone.error_code(), "NOT_FOUND");

    // One audit entry per transition.
    for action in [
        "admin_relationship.requested",
        "admin_relationship.approved",
        "admin_relationship.terminated",
    ] {
        assert_eq!(entries(&app, action, &rel_id).await, 1, "{action}");
    }
    assert_eq!(
        entries(&app, "admin_relationship.declined", &declined_id).await,
        1
    );
    // Both partners read them.
    let log = app
        .gql(
            "{ auditLog(first: 50) { edges { node { action } } } }",
            json!({}),
            Some(&w.reseller),
        )
        .await;
    let text = log.data().to_string();
    assert!(
        text.contains("ADMIN_RELATIONSHIP_APPROVED")
            || text.contains("admin_relationship.approved"),
        "{text}"
    );
}
e2e!(provider_delegates_and_customer_approves);

async fn approval_page_speaks_both_languages(app: TestApp) {
    for (lang, words) in [
        ("en", "Admin relationship approval"),
        ("zh-TW", "核准管理關係"),
    ] {
        let page = app
            .client
            .get(format!(
                "{}/admin-relationships/approve?token=abc&lang={lang}",
                app.address
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.headers().contains_key("content-security-policy"));
        let body = page.text().await.unwrap();
        assert!(body.contains(words), "{lang}: {body}");
        assert!(body.contains("/assets/admin_relationship.js"));
    }
    let script = app
        .client
        .get(format!("{}/assets/admin_relationship.js", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
}
e2e!(approval_page_speaks_both_languages);
