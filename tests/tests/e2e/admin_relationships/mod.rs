//! Admin relationships (granular, time-bound delegated administration) and offboarding:
//! the lifecycle, access by roles, the ways out, the worker's expiry, and their races.

mod access;
mod expiry;
mod figures;
mod lifecycle;
mod migration;
mod offboarding;
mod races;

pub use crate::customers::{CREATE, World, customer_input, offer_id, world};
use e2e::TestApp;
use serde_json::{Value, json};

pub const CREATE_REL: &str = "mutation($input: CreateAdminRelationshipInput!) {
  createAdminRelationship(input: $input) {
    link relationship { id status roles durationDays autoExtend endsAt approvedAt
      customer { companyName } reseller { companyName } provider { companyName } }
    userErrors { code field } } }";
pub const APPROVE: &str = "mutation($t: String!) { approveAdminRelationship(input: {token: $t}) {
  relationship { id status endsAt approvedAt roles } userErrors { code } } }";
pub const DECLINE: &str = "mutation($t: String!) { declineAdminRelationship(input: {token: $t}) {
  relationship { id status } userErrors { code } } }";
pub const TERMINATE: &str =
    "mutation($id: ID!) { terminateAdminRelationship(input: {relationshipId: $id}) {
  relationship { id status terminatedAt } userErrors { code } } }";
pub const QUANTITY: &str = "mutation($id: ID!, $q: Int!) { updateSubscriptionQuantity(input: {subscriptionId: $id, quantity: $q}) {
  subscription { quantity } userErrors { code } } }";

/// A customer of the world's provider (with its admin signed in on its own password):
/// (customer id, admin token, subscription ids). `reseller` and `roles` make the first
/// delegation through `createCustomer`.
pub async fn customer(
    app: &TestApp,
    w: &World,
    domain: &str,
    reseller: Option<&str>,
    roles: Option<Value>,
) -> (String, String, Vec<String>) {
    let basic = offer_id(app, &w.provider, "M365-BUSINESS-BASIC").await;
    let mut input = customer_input(
        domain,
        reseller,
        json!([{ "offerId": basic, "quantity": 10, "partnerOfRecordId": reseller }]),
        domain,
    );
    if let Some(roles) = roles {
        input["adminRoles"] = roles;
    }
    let res = app
        .gql(CREATE, json!({ "input": input }), Some(&w.provider))
        .await;
    let payload = &res.data()["createCustomer"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    let id = payload["customer"]["id"].as_str().unwrap().to_owned();
    let subs = payload["customer"]["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    let password = payload["setupInfo"]["temporaryPassword"]
        .as_str()
        .unwrap()
        .to_owned();
    let email = format!("admin@{domain}");
    let temp = app.login(&email, &password).await;
    app.gql("mutation($c: String!) { changePassword(input: {currentPassword: $c, newPassword: \"customer-password-1\"}) { userErrors { code } } }", json!({ "c": password }), Some(&temp)).await;
    (id, app.login(&email, "customer-password-1").await, subs)
}

/// Creates a relationship; returns (its id, the link's token).
pub async fn delegate(
    app: &TestApp,
    provider: &str,
    customer: &str,
    reseller: &str,
    roles: Value,
    days: i64,
) -> (String, String) {
    let res = app
        .gql(
            CREATE_REL,
            json!({ "input": { "customerId": customer, "resellerId": reseller, "roles": roles, "durationDays": days } }),
            Some(provider),
        )
        .await;
    let payload = &res.data()["createAdminRelationship"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    let link = payload["link"].as_str().unwrap();
    assert!(
        link.contains("/admin-relationships/approve?token="),
        "{link}"
    );
    (
        payload["relationship"]["id"].as_str().unwrap().to_owned(),
        link.split("token=").nth(1).unwrap().to_owned(),
    )
}

/// Creates and approves a relationship; returns its id.
pub async fn delegate_active(
    app: &TestApp,
    w: &World,
    customer_admin: &str,
    customer: &str,
    roles: Value,
) -> String {
    let (id, token) = delegate(app, &w.provider, customer, &w.reseller_id, roles, 90).await;
    let ok = app
        .gql(APPROVE, json!({ "t": token }), Some(customer_admin))
        .await;
    assert_eq!(
        ok.data()["approveAdminRelationship"]["relationship"]["status"],
        "ACTIVE",
        "{:?}",
        ok.data()
    );
    id
}

/// The raw id behind a global id.
pub fn raw_id(global: &str) -> i32 {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(global)
        .unwrap();
    String::from_utf8(raw)
        .unwrap()
        .split(':')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap()
}

/// How many audit entries of `action` name the target.
pub async fn entries(app: &TestApp, action: &str, target: &str) -> usize {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    entity::audit_entry::Entity::find()
        .filter(entity::audit_entry::Column::Action.eq(action))
        .filter(entity::audit_entry::Column::TargetId.eq(target))
        .count(&app.db)
        .await
        .unwrap() as usize
}
