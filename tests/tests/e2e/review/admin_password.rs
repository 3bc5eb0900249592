//! Item 7: the retry an idempotency key exists for (the first response was lost) used to
//! answer like the first one but with `temporaryPassword: null`, and nothing could issue a
//! new one: the customer's admin account was unusable. Now the replay says it is one
//! (`replayed: true`), and the provider can reset the admin's temporary password: shown
//! once, audited, the old password and the admin's sessions stop working; nobody else may.

use super::{audit_entries, user_error_codes};
use crate::customers::{CREATE, customer_input, offer_id, world};
use e2e::{TestApp, e2e};
use serde_json::json;

const RESET: &str = "mutation($id: ID!) { resetCustomerAdminPassword(input: {customerId: $id}) {
    setupInfo { adminUserName temporaryPassword } userErrors { code } } }";
const VIEWER: &str = "{ viewer { user { email mustChangePassword } } }";

async fn a_lost_temporary_password_is_reset_by_the_provider(app: TestApp) {
    let w = world(&app).await;
    let (_, other_provider) = app
        .active_partner("INDIRECT_PROVIDER", "Litware", "admin@litware.test")
        .await;
    let basic = offer_id(&app, &w.provider, "M365-BUSINESS-BASIC").await;
    let mut input = customer_input(
        "lost-reply.example",
        Some(&w.reseller_id),
        json!([{ "offerId": basic, "quantity": 3 }]),
        "submit-lost-reply",
    );
    // Since issue 21 a reseller with USER_ADMINISTRATOR may reset it too: this one has not.
    input["adminRoles"] = json!(["ORDER_MANAGER", "SUBSCRIPTION_MANAGER"]);
    let first = app
        .gql(CREATE, json!({ "input": input }), Some(&w.provider))
        .await;
    let first = first.data()["createCustomer"].clone();
    assert_eq!(first["replayed"], false);
    let original = first["setupInfo"]["temporaryPassword"]
        .as_str()
        .unwrap()
        .to_owned();
    let customer_id = first["customer"]["id"].as_str().unwrap().to_owned();
    let admin_email = "admin@lost-reply.example";
    // The customer's admin signed in once with it (a session that must end on reset).
    let old_session = app.login(admin_email, &original).await;

    // The retry: the same customer, said to be a replay, no password.
    let retry = app
        .gql(CREATE, json!({ "input": input }), Some(&w.provider))
        .await;
    let retry = &retry.data()["createCustomer"];
    assert_eq!(retry["customer"]["id"], customer_id.as_str());
    assert_eq!(retry["replayed"], true);
    assert_eq!(retry["setupInfo"]["temporaryPassword"], json!(null));
    assert_eq!(retry["setupInfo"]["adminUserName"], admin_email);

    // Others may not reset it, and trying changes nothing.
    for (who, token) in [
        ("the delegated reseller", &w.reseller),
        ("another provider", &other_provider),
        ("an unrelated reseller", &w.outsider_reseller),
    ] {
        let refused = app
            .gql(RESET, json!({ "id": customer_id }), Some(token))
            .await;
        let code = refused.error_code();
        assert!(
            code == "NOT_FOUND" || code == "FORBIDDEN",
            "{who}: {}",
            refused.body
        );
        assert_eq!(refused.body["data"], json!(null), "{who}");
    }
    let still = app.gql(VIEWER, json!({}), Some(&old_session)).await;
    assert_eq!(still.data()["viewer"]["user"]["email"], admin_email);

    // The provider resets it: a new password, shown once.
    let reset = app
        .gql(RESET, json!({ "id": customer_id }), Some(&w.provider))
        .await;
    assert_eq!(
        user_error_codes(&reset, "resetCustomerAdminPassword"),
        Vec::<String>::new()
    );
    let info = &reset.data()["resetCustomerAdminPassword"]["setupInfo"];
    assert_eq!(info["adminUserName"], admin_email);
    let renewed = info["temporaryPassword"].as_str().unwrap().to_owned();
    assert_ne!(renewed, original);

    // The old session and the old password stop working; the new one must be changed.
    let ended = app.gql(VIEWER, json!({}), Some(&old_session)).await;
    assert_eq!(ended.error_code(), "UNAUTHENTICATED");
    let old = app.try_login(admin_email, &original).await;
    assert_eq!(user_error_codes(&old, "login"), ["INVALID_CREDENTIALS"]);
    let signed_in = app.try_login(admin_email, &renewed).await;
    assert_eq!(signed_in.data()["login"]["mustChangePassword"], true);
    let admin = super::first_sign_in(&app, admin_email, &renewed, "customer-own-password").await;
    let own = app
        .gql(
            "{ customers(first: 5) { nodes { id } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        own.data()["customers"]["nodes"][0]["id"],
        customer_id.as_str()
    );

    // Audited on the customer, without the password.
    let entries = audit_entries(&app, &w.provider, "customer.admin_password_reset").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["targetType"], "Customer");
    assert_eq!(entries[0]["targetId"], customer_id.as_str());
    assert!(entries[0]["actorUserId"].is_string());
    assert!(!entries[0]["summary"].as_str().unwrap().contains(&renewed));
}
e2e!(a_lost_temporary_password_is_reset_by_the_provider);
