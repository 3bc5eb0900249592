//! An endpoint's delivery log as its ADMINs act on it: a test event now, a delivery sent
//! again, the log itself. Rows are locked in the order a deletion takes them (the
//! delivery, then its endpoint), so these never wait on a deletion in a circle.

use super::rows::find_own;
use super::service::audit_endpoint;
use crate::audit::Who;
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::NodeType;
use crate::graphql::user_error::UserErrorCode;
use chrono::Utc;
use entity::enums::WebhookDeliveryStatus;
use entity::event_type::EventType;
use entity::{audit_entry, webhook_delivery};
use migration::database::begin_write;
use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Select, Set,
};
use worker::i18n::Lang;
use worker::msg;

/// Records the test event and queues it for this one endpoint (enabled or not, whatever
/// types it subscribes to).
pub async fn send_test(
    db: &DatabaseConnection,
    who: &Who,
    partner_id: i32,
    endpoint_id: i32,
) -> ApiResult<webhook_delivery::Model> {
    let txn = begin_write(db).await?;
    let found = find_own(&txn, partner_id, endpoint_id, Some(LockType::KeyShare)).await?;
    let test = msg!("audit-webhook-test");
    let event_id = audit_entry::record(
        &txn,
        audit_entry::NewEntry {
            request_id: &who.request_id,
            actor_user_id: who.user_id,
            actor_partner_id: who.partner_id,
            action: EventType::WebhookTest,
            target_type: NodeType::WebhookEndpoint.as_str(),
            target_id: found.id,
            summary: test.render(Lang::En),
            summary_message: Some(test.stored()),
            subject_partner_id: None,
            actor_api_client_id: who.api_client_id,
        },
    )
    .await?;
    let now = Utc::now();
    let delivery = webhook_delivery::ActiveModel {
        endpoint_id: Set(found.id),
        audit_entry_id: Set(event_id),
        status: Set(WebhookDeliveryStatus::Pending),
        attempts: Set(0),
        created_at: Set(now),
        next_attempt_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(delivery)
}

/// Sends a delivery again (the same message: the same `webhook-id`), with fresh attempts.
pub async fn redeliver(
    db: &DatabaseConnection,
    who: &Who,
    partner_id: i32,
    delivery_id: i32,
) -> ApiResult<webhook_delivery::Model> {
    let txn = begin_write(db).await?;
    // The delivery, then its endpoint: the order a deletion takes them in.
    let found = webhook_delivery::Entity::find_by_id(delivery_id)
        .lock(LockType::NoKeyUpdate)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let endpoint = find_own(
        &txn,
        partner_id,
        found.endpoint_id,
        Some(LockType::KeyShare),
    )
    .await?;
    if found.status == WebhookDeliveryStatus::Pending {
        return Err(ApiError::user(
            UserErrorCode::InvalidState,
            &["input", "deliveryId"],
            msg!("error-redeliver-pending"),
        ));
    }
    let mut active = found.into_active_model();
    active.status = Set(WebhookDeliveryStatus::Pending);
    active.attempts = Set(0);
    active.next_attempt_at = Set(Utc::now());
    active.locked_until = Set(None);
    active.claim_id = Set(None);
    let again = active.update(&txn).await?;
    audit_endpoint(
        &txn,
        who,
        EventType::WebhookDeliveryRequeued,
        &endpoint,
        msg!("audit-webhook-delivery-requeued"),
    )
    .await?;
    txn.commit().await?;
    Ok(again)
}

/// An endpoint's deliveries, newest first.
pub fn deliveries(endpoint_id: i32) -> Select<webhook_delivery::Entity> {
    webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::EndpointId.eq(endpoint_id))
        .order_by_desc(webhook_delivery::Column::Id)
}
