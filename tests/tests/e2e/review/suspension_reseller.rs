//! Item 8, the other sides of suspension: a suspended reseller cannot administer its
//! delegated customers (it used to change quantities and suspend subscriptions) but still
//! reads them; a suspended provider's pending invitation cannot be accepted (it used to
//! create a partnership with a suspended provider); and the rule holds however the mutation
//! is written.

use super::{error_reason, user_error_codes};
use crate::customers::{fourth_coffee, world};
use crate::partnerships::{ACCEPT, request};
use e2e::{Backend, TestApp, e2e, spawn_app};
use serde_json::{Value, json};

const QUANTITY: &str = "mutation($id: ID!, $q: Int!) { updateSubscriptionQuantity(input: {subscriptionId: $id, quantity: $q}) {
    subscription { quantity } userErrors { code } } }";

async fn set_enrollment(app: &TestApp, partner_id: &str, mutation: &str) {
    let platform = app.platform_admin_token().await;
    let res = app
        .gql(
            &format!("mutation($id: ID!) {{ {mutation}(input: {{partnerId: $id}}) {{ partner {{ id }} userErrors {{ code }} }} }}"),
            json!({ "id": partner_id }),
            Some(&platform),
        )
        .await;
    assert_eq!(res.data()[mutation]["userErrors"], json!([]), "{mutation}");
}

/// The delegated customer's Business Basic subscription: (id, quantity as the provider sees it).
async fn basic_subscription(app: &TestApp, provider: &str) -> (String, Value) {
    let res = app
        .gql("{ customers(first: 1) { nodes { subscriptions { id quantity status offer { sku } } } } }", json!({}), Some(provider))
        .await;
    let subs = res.data()["customers"]["nodes"][0]["subscriptions"].clone();
    let basic = subs
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["offer"]["sku"] == "M365-BUSINESS-BASIC")
        .unwrap()
        .clone();
    (basic["id"].as_str().unwrap().to_owned(), basic)
}

fn refused_as_suspended(res: &e2e::Gql, what: &str) {
    assert_eq!(res.error_code(), "FORBIDDEN", "{what}: {}", res.body);
    assert_eq!(error_reason(res), "PARTNER_SUSPENDED", "{what}");
}

async fn a_suspended_reseller_reads_but_does_not_administer(app: TestApp) {
    let w = world(&app).await;
    fourth_coffee(&app, &w).await;
    let (sub_id, before) = basic_subscription(&app, &w.provider).await;
    // Delegated administration works while ACTIVE.
    let ok = app
        .gql(
            QUANTITY,
            json!({ "id": sub_id, "q": 11 }),
            Some(&w.reseller),
        )
        .await;
    assert_eq!(
        ok.data()["updateSubscriptionQuantity"]["subscription"]["quantity"],
        11
    );
    // Another provider's invitation, for the reseller to (not) accept while suspended.
    let (_, litware) = app
        .active_partner("INDIRECT_PROVIDER", "Litware", "admin@litware.test")
        .await;
    let invited = request(&app, &litware, "admin@fabrikam.test").await;
    set_enrollment(&app, &w.reseller_id, "suspendPartner").await;

    let quantity = app
        .gql(
            QUANTITY,
            json!({ "id": sub_id, "q": 12 }),
            Some(&w.reseller),
        )
        .await;
    refused_as_suspended(&quantity, "updateSubscriptionQuantity");
    let suspend = app
        .gql("mutation($id: ID!) { suspendSubscription(input: {subscriptionId: $id}) { subscription { status } } }",
            json!({ "id": sub_id }), Some(&w.reseller))
        .await;
    refused_as_suspended(&suspend, "suspendSubscription");
    let accept = app
        .gql(ACCEPT, json!({ "token": invited.token }), Some(&w.reseller))
        .await;
    refused_as_suspended(&accept, "acceptPartnershipInvitation");
    let (_, now) = basic_subscription(&app, &w.provider).await;
    assert_eq!(
        now["quantity"], 11,
        "unchanged (was {})",
        before["quantity"]
    );
    assert_eq!(now["status"], "ACTIVE");

    // Reads still work.
    let reads = app
        .gql(
            "{ customers(first: 5) { totalCount } indirectProviders(first: 5) { totalCount } }",
            json!({}),
            Some(&w.reseller),
        )
        .await;
    assert_eq!(reads.data()["customers"]["totalCount"], 1);
    assert_eq!(reads.data()["indirectProviders"]["totalCount"], 1);

    // Reinstated: the same session acts again.
    set_enrollment(&app, &w.reseller_id, "approveEnrollment").await;
    let ok = app
        .gql(
            QUANTITY,
            json!({ "id": sub_id, "q": 12 }),
            Some(&w.reseller),
        )
        .await;
    assert_eq!(
        ok.data()["updateSubscriptionQuantity"]["subscription"]["quantity"],
        12
    );
}
e2e!(a_suspended_reseller_reads_but_does_not_administer);

async fn a_suspended_providers_invitation_cannot_be_accepted(app: TestApp) {
    let (provider_id, provider) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let (_, reseller) = app
        .active_partner("INDIRECT_RESELLER", "Fabrikam", "admin@fabrikam.test")
        .await;
    let invited = request(&app, &provider, "admin@fabrikam.test").await;
    set_enrollment(&app, &provider_id, "suspendPartner").await;

    let refused = app
        .gql(ACCEPT, json!({ "token": invited.token }), Some(&reseller))
        .await;
    assert_eq!(
        user_error_codes(&refused, "acceptPartnershipInvitation"),
        ["PROVIDER_NOT_ACTIVE"]
    );
    assert_eq!(
        refused.data()["acceptPartnershipInvitation"]["partnership"],
        json!(null)
    );
    let none = app
        .gql(
            "{ indirectProviders(first: 5) { totalCount } }",
            json!({}),
            Some(&reseller),
        )
        .await;
    assert_eq!(
        none.data()["indirectProviders"]["totalCount"],
        0,
        "no partnership"
    );
    let preview = app
        .gql(
            "query($t: String!) { invitationByToken(token: $t) { status } }",
            json!({ "t": invited.token }),
            None,
        )
        .await;
    assert_eq!(
        preview.data()["invitationByToken"]["status"],
        "PENDING",
        "still usable later"
    );

    // Reinstated, the same link works.
    set_enrollment(&app, &provider_id, "approveEnrollment").await;
    let ok = app
        .gql(ACCEPT, json!({ "token": invited.token }), Some(&reseller))
        .await;
    assert!(ok.data()["acceptPartnershipInvitation"]["partnership"].is_object());
}
e2e!(a_suspended_providers_invitation_cannot_be_accepted);

/// The rule is applied to the operation's root fields before it runs: a mutation reached
/// through an inline fragment or a fragment spread on the mutation type must be refused
/// like the same field written directly (one backend: the check does not touch the database).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspension_holds_for_mutations_inside_fragments() {
    let app = spawn_app(Backend::Sqlite).await;
    let w = world(&app).await;
    fourth_coffee(&app, &w).await;
    let (sub_id, _) = basic_subscription(&app, &w.provider).await;
    set_enrollment(&app, &w.reseller_id, "suspendPartner").await;
    let field = "updateSubscriptionQuantity(input: {subscriptionId: $id, quantity: $q}) { subscription { quantity } }";
    let documents = [
        format!("mutation($id: ID!, $q: Int!) {{ ... on MutationRoot {{ {field} }} }}"),
        format!(
            "mutation($id: ID!, $q: Int!) {{ ...Change }} fragment Change on MutationRoot {{ {field} }}"
        ),
        format!("mutation($id: ID!, $q: Int!) {{ ... {{ {field} }} }}"),
    ];
    for document in &documents {
        let res = app
            .gql(
                document,
                json!({ "id": sub_id, "q": 40 }),
                Some(&w.reseller),
            )
            .await;
        assert_eq!(res.error_code(), "FORBIDDEN", "{document}: {}", res.body);
        assert_eq!(error_reason(&res), "PARTNER_SUSPENDED", "{document}");
    }
    let (_, now) = basic_subscription(&app, &w.provider).await;
    assert_eq!(
        now["quantity"], 10,
        "the suspended reseller changed nothing"
    );
}
