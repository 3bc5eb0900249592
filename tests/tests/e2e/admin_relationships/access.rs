//! Access follows the roles of the reseller's ACTIVE relationships, checked in the write's
//! transaction: a reader reads and cannot change; a missing role is FORBIDDEN with the
//! role it needs; an expired or terminated relationship grants nothing at once (before
//! the worker runs); no relationship at all stays NOT_FOUND.

use super::*;
use e2e::e2e;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

fn missing_role(res: &e2e::Gql, role: &str) {
    assert_eq!(res.error_code(), "FORBIDDEN", "{:?}", res.data());
    let ext = &res.body["errors"][0]["extensions"];
    assert_eq!(ext["reason"], "MISSING_ADMIN_ROLE", "{ext}");
    assert_eq!(ext["requiredRole"], role, "{ext}");
}

async fn a_reader_reads_and_roles_decide_every_write(app: TestApp) {
    let w = world(&app).await;
    let (customer_id, admin, subs) = customer(
        &app,
        &w,
        "reader.example",
        Some(&w.reseller_id),
        Some(json!(["CUSTOMER_READER"])),
    )
    .await;
    let sub = &subs[0];
    // Reads.
    let read = app
        .gql("query($id: ID!) { node(id: $id) { ... on Customer { companyName subscriptions { quantity } } } }", json!({ "id": customer_id }), Some(&w.reseller))
        .await;
    assert_eq!(read.data()["node"]["companyName"], "Fourth Coffee");
    // Every write needs its role.
    missing_role(
        &app.gql(QUANTITY, json!({ "id": sub, "q": 12 }), Some(&w.reseller))
            .await,
        "SUBSCRIPTION_MANAGER",
    );
    for mutation in ["suspendSubscription", "cancelSubscription"] {
        let q = format!(
            "mutation($id: ID!) {{ {mutation}(input: {{subscriptionId: $id}}) {{ userErrors {{ code }} }} }}"
        );
        missing_role(
            &app.gql(&q, json!({ "id": sub }), Some(&w.reseller)).await,
            "SUBSCRIPTION_MANAGER",
        );
    }
    missing_role(
        &app.gql("mutation($id: ID!) { resetCustomerAdminPassword(input: {customerId: $id}) { userErrors { code } } }", json!({ "id": customer_id }), Some(&w.reseller)).await,
        "USER_ADMINISTRATOR",
    );
    let basic = offer_id(&app, &w.provider, "M365-BUSINESS-BASIC").await;
    missing_role(
        &app.gql("mutation($c: ID!, $o: ID!) { placeOrder(input: {customerId: $c, lines: [{offerId: $o, quantity: 1}]}) { userErrors { code } } }", json!({ "c": customer_id, "o": basic }), Some(&w.reseller)).await,
        "ORDER_MANAGER",
    );
    // The provider writes as before.
    let by_provider = app
        .gql(QUANTITY, json!({ "id": sub, "q": 11 }), Some(&w.provider))
        .await;
    assert_eq!(
        by_provider.data()["updateSubscriptionQuantity"]["subscription"]["quantity"],
        11
    );

    // A second relationship adds SUBSCRIPTION_MANAGER and ORDER_MANAGER: the union counts.
    let second = delegate_active(
        &app,
        &w,
        &admin,
        &customer_id,
        json!(["SUBSCRIPTION_MANAGER", "ORDER_MANAGER"]),
    )
    .await;
    let more = app
        .gql(QUANTITY, json!({ "id": sub, "q": 15 }), Some(&w.reseller))
        .await;
    assert_eq!(
        more.data()["updateSubscriptionQuantity"]["subscription"]["quantity"],
        15
    );
    let order = app
        .gql("mutation($c: ID!, $o: ID!) { placeOrder(input: {customerId: $c, lines: [{offerId: $o, quantity: 1}]}) { order { onBehalfOf { companyName } } userErrors { code } } }", json!({ "c": customer_id, "o": basic }), Some(&w.reseller))
        .await;
    assert_eq!(
        order.data()["placeOrder"]["order"]["onBehalfOf"]["companyName"],
        "Fabrikam Solutions",
        "{:?}",
        order.data()
    );

    // Past its end without auto-extension it grants nothing, before any worker ran.
    entity::admin_relationship::Entity::update_many()
        .col_expr(
            entity::admin_relationship::Column::EndsAt,
            Expr::value(Some(chrono::Utc::now() - chrono::Duration::minutes(1))),
        )
        .filter(entity::admin_relationship::Column::Id.eq(raw_id(&second)))
        .exec(&app.db)
        .await
        .unwrap();
    missing_role(
        &app.gql(QUANTITY, json!({ "id": sub, "q": 16 }), Some(&w.reseller))
            .await,
        "SUBSCRIPTION_MANAGER",
    );
    let status = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on AdminRelationship { status } } }",
            json!({ "id": second }),
            Some(&w.reseller),
        )
        .await;
    assert_eq!(status.data()["node"]["status"], "EXPIRED");

    // Terminating the reader leaves nothing: NOT_FOUND at once, for reads and writes.
    let rels = app
        .gql("query($c: ID!) { adminRelationships(first: 10, filter: {customerId: $c, status: ACTIVE}) { edges { node { id } } } }", json!({ "c": customer_id }), Some(&w.provider))
        .await;
    let reader = rels.data()["adminRelationships"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ended = app
        .gql(TERMINATE, json!({ "id": reader }), Some(&w.reseller))
        .await;
    assert_eq!(
        ended.data()["terminateAdminRelationship"]["relationship"]["status"],
        "TERMINATED"
    );
    let gone = app
        .gql(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": customer_id }),
            Some(&w.reseller),
        )
        .await;
    assert_eq!(gone.error_code(), "NOT_FOUND");
    let list = app
        .gql(
            "{ customers(first: 5) { totalCount } }",
            json!({}),
            Some(&w.reseller),
        )
        .await;
    assert_eq!(list.data()["customers"]["totalCount"], 0);
    // The subscription still names the reseller partner of record: it reads that one.
    let write = app
        .gql(QUANTITY, json!({ "id": sub, "q": 17 }), Some(&w.reseller))
        .await;
    assert_eq!(write.error_code(), "FORBIDDEN");
    // Another reseller never had one: NOT_FOUND.
    let outsider = app
        .gql(
            QUANTITY,
            json!({ "id": sub, "q": 18 }),
            Some(&w.outsider_reseller),
        )
        .await;
    assert_eq!(outsider.error_code(), "NOT_FOUND");
}
e2e!(a_reader_reads_and_roles_decide_every_write);

/// `grantAzureTenantOwner` needs an ACTIVE relationship with TENANT_OWNER; ending that
/// relationship revokes the ownership with it.
async fn tenant_ownership_follows_its_relationship(app: TestApp) {
    let w = world(&app).await;
    let azure = offer_id(&app, &w.provider, "AZURE-PLAN").await;
    let input = {
        let mut i = customer_input(
            "cloud.example",
            Some(&w.reseller_id),
            json!([{ "offerId": azure, "quantity": 1 }]),
            "cloud",
        );
        i["adminRoles"] = json!(["SUBSCRIPTION_MANAGER"]);
        i
    };
    let created = app
        .gql(CREATE, json!({ "input": input }), Some(&w.provider))
        .await;
    let customer_id = created.data()["createCustomer"]["customer"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let grant = "mutation($id: ID!) { grantAzureTenantOwner(input: {customerId: $id}) {
        customer { azureTenantOwner { companyName } } userErrors { code } } }";
    let refused = app
        .gql(grant, json!({ "id": customer_id }), Some(&w.provider))
        .await;
    assert_eq!(
        refused.data()["grantAzureTenantOwner"]["userErrors"][0]["code"],
        "NO_ASSOCIATED_RESELLER"
    );
    let password = created.data()["createCustomer"]["setupInfo"]["temporaryPassword"]
        .as_str()
        .unwrap()
        .to_owned();
    let temp = app.login("admin@cloud.example", &password).await;
    app.gql("mutation($c: String!) { changePassword(input: {currentPassword: $c, newPassword: \"customer-password-1\"}) { userErrors { code } } }", json!({ "c": password }), Some(&temp)).await;
    let admin = app
        .login("admin@cloud.example", "customer-password-1")
        .await;
    let owner = delegate_active(&app, &w, &admin, &customer_id, json!(["TENANT_OWNER"])).await;
    let granted = app
        .gql(grant, json!({ "id": customer_id }), Some(&w.provider))
        .await;
    assert_eq!(
        granted.data()["grantAzureTenantOwner"]["customer"]["azureTenantOwner"]["companyName"],
        "Fabrikam Solutions"
    );
    app.gql(TERMINATE, json!({ "id": owner }), Some(&w.provider))
        .await;
    let after = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Customer { azureTenantOwner { id } } } }",
            json!({ "id": customer_id }),
            Some(&w.provider),
        )
        .await;
    assert_eq!(after.data()["node"]["azureTenantOwner"], Value::Null);
    assert_eq!(
        entries(&app, "customer.azure_tenant_owner_revoked", &customer_id).await,
        1
    );
}
e2e!(tenant_ownership_follows_its_relationship);
