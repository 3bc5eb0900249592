//! Input the product used to accept and then mishandle: email addresses the mailer refuses,
//! a `{link}` typed by the provider, enrollment as an oracle for existing accounts, and an
//! email withdrawn before it went out reading as a failure.

use crate::partnerships::{REQUEST, delivery, provider_and_reseller, request, request_with};
use e2e::services::eventually;
use e2e::{Backend, TestApp, e2e, spawn_app_with};
use serde_json::json;
use std::time::Duration;

async fn invisible_characters_in_addresses_are_refused(app: TestApp) {
    let (provider, _) = provider_and_reseller(&app).await;
    for email in [
        "admin@fabrikam.test\u{202E}",
        "ad\u{200B}min@fabrikam.test",
        "admin@fab\u{FEFF}rikam.test",
        "Admin <admin@fabrikam.test>",
        "admin@localhost",
    ] {
        let res = app
            .gql(
                REQUEST,
                json!({ "input": { "resellerEmail": email } }),
                Some(&provider),
            )
            .await;
        let errors = &res.data()["requestPartnership"]["userErrors"];
        assert_eq!(errors[0]["code"], "INVALID", "{email:?}");
        assert_eq!(errors[0]["field"], json!(["input", "resellerEmail"]));
    }
    let res = app
        .gql(
            "mutation { addUser(input: {email: \"a\u{200D}b@contoso.test\", name: \"A\", role: SALES_AGENT}) { userErrors { code } } }",
            json!({}),
            Some(&provider),
        )
        .await;
    assert_eq!(res.data()["addUser"]["userErrors"][0]["code"], "INVALID");
    // Internationalized addresses are still welcome.
    request(&app, &provider, "經銷商@例子.台灣").await;
}
e2e!(invisible_characters_in_addresses_are_refused);

async fn a_typed_link_placeholder_is_where_the_link_goes(app: TestApp) {
    let (provider, _) = provider_and_reseller(&app).await;
    let invited = request_with(
        &app,
        &provider,
        json!({ "resellerEmail": "admin@fabrikam.test",
                "body": "Hello! Accept here: {link}\nSee you." }),
    )
    .await;
    let body = invited.payload["draft"]["body"].as_str().unwrap();
    assert_eq!(
        body,
        format!("Hello! Accept here: {}\nSee you.", invited.link)
    );
    // What is stored and shown says {link} exactly where the email had the link.
    let shown = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on PartnershipInvitation { body } } }",
            json!({ "id": invited.id }),
            Some(&provider),
        )
        .await;
    assert_eq!(
        shown.data()["node"]["body"],
        "Hello! Accept here: {link}\nSee you."
    );
    // And the email that goes out has the link, not the placeholder.
    let outbox = app.data_dir.join("outbox");
    let eml = eventually("the .eml file", Duration::from_secs(20), || async {
        let entry = std::fs::read_dir(&outbox).ok()?.flatten().next()?;
        std::fs::read_to_string(entry.path()).ok()
    })
    .await;
    let decoded = eml.replace("=\r\n", "").replace("=3D", "=");
    assert!(decoded.contains(&invited.link), "{decoded}");
    assert!(!decoded.contains("{link}"));
}
e2e!(a_typed_link_placeholder_is_where_the_link_goes);

async fn an_email_withdrawn_before_sending_is_cancelled_not_failed(app: TestApp) {
    let (provider, _) = provider_and_reseller(&app).await;
    let invited = request(&app, &provider, "admin@fabrikam.test").await;
    // Revoke at once; whatever the worker managed meanwhile, the row never reads FAILED.
    let res = app
        .gql(
            "mutation($id: ID!) { revokePartnershipInvitation(input: {invitationId: $id}) { userErrors { code } } }",
            json!({ "id": invited.id }),
            Some(&provider),
        )
        .await;
    assert_eq!(
        res.data()["revokePartnershipInvitation"]["userErrors"],
        json!([])
    );
    let shown = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on PartnershipInvitation { delivery { status attempts lastError cancelReason } } } }",
            json!({ "id": invited.id }),
            Some(&provider),
        )
        .await;
    let d = &shown.data()["node"]["delivery"];
    match d["status"].as_str().unwrap() {
        "CANCELLED" => {
            assert_eq!(d["attempts"], 0);
            assert_eq!(d["lastError"], json!(null));
            assert_eq!(d["cancelReason"], "the invitation was revoked");
        }
        // The worker was faster than the revoke: it was sent.
        "SENT" => {}
        other => panic!("a withdrawn email reads {other}"),
    }
}
e2e!(an_email_withdrawn_before_sending_is_cancelled_not_failed);

/// The same, deterministic: no worker runs, so the email is still queued at the revoke.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_email_is_cancelled_by_revoking() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.embedded_worker = Some(false)).await;
    let (provider, _) = provider_and_reseller(&app).await;
    let invited = request(&app, &provider, "admin@fabrikam.test").await;
    app.gql(
        "mutation($id: ID!) { revokePartnershipInvitation(input: {invitationId: $id}) { userErrors { code } } }",
        json!({ "id": invited.id }),
        Some(&provider),
    )
    .await;
    let d = delivery(&app, &provider, &invited.id).await;
    assert_eq!(d["status"], "CANCELLED", "{d}");
    assert_eq!(d["attempts"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrollment_is_throttled_per_address() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.rate_limits.enrollments_per_address = 3
    })
    .await;
    let enroll = |email: String| {
        let app = &app;
        async move {
            app.gql(
                "mutation($e: String!) { enrollPartner(input: {kind: INDIRECT_RESELLER,
                   companyName: \"R\", country: \"US\", adminName: \"A\", adminEmail: $e,
                   password: \"password-123\"}) { partner { id } userErrors { code } } }",
                json!({ "e": email }),
                None,
            )
            .await
        }
    };
    assert!(enroll("a@r.test".into()).await.data()["enrollPartner"]["partner"].is_object());
    // Probing an existing address counts like any attempt.
    let taken = enroll("a@r.test".into()).await;
    assert_eq!(
        taken.data()["enrollPartner"]["userErrors"][0]["code"],
        "EMAIL_TAKEN"
    );
    assert!(enroll("b@r.test".into()).await.data()["enrollPartner"]["partner"].is_object());
    let limited = enroll("c@r.test".into()).await;
    assert_eq!(limited.error_code(), "RATE_LIMITED");
    assert!(
        limited.body["errors"][0]["extensions"]["retryAfterSeconds"]
            .as_i64()
            .unwrap()
            > 0
    );
    // Nothing was created by the refused attempt.
    let probe = enroll("a@r.test".into()).await;
    assert_eq!(
        probe.error_code(),
        "RATE_LIMITED",
        "no more answers about accounts"
    );
}
