//! Another provider or reseller cannot see or act on these invitations or partnerships:
//! every attempt answers NOT_FOUND exactly like a missing id.

use super::*;
use e2e::e2e;

async fn other_tenants_see_nothing(app: TestApp) {
    let (provider, reseller) = provider_and_reseller(&app).await;
    let (_, other_provider) = app
        .active_partner("INDIRECT_PROVIDER", "Litware", "admin@litware.test")
        .await;
    let (_, other_reseller) = app
        .active_partner("INDIRECT_RESELLER", "Northwind IT", "admin@northwind.test")
        .await;
    let invited = request(&app, &provider, "admin@fabrikam.test").await;
    let accepted = app
        .gql(ACCEPT, json!({ "token": invited.token }), Some(&reseller))
        .await;
    let partnership_id = accepted.data()["acceptPartnershipInvitation"]["partnership"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pending = request(&app, &provider, "later@fabrikam.test").await;

    let node = "query($id: ID!) { node(id: $id) { id } }";
    for outsider in [&other_provider, &other_reseller] {
        for id in [&invited.id, &pending.id, &partnership_id] {
            assert_eq!(
                app.gql(node, json!({ "id": id }), Some(outsider))
                    .await
                    .error_code(),
                "NOT_FOUND"
            );
        }
    }
    // The reseller sees the partnership but not the provider's invitations.
    assert_eq!(
        app.gql(node, json!({ "id": pending.id }), Some(&reseller))
            .await
            .error_code(),
        "NOT_FOUND"
    );
    assert!(
        app.gql(node, json!({ "id": partnership_id }), Some(&reseller))
            .await
            .data()["node"]
            .is_object()
    );

    // Lists are per tenant.
    let lists = "{ partnershipInvitations(first: 10) { totalCount } indirectResellers(first: 10) { totalCount } }";
    let theirs = app.gql(lists, json!({}), Some(&other_provider)).await;
    assert_eq!(theirs.data()["partnershipInvitations"]["totalCount"], 0);
    assert_eq!(theirs.data()["indirectResellers"]["totalCount"], 0);
    let providers = app
        .gql(
            "{ indirectProviders(first: 10) { totalCount } }",
            json!({}),
            Some(&other_reseller),
        )
        .await;
    assert_eq!(providers.data()["indirectProviders"]["totalCount"], 0);

    // Mutations on foreign ids: NOT_FOUND, and nothing changes.
    let resend =
        "mutation($id: ID!) { resendPartnershipInvitation(input: {invitationId: $id}) { link } }";
    let revoke = "mutation($id: ID!) { revokePartnershipInvitation(input: {invitationId: $id}) { invitation { status } } }";
    let end = "mutation($id: ID!) { endPartnership(input: {partnershipId: $id}) { partnership { status } } }";
    assert_eq!(
        app.gql(resend, json!({ "id": pending.id }), Some(&other_provider))
            .await
            .error_code(),
        "NOT_FOUND"
    );
    assert_eq!(
        app.gql(revoke, json!({ "id": pending.id }), Some(&other_provider))
            .await
            .error_code(),
        "NOT_FOUND"
    );
    assert_eq!(
        app.gql(end, json!({ "id": partnership_id }), Some(&other_provider))
            .await
            .error_code(),
        "NOT_FOUND"
    );
    assert_eq!(
        app.gql(end, json!({ "id": partnership_id }), Some(&other_reseller))
            .await
            .error_code(),
        "NOT_FOUND"
    );
    let still = app
        .gql(INVITATION, json!({ "id": pending.id }), Some(&provider))
        .await;
    assert_eq!(still.data()["node"]["status"], "PENDING");

    // Partner profiles: visible across an actual partnership only.
    let profile = "{ indirectResellers(first: 1) { edges { node { reseller { id } } } } }";
    let reseller_id =
        app.gql(profile, json!({}), Some(&provider)).await.data()["indirectResellers"]["edges"][0]
            ["node"]["reseller"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
    assert!(
        app.gql(node, json!({ "id": reseller_id }), Some(&provider))
            .await
            .data()["node"]
            .is_object()
    );
    assert_eq!(
        app.gql(node, json!({ "id": reseller_id }), Some(&other_provider))
            .await
            .error_code(),
        "NOT_FOUND"
    );
}
e2e!(other_tenants_see_nothing);
