//! The way out, from GraphQL alone, as a provider runs it: `Partnership.usage` and
//! `PARTNERSHIP_IN_USE` say what is in use, `offboardReseller` clears it in one transaction
//! and ends the partnership; `cancelSubscription` and `revokeAzureTenantOwner`.

use super::*;
use e2e::e2e;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

const PARTNERSHIPS: &str = "{ indirectResellers(first: 10) { edges { node { id status
  reseller { id companyName } usage { customers subscriptions } } } } }";
const OFFBOARD: &str = "mutation($id: ID!, $to: ID) { offboardReseller(input: {partnershipId: $id, reassignTo: $to}) {
  partnership { status } relationshipsTerminated designationsMoved designationsCleared tenantOwnershipsRevoked
  userErrors { code field } } }";

async fn partnership_of(app: &TestApp, provider: &str, reseller_id: &str) -> Value {
    let res = app.gql(PARTNERSHIPS, json!({}), Some(provider)).await;
    res.data()["indirectResellers"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["reseller"]["id"] == reseller_id)
        .unwrap_or_else(|| panic!("{:?}", res.data()))["node"]
        .clone()
}

async fn provider_offboards_a_reseller_from_graphql(app: TestApp) {
    let w = world(&app).await;
    // Fabrikam administers two customers and is partner of record and support contact.
    let (first, _, subs) = customer(&app, &w, "one.example", Some(&w.reseller_id), None).await;
    customer(&app, &w, "two.example", Some(&w.reseller_id), None).await;
    app.gql("mutation($s: ID!, $r: ID) { setSubscriptionSupportContact(input: {subscriptionId: $s, supportContactId: $r}) { userErrors { code } } }", json!({ "s": subs[0], "r": w.reseller_id }), Some(&w.provider)).await;
    let partnership = partnership_of(&app, &w.provider, &w.reseller_id).await;
    assert_eq!(
        partnership["usage"],
        json!({ "customers": 2, "subscriptions": 2 })
    );
    let id = partnership["id"].as_str().unwrap().to_owned();

    // Ending it as it is says what is in use.
    let refused = app
        .gql(crate::races::END, json!({ "id": id }), Some(&w.provider))
        .await;
    assert_eq!(
        refused.data()["endPartnership"]["userErrors"][0]["code"],
        "PARTNERSHIP_IN_USE"
    );
    let message = app
        .gql("mutation($id: ID!) { endPartnership(input: {partnershipId: $id}) { userErrors { message } } }", json!({ "id": id }), Some(&w.provider))
        .await;
    let text = message.data()["endPartnership"]["userErrors"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(text.contains('2'), "{text}");

    // Only the provider's ADMIN offboards; reassignTo must be another partner.
    let by_reseller = app
        .gql(OFFBOARD, json!({ "id": id, "to": null }), Some(&w.reseller))
        .await;
    assert_eq!(by_reseller.error_code(), "FORBIDDEN");
    let to_stranger = app
        .gql(
            OFFBOARD,
            json!({ "id": id, "to": w.outsider_reseller_id }),
            Some(&w.provider),
        )
        .await;
    assert_eq!(
        to_stranger.data()["offboardReseller"]["userErrors"][0]["code"],
        "RESELLER_NOT_PARTNER"
    );

    let done = app
        .gql(OFFBOARD, json!({ "id": id, "to": null }), Some(&w.provider))
        .await;
    let p = &done.data()["offboardReseller"];
    assert_eq!(p["userErrors"], json!([]), "{p}");
    assert_eq!(p["partnership"]["status"], "ENDED");
    assert_eq!(p["relationshipsTerminated"], 2);
    assert_eq!(p["designationsMoved"], 0);
    // Two partner-of-record designations cleared, one support contact back to the provider.
    assert_eq!(p["designationsCleared"], 3);
    assert_eq!(p["tenantOwnershipsRevoked"], 0);

    // Nothing of it is left.
    let after = partnership_of(&app, &w.provider, &w.reseller_id).await;
    assert_eq!(after["status"], "ENDED");
    assert_eq!(
        after["usage"],
        json!({ "customers": 0, "subscriptions": 0 })
    );
    let list = app
        .gql(
            "{ customers(first: 5) { totalCount } }",
            json!({}),
            Some(&w.reseller),
        )
        .await;
    assert_eq!(list.data()["customers"]["totalCount"], 0);
    let customer = app
        .gql("query($id: ID!) { node(id: $id) { ... on Customer { indirectReseller { id } subscriptions { partnerOfRecord { id } supportContact { companyName } } } } }", json!({ "id": first }), Some(&w.provider))
        .await;
    let node = &customer.data()["node"];
    assert_eq!(node["indirectReseller"], Value::Null);
    assert_eq!(node["subscriptions"][0]["partnerOfRecord"], Value::Null);
    assert_eq!(
        node["subscriptions"][0]["supportContact"]["companyName"],
        "Contoso Distribution"
    );
    // One audit entry per change; an email to the reseller's ADMINs.
    let terminated = entity::audit_entry::Entity::find()
        .filter(entity::audit_entry::Column::Action.eq("admin_relationship.terminated"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(terminated, 2);
    let ended = entity::audit_entry::Entity::find()
        .filter(entity::audit_entry::Column::Action.eq("partnership.ended"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(ended, 1);
    let mail = entity::outbound_email::Entity::find()
        .filter(entity::outbound_email::Column::Kind.eq("RESELLER_OFFBOARDED"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("an email to the reseller's ADMIN");
    assert_eq!(mail.to_address, "admin@fabrikam.test");
}
e2e!(provider_offboards_a_reseller_from_graphql);

/// Designations move to another partner reseller; the subscription side alone
/// (`cancelSubscription`) and the tenant side (`revokeAzureTenantOwner`) are ways out too.
async fn designations_move_and_single_ways_out(app: TestApp) {
    let w = world(&app).await;
    // A second partner to take over.
    let (other_id, other) = app
        .active_partner(
            "INDIRECT_RESELLER",
            "Litware Partners",
            "admin@litware.test",
        )
        .await;
    let res = app
        .gql("mutation { requestPartnership(input: {resellerEmail: \"admin@litware.test\", draftOnly: true}) { link } }", json!({}), Some(&w.provider))
        .await;
    let token = res.data()["requestPartnership"]["link"]
        .as_str()
        .unwrap()
        .split("token=")
        .nth(1)
        .unwrap()
        .to_owned();
    app.gql("mutation($t: String!) { acceptPartnershipInvitation(input: {token: $t}) { partnership { id } } }", json!({ "t": token }), Some(&other))
        .await;
    let (_, _, subs) = customer(&app, &w, "moves.example", Some(&w.reseller_id), None).await;
    // cancelSubscription by a reseller with SUBSCRIPTION_MANAGER (the default roles).
    let (_, _, doomed) = customer(&app, &w, "doomed.example", Some(&w.reseller_id), None).await;
    let cancel = "mutation($id: ID!) { cancelSubscription(input: {subscriptionId: $id}) {
        subscription { status partnerOfRecord { id } } userErrors { code } } }";
    let cancelled = app
        .gql(cancel, json!({ "id": doomed[0] }), Some(&w.reseller))
        .await;
    assert_eq!(
        cancelled.data()["cancelSubscription"]["subscription"]["status"],
        "CANCELLED"
    );
    assert_eq!(
        cancelled.data()["cancelSubscription"]["subscription"]["partnerOfRecord"],
        Value::Null
    );
    let again = app
        .gql(cancel, json!({ "id": doomed[0] }), Some(&w.provider))
        .await;
    assert_eq!(
        again.data()["cancelSubscription"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
    assert_eq!(entries(&app, "subscription.cancelled", &doomed[0]).await, 1);

    let partnership = partnership_of(&app, &w.provider, &w.reseller_id).await;
    let done = app
        .gql(
            OFFBOARD,
            json!({ "id": partnership["id"], "to": other_id }),
            Some(&w.provider),
        )
        .await;
    let p = &done.data()["offboardReseller"];
    assert_eq!(p["userErrors"], json!([]), "{p}");
    assert_eq!(p["designationsMoved"], 1);
    assert_eq!(p["designationsCleared"], 0);
    let sub = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Subscription { partnerOfRecord { id } } } }",
            json!({ "id": subs[0] }),
            Some(&w.provider),
        )
        .await;
    assert_eq!(sub.data()["node"]["partnerOfRecord"]["id"], other_id);

    // revokeAzureTenantOwner on a customer without one.
    let (plain, _, _) = customer(&app, &w, "plain.example", None, None).await;
    let revoke = app
        .gql("mutation($id: ID!) { revokeAzureTenantOwner(input: {customerId: $id}) { userErrors { code } } }", json!({ "id": plain }), Some(&w.provider))
        .await;
    assert_eq!(
        revoke.data()["revokeAzureTenantOwner"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
}
e2e!(designations_move_and_single_ways_out);
