//! A customer's admin accepting a new reseller while the partnership ends or the provider
//! grants the Azure tenant owner role (issue 11, item 4): nothing is administered through
//! an ENDED partnership, and the Azure tenant owner is never a reseller the customer has
//! left.

use super::partnership_end::{Rival, race_end_against};
use super::{active_partner, partnered_resellers};
use crate::customers::{CREATE, customer_input, offer_id};
use e2e::TestApp;
use serde_json::{Value, json};

const REQUEST: &str = "mutation($c: ID!, $r: ID!) { requestCustomerResellerRelationship(input: {customerId: $c, indirectResellerId: $r}) {
  link userErrors { code } } }";
const ACCEPT: &str =
    "mutation($t: String!) { acceptCustomerResellerRelationship(input: {token: $t}) {
  customer { indirectReseller { id } } userErrors { code } } }";

/// Creates a customer and signs its admin in with a password of its own, the way the
/// customer does: (customer id, admin token).
async fn customer_with_admin(
    app: &TestApp,
    provider: &str,
    domain: &str,
    reseller: Option<&str>,
    lines: Value,
) -> (String, String) {
    let res = app
        .gql(
            CREATE,
            json!({ "input": customer_input(domain, reseller, lines, domain) }),
            Some(provider),
        )
        .await;
    let payload = &res.data()["createCustomer"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    let id = payload["customer"]["id"].as_str().unwrap().to_owned();
    let temporary = payload["setupInfo"]["temporaryPassword"]
        .as_str()
        .unwrap()
        .to_owned();
    let email = format!("admin@{domain}");
    let temp = app.login(&email, &temporary).await;
    app.gql(
        "mutation($c: String!) { changePassword(input: {currentPassword: $c, newPassword: \"customer-password-1\"}) { userErrors { code } } }",
        json!({ "c": temporary }),
        Some(&temp),
    )
    .await;
    (id, app.login(&email, "customer-password-1").await)
}

/// The token of a relationship request's single-use link.
async fn request_token(app: &TestApp, provider: &str, customer: &str, reseller: &str) -> String {
    let res = app
        .gql(
            REQUEST,
            json!({ "c": customer, "r": reseller }),
            Some(provider),
        )
        .await;
    let link = res.data()["requestCustomerResellerRelationship"]["link"]
        .as_str()
        .unwrap_or_else(|| panic!("request refused: {}", res.body));
    link.split("token=").nth(1).unwrap().to_owned()
}

/// Before the fix the acceptance checked the partnership outside its transaction and the
/// end counted the reseller's customers outside its own: a customer accepting a reseller
/// while that reseller ended its partnership became delegated through an ENDED
/// partnership. Each round asks the same customer to accept the next reseller.
async fn end_partnership_vs_relationship_acceptance(app: TestApp) {
    let admin = app.platform_admin_token().await;
    let (_, provider) =
        active_partner(&app, &admin, "INDIRECT_PROVIDER", "admin@contoso.test").await;
    let resellers = partnered_resellers(&app, &admin, &provider, "accept", 15).await;
    let basic = offer_id(&app, &provider, "M365-BUSINESS-BASIC").await;
    let lines = json!([{ "offerId": basic, "quantity": 3 }]);
    let (customer, customer_admin) =
        customer_with_admin(&app, &provider, "bakery.example", None, lines).await;
    // Every link is issued first (while every partnership is ACTIVE); only the acceptance races.
    let mut tokens = Vec::new();
    for p in &resellers {
        tokens.push(request_token(&app, &provider, &customer, &p.reseller_id).await);
    }
    let rival = Rival {
        field: "acceptCustomerResellerRelationship",
        object: "customer",
        refused_with: "RESELLER_NOT_PARTNER",
    };
    race_end_against(&app, &provider, &resellers, rival, |round, _| {
        app.gql(ACCEPT, json!({ "t": tokens[round] }), Some(&customer_admin))
    })
    .await;
}
races!(end_partnership_vs_relationship_acceptance);

/// Before the fix `grantAzureTenantOwner` read the customer's reseller, checked it, and then
/// wrote it as tenant owner outside any lock: when the customer's admin accepted another
/// reseller in between (which clears the previous reseller's role), the customer ended with
/// the reseller it had just left as its Azure tenant owner. Now both lock the customer row:
/// the grant names the reseller of the moment, and an acceptance after it clears it.
async fn azure_tenant_owner_vs_relationship_acceptance(app: TestApp) {
    let admin = app.platform_admin_token().await;
    let (_, provider) =
        active_partner(&app, &admin, "INDIRECT_PROVIDER", "admin@contoso.test").await;
    let resellers = partnered_resellers(&app, &admin, &provider, "azure", 2).await;
    let azure = offer_id(&app, &provider, "AZURE-PLAN").await;
    let lines = json!([{ "offerId": azure, "quantity": 1 }]);
    let first = resellers[0].reseller_id.as_str();
    let (customer, customer_admin) =
        customer_with_admin(&app, &provider, "cloud.example", Some(first), lines).await;
    let grant = "mutation($id: ID!) { grantAzureTenantOwner(input: {customerId: $id}) {
        customer { azureTenantOwner { id } } userErrors { code } } }";
    let mut current = 0;
    for round in 0..10 {
        // The customer moves to the other reseller every round.
        let next = 1 - current;
        let new_reseller = &resellers[next].reseller_id;
        let token = request_token(&app, &provider, &customer, new_reseller).await;
        let (granted, accepted) = tokio::join!(
            app.gql(grant, json!({ "id": customer }), Some(&provider)),
            app.gql(ACCEPT, json!({ "t": token }), Some(&customer_admin)),
        );
        let accepted = &accepted.data()["acceptCustomerResellerRelationship"];
        assert_eq!(
            accepted["customer"]["indirectReseller"]["id"], *new_reseller,
            "round {round}: {accepted}"
        );
        current = next;
        let granted = &granted.data()["grantAzureTenantOwner"];
        // Since issue 21 the tenant owner needs a relationship with TENANT_OWNER: the one the
        // acceptance creates has the default roles, so the grant is refused unless it came
        // first (on the previous reseller's relationship, which the acceptance then ends).
        assert!(
            granted["userErrors"] == json!([])
                || granted["userErrors"][0]["code"] == "NO_ASSOCIATED_RESELLER",
            "round {round}: {granted}"
        );
        let seen = app
            .gql(
                "query($id: ID!) { node(id: $id) { ... on Customer { indirectReseller { id } azureTenantOwner { id } } } }",
                json!({ "id": customer }),
                Some(&provider),
            )
            .await;
        let node = &seen.data()["node"];
        let owner = &node["azureTenantOwner"];
        assert!(
            owner.is_null() || owner["id"] == node["indirectReseller"]["id"],
            "round {round}: the Azure tenant owner is not the customer's reseller: {node}"
        );
        // A grant that answered with the new reseller holds (it came after the acceptance).
        if granted["customer"]["azureTenantOwner"]["id"] == *new_reseller {
            assert_eq!(
                owner["id"], *new_reseller,
                "round {round}: the grant was lost"
            );
        }
    }
}
races!(azure_tenant_owner_vs_relationship_acceptance);
