//! Reseller relationships with existing customers: the emailed single-use link, accepted
//! by the customer's signed-in admin, with the same refusal, expiry and concurrency rules as
//! partnership invitations.

use super::*;
use e2e::e2e;
use e2e::services::eventually;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::time::Duration;

const REQUEST: &str = "mutation($c: ID!, $r: ID!) { requestCustomerResellerRelationship(input: {customerId: $c, indirectResellerId: $r}) {
  link request { id status reseller { companyName } } userErrors { code field } } }";
const ACCEPT: &str =
    "mutation($t: String!) { acceptCustomerResellerRelationship(input: {token: $t}) {
  customer { indirectReseller { companyName } } userErrors { code } } }";

/// A direct customer (no reseller) whose admin has set its own password: (id, admin token).
async fn direct_customer(app: &TestApp, w: &World, domain: &str) -> (String, String) {
    let basic = offer_id(app, &w.provider, "M365-BUSINESS-BASIC").await;
    let res = app
        .gql(CREATE, json!({ "input": customer_input(domain, None, json!([{ "offerId": basic, "quantity": 3 }]), domain) }), Some(&w.provider))
        .await;
    let payload = &res.data()["createCustomer"];
    let id = payload["customer"]["id"].as_str().unwrap().to_owned();
    let password = payload["setupInfo"]["temporaryPassword"]
        .as_str()
        .unwrap()
        .to_owned();
    let email = format!("admin@{domain}");
    let temp = app.login(&email, &password).await;
    app.gql("mutation($c: String!) { changePassword(input: {currentPassword: $c, newPassword: \"customer-password-1\"}) { userErrors { code } } }", json!({ "c": password }), Some(&temp)).await;
    (id, app.login(&email, "customer-password-1").await)
}

async fn customer_admin_accepts_a_reseller(app: TestApp) {
    let w = world(&app).await;
    let (customer_id, admin) = direct_customer(&app, &w, "bakery.example").await;
    let (_, other_admin) = direct_customer(&app, &w, "florist.example").await;

    // Refusals on request.
    let not_partner = app
        .gql(
            REQUEST,
            json!({ "c": customer_id, "r": w.outsider_reseller_id }),
            Some(&w.provider),
        )
        .await;
    assert_eq!(
        not_partner.data()["requestCustomerResellerRelationship"]["userErrors"][0]["code"],
        "RESELLER_NOT_PARTNER"
    );
    let by_reseller = app
        .gql(
            REQUEST,
            json!({ "c": customer_id, "r": w.reseller_id }),
            Some(&w.reseller),
        )
        .await;
    assert_eq!(
        by_reseller.error_code(),
        "NOT_FOUND",
        "the customer is not the reseller's"
    );

    let res = app
        .gql(
            REQUEST,
            json!({ "c": customer_id, "r": w.reseller_id }),
            Some(&w.provider),
        )
        .await;
    let payload = &res.data()["requestCustomerResellerRelationship"];
    assert_eq!(payload["request"]["status"], "PENDING");
    let link = payload["link"].as_str().unwrap().to_owned();
    assert!(link.contains("/customer-relationships/accept?token="));
    let token = link.split("token=").nth(1).unwrap().to_owned();

    // Emailed to the customer's admin through the outbox and the worker.
    let email = eventually("the email sent", Duration::from_secs(20), || async {
        entity::outbound_email::Entity::find()
            .filter(entity::outbound_email::Column::Kind.eq("CUSTOMER_RELATIONSHIP_REQUEST"))
            .one(&app.db)
            .await
            .unwrap()
            .filter(|e| e.status == entity::enums::DeliveryStatus::Sent)
    })
    .await;
    assert_eq!(email.to_address, "admin@bakery.example");
    assert!(email.subject.contains("Fabrikam Solutions"));
    let page = app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);

    // Refusals on accept: someone else's customer, a partner user, a bad token.
    let other = app
        .gql(ACCEPT, json!({ "t": token }), Some(&other_admin))
        .await;
    assert_eq!(
        other.data()["acceptCustomerResellerRelationship"]["userErrors"][0]["code"],
        "INVITATION_NOT_FOUND"
    );
    assert_eq!(
        app.gql(ACCEPT, json!({ "t": token }), Some(&w.reseller))
            .await
            .error_code(),
        "FORBIDDEN"
    );
    let bad = app.gql(ACCEPT, json!({ "t": "nope" }), Some(&admin)).await;
    assert_eq!(
        bad.data()["acceptCustomerResellerRelationship"]["userErrors"][0]["code"],
        "INVITATION_NOT_FOUND"
    );

    // Concurrent accepts: exactly one wins.
    let attempts = (0..6).map(|_| app.gql(ACCEPT, json!({ "t": token }), Some(&admin)));
    let results = futures::future::join_all(attempts).await;
    let wins = results
        .iter()
        .filter(|r| r.data()["acceptCustomerResellerRelationship"]["customer"].is_object())
        .count();
    assert_eq!(wins, 1);
    for r in &results {
        if let Some(e) = r.data()["acceptCustomerResellerRelationship"]["userErrors"].get(0) {
            assert_eq!(e["code"], "INVITATION_ALREADY_USED");
        }
    }
    let mine = app
        .gql(
            "{ viewer { customer { indirectReseller { companyName } } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        mine.data()["viewer"]["customer"]["indirectReseller"]["companyName"],
        "Fabrikam Solutions"
    );
    let delegated = app
        .gql(
            "{ customers(first: 5) { edges { node { domain } } } }",
            json!({}),
            Some(&w.reseller),
        )
        .await;
    assert_eq!(
        delegated.data()["customers"]["edges"][0]["node"]["domain"],
        "bakery.example"
    );

    // Expiry: refused at once, and the scheduled job's update covers these requests too.
    let (florist_id, florist_admin) = direct_customer(&app, &w, "grocer.example").await;
    let res = app
        .gql(
            REQUEST,
            json!({ "c": florist_id, "r": w.reseller_id }),
            Some(&w.provider),
        )
        .await;
    let stale = res.data()["requestCustomerResellerRelationship"]["link"]
        .as_str()
        .unwrap()
        .split("token=")
        .nth(1)
        .unwrap()
        .to_owned();
    use sea_orm::sea_query::Expr;
    entity::customer_relationship_request::Entity::update_many()
        .col_expr(
            entity::customer_relationship_request::Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::hours(1)),
        )
        .filter(
            entity::customer_relationship_request::Column::Status
                .eq(entity::enums::InvitationStatus::Pending),
        )
        .exec(&app.db)
        .await
        .unwrap();
    let expired = app
        .gql(ACCEPT, json!({ "t": stale }), Some(&florist_admin))
        .await;
    assert_eq!(
        expired.data()["acceptCustomerResellerRelationship"]["userErrors"][0]["code"],
        "INVITATION_EXPIRED"
    );
    assert_eq!(
        worker::expiry::expire_invitations(&app.db, chrono::Utc::now())
            .await
            .unwrap(),
        1
    );
    // The expiry is audited, for the provider who sent the request.
    let entries = entity::audit_entry::Entity::find()
        .filter(entity::audit_entry::Column::Action.eq("customer_relationship_request.expired"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].target_type, "CustomerRelationshipRequest");
    assert!(entries[0].subject_partner_id.is_some());
}
e2e!(customer_admin_accepts_a_reseller);
