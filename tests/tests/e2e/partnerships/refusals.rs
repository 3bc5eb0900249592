//! Every refusal of the invitation lifecycle has its own code, and of many concurrent
//! accepts of one token exactly one wins.

use super::*;
use e2e::e2e;

async fn every_refusal_has_its_code(app: TestApp) {
    let (provider, reseller) = provider_and_reseller(&app).await;
    let accept_code = |token: String, who: String| {
        let app = &app;
        async move {
            let res = app.gql(ACCEPT, json!({ "token": token }), Some(&who)).await;
            user_error(&res, "acceptPartnershipInvitation")
        }
    };

    // Unknown token.
    assert_eq!(
        accept_code("not-a-real-token".into(), reseller.clone()).await,
        "INVITATION_NOT_FOUND"
    );

    // The inviting provider itself.
    let invited = request(&app, &provider, "admin@fabrikam.test").await;
    assert_eq!(
        accept_code(invited.token.clone(), provider.clone()).await,
        "CANNOT_ANSWER_OWN_INVITATION"
    );

    // Another provider holding the link.
    let (_, other_provider) = app
        .active_partner("INDIRECT_PROVIDER", "Litware", "admin@litware.test")
        .await;
    assert_eq!(
        accept_code(invited.token.clone(), other_provider.clone()).await,
        "NOT_A_RESELLER"
    );

    // A reseller whose enrollment is still PENDING: told what to do.
    let (_, pending) = app
        .enroll(
            "INDIRECT_RESELLER",
            "Pending Reseller",
            "admin@pending.test",
        )
        .await;
    let res = app
        .gql(ACCEPT, json!({ "token": invited.token }), Some(&pending))
        .await;
    assert_eq!(
        user_error(&res, "acceptPartnershipInvitation"),
        "RESELLER_NOT_ENROLLED"
    );
    let message = res.data()["acceptPartnershipInvitation"]["userErrors"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("PENDING") && message.contains("approv"),
        "{message}"
    );

    // A reseller user who is not ADMIN: FORBIDDEN.
    let added = app
        .gql("mutation { addUser(input: {email: \"agent@fabrikam.test\", name: \"Agent\", role: SALES_AGENT}) { temporaryPassword } }", json!({}), Some(&reseller))
        .await;
    let temp = added.data()["addUser"]["temporaryPassword"]
        .as_str()
        .unwrap()
        .to_owned();
    let agent = app.login("agent@fabrikam.test", &temp).await;
    app.gql("mutation($c: String!) { changePassword(input: {currentPassword: $c, newPassword: \"agent-password-1\"}) { userErrors { code } } }", json!({ "c": temp }), Some(&agent)).await;
    let agent = app.login("agent@fabrikam.test", "agent-password-1").await;
    let res = app
        .gql(ACCEPT, json!({ "token": invited.token }), Some(&agent))
        .await;
    assert_eq!(res.error_code(), "FORBIDDEN");
    // No session at all.
    assert_eq!(
        app.gql(ACCEPT, json!({ "token": invited.token }), None)
            .await
            .error_code(),
        "UNAUTHENTICATED"
    );

    // Accepted once; a second use is refused.
    assert!(
        app.gql(ACCEPT, json!({ "token": invited.token }), Some(&reseller))
            .await
            .data()["acceptPartnershipInvitation"]["partnership"]
            .is_object()
    );
    assert_eq!(
        accept_code(invited.token.clone(), reseller.clone()).await,
        "INVITATION_ALREADY_USED"
    );
    let declined = app
        .gql(DECLINE, json!({ "token": invited.token }), Some(&reseller))
        .await;
    assert_eq!(
        user_error(&declined, "declinePartnershipInvitation"),
        "INVITATION_ALREADY_USED"
    );

    // Already partners: a new request to the same reseller is refused up front.
    let res = app
        .gql(
            REQUEST,
            json!({ "input": { "resellerEmail": "admin@fabrikam.test" } }),
            Some(&provider),
        )
        .await;
    assert_eq!(user_error(&res, "requestPartnership"), "ALREADY_PARTNERS");

    // Revoked.
    let revoked = request(&app, &provider, "someone@else.test").await;
    app.gql("mutation($id: ID!) { revokePartnershipInvitation(input: {invitationId: $id}) { userErrors { code } } }", json!({ "id": revoked.id }), Some(&provider)).await;
    assert_eq!(
        accept_code(revoked.token.clone(), reseller.clone()).await,
        "INVITATION_REVOKED"
    );

    // Declined, then used again.
    let declined_inv = request(&app, &provider, "third@else.test").await;
    let (_, reseller2) = app
        .active_partner("INDIRECT_RESELLER", "Northwind IT", "admin@northwind.test")
        .await;
    let res = app
        .gql(
            DECLINE,
            json!({ "token": declined_inv.token }),
            Some(&reseller2),
        )
        .await;
    assert_eq!(res.data()["declinePartnershipInvitation"]["declined"], true);
    assert_eq!(
        accept_code(declined_inv.token.clone(), reseller2.clone()).await,
        "INVITATION_ALREADY_USED"
    );

    // Bad input on request: malformed email, oversized subject.
    let res = app
        .gql(
            REQUEST,
            json!({ "input": { "resellerEmail": "nope" } }),
            Some(&provider),
        )
        .await;
    assert_eq!(user_error(&res, "requestPartnership"), "INVALID");
    let res = app
        .gql(
            REQUEST,
            json!({ "input": { "resellerEmail": "ok@x.test", "subject": "x".repeat(500) } }),
            Some(&provider),
        )
        .await;
    assert_eq!(user_error(&res, "requestPartnership"), "OUT_OF_RANGE");

    // Only ACTIVE providers invite; resellers cannot invite at all.
    let (_, pending_provider) = app
        .enroll("INDIRECT_PROVIDER", "New Provider", "admin@newprov.test")
        .await;
    let res = app
        .gql(
            REQUEST,
            json!({ "input": { "resellerEmail": "r@x.test" } }),
            Some(&pending_provider),
        )
        .await;
    assert_eq!(
        user_error(&res, "requestPartnership"),
        "PROVIDER_NOT_ACTIVE"
    );
    let res = app
        .gql(
            REQUEST,
            json!({ "input": { "resellerEmail": "r@x.test" } }),
            Some(&reseller),
        )
        .await;
    assert_eq!(res.error_code(), "FORBIDDEN");
    // The server keeps serving.
    assert!(
        app.gql("{ viewer { user { email } } }", json!({}), Some(&provider))
            .await
            .data()["viewer"]
            .is_object()
    );
}
e2e!(every_refusal_has_its_code);

async fn concurrent_accepts_have_exactly_one_winner(app: TestApp) {
    let (provider, _) = provider_and_reseller(&app).await;
    // Several resellers race for one link, each with several requests.
    let mut resellers = Vec::new();
    for i in 0..3 {
        let (_, token) = app
            .active_partner(
                "INDIRECT_RESELLER",
                &format!("Racer {i}"),
                &format!("admin@racer{i}.test"),
            )
            .await;
        resellers.push(token);
    }
    let invited = request(&app, &provider, "admin@racer0.test").await;
    let attempts = (0..12).map(|i| {
        let who = resellers[i % resellers.len()].clone();
        let token = invited.token.clone();
        let app = &app;
        async move { app.gql(ACCEPT, json!({ "token": token }), Some(&who)).await }
    });
    let results = futures::future::join_all(attempts).await;
    let winners = results
        .iter()
        .filter(|r| r.data()["acceptPartnershipInvitation"]["partnership"].is_object())
        .count();
    assert_eq!(winners, 1, "{results:?}");
    for r in &results {
        let errors = &r.data()["acceptPartnershipInvitation"]["userErrors"];
        if let Some(e) = errors.get(0) {
            assert_eq!(e["code"], "INVITATION_ALREADY_USED");
        }
    }
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        entity::partnership::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        1
    );
}
e2e!(concurrent_accepts_have_exactly_one_winner);
