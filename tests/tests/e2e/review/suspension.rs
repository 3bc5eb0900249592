//! Item 8, a suspended provider: every mutation of the schema (found by introspection, so
//! one added later is covered too) sent by its ADMIN answers `FORBIDDEN` with reason
//! `PARTNER_SUSPENDED` and changes nothing, except the few in `ALLOWED_WHILE_SUSPENDED`;
//! reads still work; once the platform approves it again, the same user acts again. A
//! suspended provider used to keep changing quantities, upgrading, suspending and setting
//! partners of record.

use super::{error_reason, first_sign_in};
use crate::customers::{customer_input, fourth_coffee, offer_id, world};
use api::auth::suspension::ALLOWED_WHILE_SUSPENDED;
use e2e::services::eventually;
use e2e::{TestApp, e2e};
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::{Map, Value, json};

const TYPE_REF: &str = "kind name ofType { kind name ofType { kind name ofType { kind name } } }";

/// Every mutation field with its arguments, and every type (for input objects and enums).
async fn introspect(app: &TestApp, token: &str) -> (Vec<Value>, Map<String, Value>) {
    let query = format!(
        "{{ __schema {{ mutationType {{ fields {{ name args {{ name type {{ {TYPE_REF} }} }} }} }}
           types {{ name kind enumValues {{ name }} inputFields {{ name defaultValue type {{ {TYPE_REF} }} }} }} }} }}"
    );
    let res = app.gql(&query, json!({}), Some(token)).await;
    let schema = &res.data()["__schema"];
    let types = schema["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_owned(), t.clone()))
        .collect();
    (
        schema["mutationType"]["fields"].as_array().unwrap().clone(),
        types,
    )
}

/// `String!`, `[ID!]`, ... as written in a variable definition.
fn type_text(t: &Value) -> String {
    match t["kind"].as_str().unwrap() {
        "NON_NULL" => format!("{}!", type_text(&t["ofType"])),
        "LIST" => format!("[{}]", type_text(&t["ofType"])),
        _ => t["name"].as_str().unwrap().to_owned(),
    }
}

/// A well-typed value for a mutation nobody wrote arguments for below (one added later):
/// required fields only, placeholders for scalars.
fn placeholder(t: &Value, types: &Map<String, Value>) -> Value {
    let named = || &types[t["name"].as_str().unwrap()];
    match t["kind"].as_str().unwrap() {
        "NON_NULL" => placeholder(&t["ofType"], types),
        "LIST" => json!([]),
        "ENUM" => named()["enumValues"][0]["name"].clone(),
        "INPUT_OBJECT" => Value::Object(
            named()["inputFields"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["type"]["kind"] == "NON_NULL" && f["defaultValue"].is_null())
                .map(|f| {
                    (
                        f["name"].as_str().unwrap().to_owned(),
                        placeholder(&f["type"], types),
                    )
                })
                .collect(),
        ),
        _ => match t["name"].as_str().unwrap() {
            "Int" => json!(1),
            "Float" => json!(1.0),
            "Boolean" => json!(false),
            "DateTime" => json!("2030-01-01T00:00:00Z"),
            _ => json!("x"),
        },
    }
}

/// What the database holds, as far as any mutation could change it: the rows of the main
/// tables, and how many rows every table has (so tables added later count too). Sessions
/// and rate-limit counters aside.
async fn snapshot(app: &TestApp) -> String {
    use entity::*;
    use sea_orm::{ConnectionTrait, Statement};
    let db = &app.db;
    macro_rules! rows {
        ($($m:ident),*) => {
            vec![$(format!("{:?}", $m::Entity::find().order_by_asc($m::Column::Id).all(db).await.unwrap())),*]
        };
    }
    let mut state = rows!(
        user,
        partner,
        customer,
        order,
        order_line,
        subscription,
        partnership,
        partnership_invitation,
        customer_relationship_request,
        profile_change_request,
        outbound_email,
        audit_entry
    );
    let backend = db.get_database_backend();
    let tables = match backend {
        sea_orm::DbBackend::Postgres => {
            "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public'"
        }
        _ => "SELECT name AS t FROM sqlite_master WHERE type = 'table'",
    };
    let tables = db
        .query_all_raw(Statement::from_string(backend, tables))
        .await
        .unwrap();
    for row in tables {
        let table: String = row.try_get("", "t").unwrap();
        if ["sessions", "rate_limit_hits"].contains(&table.as_str()) {
            continue;
        }
        let count = format!("SELECT COUNT(*) AS n FROM \"{table}\"");
        let n: i64 = db
            .query_one_raw(Statement::from_string(backend, count))
            .await
            .unwrap()
            .unwrap()
            .try_get("", "n")
            .unwrap();
        state.push(format!("{table}: {n}"));
    }
    state.sort();
    state.join("\n")
}

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
    let (fields, types) = introspect(&app, &w.provider).await;
    let mut refused = Vec::new();
    for field in &fields {
        let name = field["name"].as_str().unwrap();
        if ALLOWED_WHILE_SUSPENDED.contains(&name) {
            continue;
        }
        let args = field["args"].as_array().unwrap();
        let defs: Vec<String> = args
            .iter()
            .map(|a| {
                format!(
                    "${}: {}",
                    a["name"].as_str().unwrap(),
                    type_text(&a["type"])
                )
            })
            .collect();
        let uses: Vec<String> = args
            .iter()
            .map(|a| format!("{0}: ${0}", a["name"].as_str().unwrap()))
            .collect();
        let variables: Map<String, Value> = args
            .iter()
            .map(|a| {
                let arg = a["name"].as_str().unwrap();
                let value = match (arg, inputs.get(name)) {
                    ("input", Some(known)) => known.clone(),
                    _ => placeholder(&a["type"], &types),
                };
                (arg.to_owned(), value)
            })
            .collect();
        let document = format!(
            "mutation({}) {{ {name}({}) {{ __typename }} }}",
            defs.join(", "),
            uses.join(", ")
        );
        let res = app
            .gql(&document, Value::Object(variables), Some(&w.provider))
            .await;
        assert_eq!(res.status, 403, "{name}: {}", res.body);
        assert_eq!(res.error_code(), "FORBIDDEN", "{name}");
        assert_eq!(error_reason(&res), "PARTNER_SUSPENDED", "{name}");
        assert!(res.body["data"].is_null(), "{name}: nothing ran");
        refused.push(name.to_owned());
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
