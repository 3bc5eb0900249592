//! Item 11, the smaller points a user sees through the API:
//! (a) the worker's `email.sent` / `email.failed` audit entries name the invitation or the
//!     relationship request the email belongs to (they used to name an `OutboundEmail` id,
//!     which is no node: the entry led nowhere);
//! (b) a platform admin cannot read subscription figures through `Partnership.incentives`
//!     (it could, although platform admins do not see customers);
//! (c) partner users cannot be given the `CUSTOMER_ADMIN` role (they could).

use super::{audit_entries, db_id, direct_customer, relationship_request, user_error_codes};
use crate::customers::{fourth_coffee, world};
use crate::partnerships::{provider_and_reseller, request};
use e2e::smtp::free_port;
use e2e::{Backend, TestApp, e2e, spawn_app_with};
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use worker::delivery::{Outcome, deliver};
use worker::mail::Mailer;

async fn email_of_invitation(app: &TestApp, invitation: &str) -> i32 {
    entity::partnership_invitation::Entity::find_by_id(db_id(invitation))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .outbound_email_id
        .unwrap()
}

/// (targetType, targetId) of the entries with `action`.
async fn targets(app: &TestApp, token: &str, action: &str) -> Vec<(String, String)> {
    audit_entries(app, token, action)
        .await
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap().to_owned();
            (text("targetType"), text("targetId"))
        })
        .collect()
}

async fn email_audit_entries_name_what_the_email_was_for(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.embedded_worker = Some(false)).await;
    let w = world(&app).await;
    let sent = request(&app, &w.provider, "prospect@tailspin.test").await;
    let failing = request(&app, &w.provider, "other@tailspin.test").await;
    let customer = direct_customer(&app, &w.provider, "bakery.example").await;
    let (relationship, _) =
        relationship_request(&app, &w.provider, &customer, &w.reseller_id).await;
    let relationship_email =
        entity::customer_relationship_request::Entity::find_by_id(db_id(&relationship))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .outbound_email_id
            .unwrap();

    // The worker's delivery, driven directly: two go out, one fails for good.
    let settings = worker::JobSettings {
        max_attempts: 1,
        ..Default::default()
    };
    let files = Mailer::files(&app.data_dir.join("outbox")).unwrap();
    for email in [
        email_of_invitation(&app, &sent.id).await,
        relationship_email,
    ] {
        let outcome = deliver(&app.db, &files, &settings, email).await.unwrap();
        assert!(matches!(outcome, Outcome::Sent { .. }), "{outcome:?}");
    }
    let nowhere = Mailer::smtp(&format!("smtp://127.0.0.1:{}", free_port()), 1).unwrap();
    let email = email_of_invitation(&app, &failing.id).await;
    let outcome = deliver(&app.db, &nowhere, &settings, email).await.unwrap();
    assert_eq!(outcome, Outcome::Failed { attempts: 1 });

    let mut sent_targets = targets(&app, &w.provider, "email.sent").await;
    sent_targets.sort();
    let mut expected = vec![
        (
            "CustomerRelationshipRequest".to_owned(),
            relationship.clone(),
        ),
        ("PartnershipInvitation".to_owned(), sent.id.clone()),
    ];
    expected.sort();
    assert_eq!(sent_targets, expected);
    assert_eq!(
        targets(&app, &w.provider, "email.failed").await,
        [("PartnershipInvitation".to_owned(), failing.id.clone())]
    );
    // Each target is a node the provider can open.
    for id in [&sent.id, &failing.id, &relationship] {
        let node = app
            .gql(
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
                Some(&w.provider),
            )
            .await;
        assert_eq!(node.data()["node"]["id"], id.as_str());
    }
}
both!(email_audit_entries_name_what_the_email_was_for);

async fn platform_admins_do_not_see_incentives(app: TestApp) {
    let w = world(&app).await;
    fourth_coffee(&app, &w).await; // Entra ID P1 x5 credited to the reseller
    let listed = app
        .gql(
            "{ indirectResellers(first: 1) { nodes { id } } }",
            json!({}),
            Some(&w.provider),
        )
        .await;
    let partnership = listed.data()["indirectResellers"]["nodes"][0]["id"].clone();
    let query = "query($id: ID!) { node(id: $id) { ... on Partnership { id incentives { totalLicenses } } } }";
    for side in [&w.provider, &w.reseller] {
        let res = app
            .gql(query, json!({ "id": partnership }), Some(side))
            .await;
        assert_eq!(res.data()["node"]["incentives"]["totalLicenses"], 5);
    }
    let platform = app.platform_admin_token().await;
    let res = app
        .gql(query, json!({ "id": partnership }), Some(&platform))
        .await;
    assert_eq!(res.error_code(), "FORBIDDEN", "{}", res.body);
    assert_ne!(
        res.body["data"]["node"]["incentives"]["totalLicenses"],
        json!(5)
    );
    // The partnership itself stays visible to the platform.
    let plain = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Partnership { id status } } }",
            json!({ "id": partnership }),
            Some(&platform),
        )
        .await;
    assert_eq!(plain.data()["node"]["status"], "ACTIVE");
}
e2e!(platform_admins_do_not_see_incentives);

async fn partner_users_cannot_be_customer_admins(app: TestApp) {
    let (_, admin) = provider_and_reseller(&app).await;
    let add = "mutation($input: AddUserInput!) { addUser(input: $input) { user { id } userErrors { code field } } }";
    let refused = app
        .gql(add, json!({ "input": { "email": "c@contoso.test", "name": "C", "role": "CUSTOMER_ADMIN" } }), Some(&admin))
        .await;
    assert_eq!(user_error_codes(&refused, "addUser"), ["INVALID"]);
    assert_eq!(
        refused.data()["addUser"]["userErrors"][0]["field"],
        json!(["input", "role"])
    );
    assert_eq!(refused.data()["addUser"]["user"], Value::Null);

    let added = app
        .gql(
            add,
            json!({ "input": { "email": "s@contoso.test", "name": "S", "role": "SALES_AGENT" } }),
            Some(&admin),
        )
        .await;
    let id = added.data()["addUser"]["user"]["id"].clone();
    let update = "mutation($id: ID!) { updateUser(input: {userId: $id, role: CUSTOMER_ADMIN}) { user { role } userErrors { code } } }";
    let refused = app.gql(update, json!({ "id": id }), Some(&admin)).await;
    assert_eq!(user_error_codes(&refused, "updateUser"), ["INVALID"]);
    let role = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on User { role } } }",
            json!({ "id": id }),
            Some(&admin),
        )
        .await;
    assert_eq!(role.data()["node"]["role"], "SALES_AGENT", "unchanged");
}
e2e!(partner_users_cannot_be_customer_admins);
