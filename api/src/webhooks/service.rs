//! Webhook endpoints of an organization, managed by its ADMINs, and their delivery log.
//! An endpoint of another organization answers `NOT_FOUND`, like a missing one.

use crate::audit::{self, Change, Who};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::NodeType;
use crate::graphql::user_error::UserErrorCode;
use chrono::{Duration, Utc};
use entity::enums::WebhookDeliveryStatus;
use entity::event_type::EventType;
use entity::webhook_endpoint::{self, encode_event_types};
use entity::{audit_entry, webhook_delivery};
use migration::database::begin_write;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, Select, Set,
};
use worker::i18n::{Lang, Message};
use worker::msg;
use worker::webhooks::target::{self, TargetProblem};
use worker::webhooks::{WebhookSettings, message};

/// Most endpoints one organization may register.
pub const MAX_ENDPOINTS: u64 = 20;
pub const MAX_DESCRIPTION: usize = 500;

/// What an ADMIN asks for; `None` leaves a field as it is (on update).
#[derive(Default)]
pub struct EndpointInput {
    pub url: Option<String>,
    pub event_types: Option<Vec<EventType>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

/// Checks a target URL with the delivery rules (`worker::webhooks::target`), resolving its
/// name now as the worker will again at every delivery.
async fn checked_url(raw: &str, settings: &WebhookSettings) -> ApiResult<String> {
    let field: &[&str] = &["input", "url"];
    let url = target::check_url(
        raw,
        settings.allow_insecure_targets,
        settings.max_url_length,
    )
    .map_err(|problem| url_error(problem, field))?;
    if !settings.allow_insecure_targets
        && let Some(url::Host::Domain(host)) = url.host()
    {
        target::resolve_public(host)
            .await
            .map_err(|problem| url_error(problem, field))?;
    }
    Ok(url.to_string())
}

fn url_error(problem: TargetProblem, field: &[&str]) -> ApiError {
    let code = match problem {
        TargetProblem::NotHttps => UserErrorCode::InsecureUrl,
        TargetProblem::TooLong(_) => UserErrorCode::OutOfRange,
        TargetProblem::NotPublic(_) | TargetProblem::NoPublicAddress(_) => {
            UserErrorCode::TargetNotAllowed
        }
        TargetProblem::Unparsable | TargetProblem::Host => UserErrorCode::Invalid,
    };
    let message = match problem {
        TargetProblem::Unparsable => msg!("error-webhook-url"),
        TargetProblem::TooLong(max) => msg!("error-webhook-url-long", max = max),
        TargetProblem::NotHttps => msg!("error-webhook-https"),
        TargetProblem::Host => msg!("error-webhook-host"),
        TargetProblem::NotPublic(ip) => msg!("error-webhook-private", address = ip.to_string()),
        TargetProblem::NoPublicAddress(host) => msg!("error-webhook-private", address = host),
    };
    ApiError::user(code, field, message)
}

fn checked_description(raw: Option<String>) -> ApiResult<Option<String>> {
    let text = raw.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty());
    if text
        .as_ref()
        .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION)
    {
        return Err(ApiError::user(
            UserErrorCode::OutOfRange,
            &["input", "description"],
            msg!("error-description-too-long", max = MAX_DESCRIPTION),
        ));
    }
    Ok(text)
}

fn stored_types(types: &[EventType]) -> String {
    encode_event_types(types.iter().map(|t| t.dotted()))
}

async fn audit_endpoint<C: ConnectionTrait>(
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
        msg!("audit-webhook-endpoint-registered", url = &endpoint.url),
    )
    .await?;
    txn.commit().await?;
    Ok((endpoint, secret))
}

/// The organization's endpoint, or `NOT_FOUND`.
pub async fn own_endpoint<C: ConnectionTrait>(
    db: &C,
    partner_id: i32,
    endpoint_id: i32,
) -> ApiResult<webhook_endpoint::Model> {
    webhook_endpoint::Entity::find_by_id(endpoint_id)
        .filter(webhook_endpoint::Column::PartnerId.eq(partner_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
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
    let found = own_endpoint(&txn, partner_id, endpoint_id).await?;
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
        msg!("audit-webhook-endpoint-updated", url = &updated.url),
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
        msg!("audit-webhook-endpoint-deleted", url = &found.url),
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
    let found = own_endpoint(&txn, partner_id, endpoint_id).await?;
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
        msg!("audit-webhook-secret-rotated", url = &rotated.url),
    )
    .await?;
    txn.commit().await?;
    Ok((rotated, secret))
}

/// Records the test event and queues it for this one endpoint (enabled or not, whatever
/// types it subscribes to).
pub async fn send_test(
    db: &DatabaseConnection,
    who: &Who,
    partner_id: i32,
    endpoint_id: i32,
) -> ApiResult<webhook_delivery::Model> {
    let txn = begin_write(db).await?;
    let found = own_endpoint(&txn, partner_id, endpoint_id).await?;
    let test = msg!("audit-webhook-test", url = &found.url);
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
    let found = own_delivery(&txn, partner_id, delivery_id).await?;
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
    let endpoint = own_endpoint(&txn, partner_id, again.endpoint_id).await?;
    audit_endpoint(
        &txn,
        who,
        EventType::WebhookDeliveryRequeued,
        &endpoint,
        msg!(
            "audit-webhook-delivery-requeued",
            delivery = again.id,
            url = &endpoint.url
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(again)
}

/// A delivery of one of the organization's endpoints, or `NOT_FOUND`.
pub async fn own_delivery<C: ConnectionTrait>(
    db: &C,
    partner_id: i32,
    delivery_id: i32,
) -> ApiResult<webhook_delivery::Model> {
    let found = webhook_delivery::Entity::find_by_id(delivery_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    own_endpoint(db, partner_id, found.endpoint_id).await?;
    Ok(found)
}

/// The organization's endpoints, newest first.
pub fn list(partner_id: i32) -> Select<webhook_endpoint::Entity> {
    webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::PartnerId.eq(partner_id))
        .order_by_desc(webhook_endpoint::Column::Id)
}

/// An endpoint's deliveries, newest first.
pub fn deliveries(endpoint_id: i32) -> Select<webhook_delivery::Entity> {
    webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::EndpointId.eq(endpoint_id))
        .order_by_desc(webhook_delivery::Column::Id)
}
