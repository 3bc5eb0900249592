//! The audit log (and so every event) reads in the reader's language: summaries are stored
//! as message id and arguments and written when read, also those the worker's set-based
//! expiry writes in SQL; webhooks carry the English text.

use super::gql_in;
use crate::partnerships::{provider_and_reseller, request};
use chrono::Utc;
use e2e::{TestApp, e2e};
use entity::partnership_invitation::{Column, Entity};
use sea_orm::EntityTrait;
use sea_orm::sea_query::Expr;
use serde_json::{Value, json};

const LOG: &str = "{ auditLog(first: 50) { edges { node { action summary } } } }";

async fn summaries(app: &TestApp, accept: &str, token: &str) -> Vec<(String, String)> {
    let res = gql_in(app, accept, LOG, json!({}), Some(token)).await;
    res.data()["auditLog"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", res.body))
        .iter()
        .map(|e: &Value| {
            (
                e["node"]["action"].as_str().unwrap().to_owned(),
                e["node"]["summary"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn summary_of<'a>(entries: &'a [(String, String)], action: &str) -> &'a str {
    &entries
        .iter()
        .find(|(a, _)| a == action)
        .unwrap_or_else(|| panic!("no {action} in {entries:?}"))
        .1
}

async fn audit_summaries_read_in_the_readers_language(app: TestApp) {
    let (provider, _) = provider_and_reseller(&app).await;
    request(&app, &provider, "admin@fabrikam.test").await;
    Entity::update_many()
        .col_expr(
            Column::ExpiresAt,
            Expr::value(Utc::now() - chrono::Duration::days(1)),
        )
        .exec(&app.db)
        .await
        .unwrap();
    let expired = worker::expiry::expire_invitations(&app.db, Utc::now())
        .await
        .unwrap();
    assert_eq!(expired, 1);

    // Chinese first: the in-process worker may add an entry of its own (the invitation
    // email's delivery) between the two readings, so the English one sees at least as many.
    let zh = summaries(&app, "zh-TW", &provider).await;
    let en = summaries(&app, "en", &provider).await;
    assert!(!zh.is_empty() && en.len() >= zh.len(), "{en:?} / {zh:?}");
    assert_eq!(
        summary_of(&en, "partnership_invitation.requested"),
        "Partnership requested with admin@fabrikam.test"
    );
    assert_eq!(
        summary_of(&zh, "partnership_invitation.requested"),
        "已向 admin@fabrikam.test 提出建立合作關係要求"
    );
    assert_eq!(
        summary_of(&en, "partnership_invitation.expired"),
        "Invitation to admin@fabrikam.test expired unanswered"
    );
    assert_eq!(
        summary_of(&zh, "partnership_invitation.expired"),
        "給 admin@fabrikam.test 的邀請已過期，未獲回覆"
    );
    // The stored English text is what was shown in English.
    let stored = entity::audit_entry::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    for entry in stored
        .iter()
        .filter(|e| e.action == "partnership_invitation.expired")
    {
        assert_eq!(
            entry.summary,
            "Invitation to admin@fabrikam.test expired unanswered"
        );
        assert!(
            entry
                .summary_message
                .as_deref()
                .unwrap()
                .contains("audit-invitation-expired")
        );
    }
}
e2e!(audit_summaries_read_in_the_readers_language);
