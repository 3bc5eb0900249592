//! Webhook endpoints of an organization, managed by its ADMINs: registering (under a cap),
//! changing, deleting, rotating the secret. Their delivery log is `delivery_log`'s, the
//! rows' lookups and locks `rows`'s, the input rules `rules`'s. An endpoint of another
//! organization answers `NOT_FOUND`, like a missing one.

use super::rows::{find_own, lock_endpoints};
use super::rules::{checked_description, checked_url, stored_types};
use crate::audit::{self, Change, Who};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::NodeType;
use crate::graphql::user_error::UserErrorCode;
use chrono::{Duration, Utc};
use entity::event_type::EventType;
use entity::{webhook_delivery, webhook_endpoint};
use migration::database::begin_write;
use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, Select, Set,
};
use worker::i18n::Message;
use worker::msg;
use worker::webhooks::{WebhookSettings, message};

pub use super::delivery_log::{deliveries, redeliver, send_test};
pub use super::rows::{own_delivery, own_endpoint};
pub use super::rules::MAX_DESCRIPTION;

/// Most endpoints one organization may register.
pub const MAX_ENDPOINTS: u64 = 20;

/// What an ADMIN asks for; `None` leaves a field as it is (on update).
#[derive(Default)]
pub struct EndpointInput {
    pub url: Option<String>,
    pub event_types: Option<Vec<EventType>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

pub(super) async fn audit_endpoint<C: ConnectionTrait>(
    db: &C,
    who: &Who,
    action: EventType,
    endpoint: &webhook_endpoint::Model,
    summary: Message,
) -> ApiResult<()> {
    audit::record(
        db,
        who,
        Change {
            action,
            target: NodeType::WebhookEndpoint,
            target_id: endpoint.id,
            summary,
            subject_partner_id: None,
        },
    )
    .await
}

/// Registers an endpoint; returns it with its secret (shown once).
pub async fn create(
    db: &DatabaseConnection,
    settings: &WebhookSettings,
    who: &Who,
    actor: &Actor,
    partner_id: i32,
    input: EndpointInput,
) -> ApiResult<(webhook_endpoint::Model, String)> {
    let url = checked_url(input.url.as_deref().unwrap_or_default(), settings).await?;
    let description = checked_description(input.description)?;
    let txn = begin_write(db).await?;
    lock_endpoints(&txn, partner_id).await?;
    let existing = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::PartnerId.eq(partner_id))
        .count(&txn)
        .await?;
    if existing >= MAX_ENDPOINTS {
        return Err(ApiError::user(
            UserErrorCode::OutOfRange,
            &[],
            msg!("error-too-many-endpoints", max = MAX_ENDPOINTS),
        ));
    }
    let secret = message::new_secret();
    let now = Utc::now();
    let endpoint = webhook_endpoint::ActiveModel {
        partner_id: Set(partner_id),
        url: Set(url),
        description: Set(description),
        event_types: Set(stored_types(&input.event_types.unwrap_or_default())),
        secret: Set(secret.clone()),
        previous_secret: Set(None),
        previous_secret_expires_at: Set(None),
        enabled: Set(input.enabled.unwrap_or(true)),
        disabled_reason: Set(None),
        failing_since: Set(None),
        created_by_user_id: Set(actor.user.id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit_endpoint(
        &txn,
        who,
        EventType::WebhookEndpointCreated,
        &endpoint,
        msg!("audit-webhook-endpoint-registered"),
    )
    .await?;
    txn.commit().await?;
    Ok((endpoint, secret))
}

pub async fn update(
    db: &DatabaseConnection,
    settings: &WebhookSettings,
    who: &Who,
    partner_id: i32,
    endpoint_id: i32,
    input: EndpointInput,
) -> ApiResult<webhook_endpoint::Model> {
    let url = match input.url.as_deref() {
        Some(raw) => Some(checked_url(raw, settings).await?),
        None => None,
    };
    let description = match input.description {
        Some(d) => Some(checked_description(Some(d))?),
        None => None,
    };
    let txn = begin_write(db).await?;
    let found = find_own(&txn, partner_id, endpoint_id, Some(LockType::NoKeyUpdate)).await?;
    let mut active = found.into_active_model();
    if let Some(url) = url {
        active.url = Set(url);
    }
    if let Some(description) = description {
        active.description = Set(description);
    }
    if let Some(types) = input.event_types {
        active.event_types = Set(stored_types(&types));
    }
    if let Some(enabled) = input.enabled {
        active.enabled = Set(enabled);
        if enabled {
            // Re-enabled by its ADMIN: a fresh start.
            active.disabled_reason = Set(None);
            active.failing_since = Set(None);
        } else {
            active.disabled_reason = Set(Some(msg!("webhook-disabled-by-admin").stored()));
        }
    }
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    audit_endpoint(
        &txn,
        who,
        EventType::WebhookEndpointUpdated,
        &updated,
        msg!("audit-webhook-endpoint-updated"),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes an endpoint and its delivery log.
pub async fn delete(
    db: &DatabaseConnection,
    who: &Who,
    partner_id: i32,
    endpoint_id: i32,
) -> ApiResult<()> {
    let txn = begin_write(db).await?;
    lock_endpoints(&txn, partner_id).await?;
    let found = own_endpoint(&txn, partner_id, endpoint_id).await?;
    webhook_delivery::Entity::delete_many()
        .filter(webhook_delivery::Column::EndpointId.eq(found.id))
        .exec(&txn)
        .await?;
    webhook_endpoint::Entity::delete_by_id(found.id)
        .exec(&txn)
        .await?;
    audit_endpoint(
        &txn,
        who,
        EventType::WebhookEndpointDeleted,
        &found,
        msg!("audit-webhook-endpoint-deleted"),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A new secret (returned once); the previous one keeps signing, as a second signature,
/// for `previous_secret_hours`.
pub async fn rotate_secret(
    db: &DatabaseConnection,
    settings: &WebhookSettings,
    who: &Who,
    partner_id: i32,
    endpoint_id: i32,
) -> ApiResult<(webhook_endpoint::Model, String)> {
    let txn = begin_write(db).await?;
    let found = find_own(&txn, partner_id, endpoint_id, Some(LockType::NoKeyUpdate)).await?;
    let secret = message::new_secret();
    let now = Utc::now();
    let mut active = found.clone().into_active_model();
    active.previous_secret = Set(Some(found.secret));
    active.previous_secret_expires_at =
        Set(Some(now + Duration::hours(settings.previous_secret_hours)));
    active.secret = Set(secret.clone());
    active.updated_at = Set(now);
    let rotated = active.update(&txn).await?;
    audit_endpoint(
        &txn,
        who,
        EventType::WebhookEndpointSecretRotated,
        &rotated,
        msg!("audit-webhook-secret-rotated"),
    )
    .await?;
    txn.commit().await?;
    Ok((rotated, secret))
}

/// The organization's endpoints, newest first.
pub fn list(partner_id: i32) -> Select<webhook_endpoint::Entity> {
    webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::PartnerId.eq(partner_id))
        .order_by_desc(webhook_endpoint::Column::Id)
}
