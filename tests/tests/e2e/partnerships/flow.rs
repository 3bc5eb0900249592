//! The happy paths: embedded mode (SQLite queue, `.eml` outbox) and production parts
//! (Redis queue, real SMTP), ending with the reseller in `indirectResellers`.

use super::*;
use e2e::services::{RedisServer, eventually};
use e2e::smtp::SmtpSink;
use e2e::{Backend, e2e, spawn_app_with};
use std::time::Duration;

const RESELLERS: &str =
    "query($search: String) { indirectResellers(first: 10, filter: {search: $search}) {
  totalCount edges { node { status reseller { companyName } } } } }";

/// Embedded mode: the email lands as an `.eml` file whose link works.
async fn embedded_invitation_lands_in_the_outbox_and_is_accepted(app: TestApp) {
    let (provider, reseller) = provider_and_reseller(&app).await;
    let invited = request(&app, &provider, "Admin@Fabrikam.test").await;
    let p = &invited.payload;
    assert_eq!(p["invitation"]["status"], "PENDING");
    assert_eq!(p["invitation"]["resellerEmail"], "admin@fabrikam.test");
    assert!(
        invited
            .link
            .starts_with(&format!("{}/invitations/accept?token=", app.address))
    );
    assert_eq!(invited.token.len(), 43, "32 random bytes, base64url");
    let draft = &p["draft"];
    assert_eq!(draft["to"], "admin@fabrikam.test");
    assert!(
        draft["subject"]
            .as_str()
            .unwrap()
            .contains("Contoso Distribution")
    );
    assert!(draft["body"].as_str().unwrap().contains(&invited.link));
    assert!(
        draft["mailtoUri"]
            .as_str()
            .unwrap()
            .starts_with("mailto:admin%40fabrikam.test?subject=Contoso%20Distribution")
    );
    assert!(
        draft["clipboardText"]
            .as_str()
            .unwrap()
            .contains(&invited.link)
    );

    // The worker writes the email into the outbox directory and records it SENT.
    let outbox = app.data_dir.join("outbox");
    let eml = eventually("the .eml file", Duration::from_secs(20), || async {
        let entry = std::fs::read_dir(&outbox)
            .ok()?
            .flatten()
            .find(|e| e.path().extension().is_some_and(|x| x == "eml"))?;
        Some(std::fs::read_to_string(entry.path()).unwrap())
    })
    .await;
    let decoded = eml.replace("=\r\n", "").replace("=3D", "=");
    assert!(decoded.contains("To: admin@fabrikam.test"));
    assert!(decoded.contains(&invited.link), "the link is in the email");
    assert!(eml.contains("multipart/alternative") && eml.contains("text/html"));
    assert!(eml.contains("Message-ID: <outbound-"));
    let status = eventually("SENT", Duration::from_secs(10), || async {
        let d = delivery(&app, &provider, &invited.id).await;
        (d["status"] == "SENT").then_some(d)
    })
    .await;
    assert_eq!(status["attempts"], 1);

    // The link works: the landing page and the public preview.
    let page = app.client.get(&invited.link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Partnership invitation")
    );
    let preview = app
        .gql(
            "query($t: String!) { invitationByToken(token: $t) { providerName status expiresAt } }",
            json!({ "t": invited.token }),
            None,
        )
        .await;
    assert_eq!(
        preview.data()["invitationByToken"]["providerName"],
        "Contoso Distribution"
    );
    assert_eq!(preview.data()["invitationByToken"]["status"], "PENDING");

    let accepted = app
        .gql(ACCEPT, json!({ "token": invited.token }), Some(&reseller))
        .await;
    let partnership = &accepted.data()["acceptPartnershipInvitation"]["partnership"];
    assert_eq!(partnership["status"], "ACTIVE");
    assert_eq!(partnership["reseller"]["companyName"], "Fabrikam Solutions");

    let list = app
        .gql(RESELLERS, json!({ "search": "fabri" }), Some(&provider))
        .await;
    assert_eq!(list.data()["indirectResellers"]["totalCount"], 1);
    assert_eq!(
        list.data()["indirectResellers"]["edges"][0]["node"]["reseller"]["companyName"],
        "Fabrikam Solutions"
    );
    let none = app
        .gql(RESELLERS, json!({ "search": "northwind" }), Some(&provider))
        .await;
    assert_eq!(none.data()["indirectResellers"]["totalCount"], 0);
    let providers = app
        .gql("{ indirectProviders(first: 5) { totalCount edges { node { provider { companyName } } } } }", json!({}), Some(&reseller))
        .await;
    assert_eq!(
        providers.data()["indirectProviders"]["edges"][0]["node"]["provider"]["companyName"],
        "Contoso Distribution"
    );

    // Stored: the token's hash only; the sent email's copy of the link is scrubbed.
    use sea_orm::EntityTrait;
    let rows = entity::partnership_invitation::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert!(
        rows.iter()
            .all(|r| !r.body.contains(&invited.token) && r.token_hash != invited.token)
    );
    let emails = entity::outbound_email::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert!(emails.iter().all(|e| !e.text_body.contains(&invited.token) && !e.html_body.contains(&invited.token)));
}
e2e!(embedded_invitation_lands_in_the_outbox_and_is_accepted);

/// Production parts: PostgreSQL, a Redis queue, a real SMTP server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_queue_and_smtp_deliver_a_working_link() {
    let redis = RedisServer::start();
    let sink = SmtpSink::start();
    let (redis_url, smtp_url) = (redis.url(), sink.url());
    let app = spawn_app_with(Backend::Postgres, |s| {
        s.redis_url = Some(redis_url.into());
        s.smtp_url = Some(smtp_url.into());
        s.embedded_worker = Some(true);
    })
    .await;
    let (provider, reseller) = provider_and_reseller(&app).await;
    let invited = request_with(
        &app,
        &provider,
        json!({ "resellerEmail": "admin@fabrikam.test", "subject": "Let's team up", "body": "Hi Fabrikam, here is our request." }),
    )
    .await;
    let mail = eventually(
        "the email at the SMTP server",
        Duration::from_secs(20),
        || async { sink.received().into_iter().next() },
    )
    .await;
    assert_eq!(mail.to, vec!["admin@fabrikam.test".to_owned()]);
    assert_eq!(mail.header("Subject").as_deref(), Some("Let's team up"));
    let text = mail.decoded();
    assert!(text.contains("Hi Fabrikam, here is our request."));
    assert!(
        text.contains(&invited.link),
        "the edited message still carries the link"
    );

    // Follow the link from the received email.
    let start = text.find("/invitations/accept?token=").unwrap();
    let token: String = text[start + "/invitations/accept?token=".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert_eq!(token, invited.token);
    let accepted = app
        .gql(ACCEPT, json!({ "token": token }), Some(&reseller))
        .await;
    assert_eq!(
        accepted.data()["acceptPartnershipInvitation"]["partnership"]["status"],
        "ACTIVE"
    );
    let d = eventually("SENT", Duration::from_secs(10), || async {
        let d = delivery(&app, &provider, &invited.id).await;
        (d["status"] == "SENT").then_some(d)
    })
    .await;
    assert!(d["sentAt"].is_string());
}

async fn draft_only_sends_nothing_and_keeps_the_link(app: TestApp) {
    let (provider, _) = provider_and_reseller(&app).await;
    let invited = request_with(
        &app,
        &provider,
        json!({ "resellerEmail": "someone@fabrikam.test", "body": "Short note without the link", "draftOnly": true }),
    )
    .await;
    let body = invited.payload["draft"]["body"].as_str().unwrap();
    assert!(body.starts_with("Short note without the link"));
    assert!(
        body.ends_with(&format!("{}\n", invited.link)),
        "the link is appended"
    );
    assert_eq!(invited.payload["invitation"]["delivery"], json!(null));
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        entity::outbound_email::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        0
    );
}
e2e!(draft_only_sends_nothing_and_keeps_the_link);

async fn resend_revoke_and_end(app: TestApp) {
    let (provider, reseller) = provider_and_reseller(&app).await;
    let first = request(&app, &provider, "admin@fabrikam.test").await;
    let resent = app
        .gql(
            "mutation($id: ID!) { resendPartnershipInvitation(input: {invitationId: $id}) { link invitation { id status } userErrors { code } } }",
            json!({ "id": first.id }),
            Some(&provider),
        )
        .await;
    let payload = &resent.data()["resendPartnershipInvitation"];
    assert_eq!(payload["invitation"]["id"], first.id.as_str());
    let new_token = token_of(payload["link"].as_str().unwrap());
    assert_ne!(new_token, first.token);
    // The old link is dead, the new one works.
    let old = app
        .gql(ACCEPT, json!({ "token": first.token }), Some(&reseller))
        .await;
    assert_eq!(
        user_error(&old, "acceptPartnershipInvitation"),
        "INVITATION_NOT_FOUND"
    );
    let ok = app
        .gql(ACCEPT, json!({ "token": new_token }), Some(&reseller))
        .await;
    let partnership_id = ok.data()["acceptPartnershipInvitation"]["partnership"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Revoke only applies to PENDING invitations.
    let revoke = "mutation($id: ID!) { revokePartnershipInvitation(input: {invitationId: $id}) { invitation { status } userErrors { code } } }";
    let res = app
        .gql(revoke, json!({ "id": first.id }), Some(&provider))
        .await;
    assert_eq!(
        user_error(&res, "revokePartnershipInvitation"),
        "INVALID_STATE"
    );
    let second = request(&app, &provider, "other@fabrikam-partner.test").await;
    let res = app
        .gql(revoke, json!({ "id": second.id }), Some(&provider))
        .await;
    assert_eq!(
        res.data()["revokePartnershipInvitation"]["invitation"]["status"],
        "REVOKED"
    );

    // Filter invitations by status.
    let list = app
        .gql(
            "{ partnershipInvitations(first: 10, filter: {status: REVOKED}) { totalCount } }",
            json!({}),
            Some(&provider),
        )
        .await;
    assert_eq!(list.data()["partnershipInvitations"]["totalCount"], 1);

    // Either side ends the partnership; nothing uses it yet.
    let end = "mutation($id: ID!) { endPartnership(input: {partnershipId: $id}) { partnership { status endedAt } userErrors { code } } }";
    let ended = app
        .gql(end, json!({ "id": partnership_id }), Some(&reseller))
        .await;
    assert_eq!(
        ended.data()["endPartnership"]["partnership"]["status"],
        "ENDED"
    );
    let again = app
        .gql(end, json!({ "id": partnership_id }), Some(&provider))
        .await;
    assert_eq!(user_error(&again, "endPartnership"), "INVALID_STATE");

    // After it ended, a new invitation creates a new ACTIVE partnership.
    let third = request(&app, &provider, "admin@fabrikam.test").await;
    let renewed = app
        .gql(ACCEPT, json!({ "token": third.token }), Some(&reseller))
        .await;
    assert_eq!(
        renewed.data()["acceptPartnershipInvitation"]["partnership"]["status"],
        "ACTIVE"
    );
    let all = app
        .gql("{ indirectResellers(first: 10) { totalCount } active: indirectResellers(first: 10, filter: {status: ACTIVE}) { totalCount } }", json!({}), Some(&provider))
        .await;
    assert_eq!(all.data()["indirectResellers"]["totalCount"], 2);
    assert_eq!(all.data()["active"]["totalCount"], 1);
}
e2e!(resend_revoke_and_end);

/// A reseller may partner with several providers; each sees only its own partnership.
async fn a_reseller_partners_with_several_providers(app: TestApp) {
    let (first, reseller) = provider_and_reseller(&app).await;
    let (_, second) = app
        .active_partner(
            "INDIRECT_PROVIDER",
            "Litware Distribution",
            "admin@litware.test",
        )
        .await;
    for provider in [&first, &second] {
        let invited = request(&app, provider, "admin@fabrikam.test").await;
        let ok = app
            .gql(ACCEPT, json!({ "token": invited.token }), Some(&reseller))
            .await;
        assert!(ok.data()["acceptPartnershipInvitation"]["partnership"].is_object());
    }
    let mine = app
        .gql("{ indirectProviders(first: 10) { totalCount edges { node { provider { companyName } } } } }", json!({}), Some(&reseller))
        .await;
    assert_eq!(mine.data()["indirectProviders"]["totalCount"], 2);
    for provider in [&first, &second] {
        let theirs = app
            .gql(
                "{ indirectResellers(first: 10) { totalCount } }",
                json!({}),
                Some(provider),
            )
            .await;
        assert_eq!(theirs.data()["indirectResellers"]["totalCount"], 1);
    }
}
e2e!(a_reseller_partners_with_several_providers);
