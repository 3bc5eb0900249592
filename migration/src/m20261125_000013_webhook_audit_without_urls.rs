//! Webhook audit entries without URLs (issue 20): their summaries named the endpoint's URL
//! (which often carries a token), and every member of the organization reads the audit
//! log and its events, while endpoints are their ADMINs'. New entries name none; this
//! rewrites the entries written before, English text and stored message alike, to the
//! texts of `worker/locales/*/audit.ftl` as they are now. (The disabled ones quoted the
//! receiver's error, which may quote the URL.)

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (action, message id, English text).
const REWRITES: [(&str, &str, &str); 7] = [
    (
        "webhook_endpoint.created",
        "audit-webhook-endpoint-registered",
        "Webhook endpoint registered",
    ),
    (
        "webhook_endpoint.updated",
        "audit-webhook-endpoint-updated",
        "Webhook endpoint updated",
    ),
    (
        "webhook_endpoint.deleted",
        "audit-webhook-endpoint-deleted",
        "Webhook endpoint deleted",
    ),
    (
        "webhook_endpoint.secret_rotated",
        "audit-webhook-secret-rotated",
        "Signing secret of a webhook endpoint rotated",
    ),
    (
        "webhook_delivery.requeued",
        "audit-webhook-delivery-requeued",
        "Webhook delivery queued again",
    ),
    (
        "webhook_endpoint.disabled",
        "audit-webhook-endpoint-disabled",
        "Webhook endpoint disabled after failing for too long",
    ),
    (
        "webhook.test",
        "audit-webhook-test",
        "Test event for a webhook endpoint",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (action, id, english) in REWRITES {
            let stored = format!(r#"{{"id":"{id}","args":{{}}}}"#);
            let update = Query::update()
                .table(Alias::new("audit_entries"))
                .value(Alias::new("summary"), english)
                .value(Alias::new("summary_message"), stored)
                .and_where(Expr::col(Alias::new("action")).eq(action))
                .to_owned();
            db.execute(&update).await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // What was removed is not put back.
        Ok(())
    }
}
