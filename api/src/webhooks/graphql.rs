//! GraphQL of webhooks: `WebhookEndpoint`, `WebhookDelivery`, `webhookEndpoints` and the
//! endpoint mutations. Organization ADMINs only; other organizations' endpoints and
//! deliveries answer `NOT_FOUND`.

use super::service::{self, EndpointInput};
use crate::audit::Who;
use crate::auth::{self, Actor};
use crate::error::{ApiError, ApiResult};
use crate::events::graphql::Event;
use crate::graphql::connection::{self, Page, PageArgs};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::payload::split;
use crate::graphql::user_error::UserError;
use crate::graphql::{db, settings};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::WebhookDeliveryStatus;
use entity::event_type::EventType;
use entity::webhook_endpoint::decode_event_types;
use entity::{audit_entry, webhook_delivery, webhook_endpoint};
use sea_orm::{DatabaseConnection, EntityTrait};
use std::sync::Arc;

/// A URL an organization receives its events at, signed per Standard Webhooks.
pub struct WebhookEndpoint(pub webhook_endpoint::Model);

#[Object]
impl WebhookEndpoint {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::WebhookEndpoint, self.0.id)
    }
    async fn url(&self) -> &str {
        &self.0.url
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The event types delivered; empty means every type.
    async fn event_types(&self) -> Vec<EventType> {
        decode_event_types(&self.0.event_types)
            .into_iter()
            .filter_map(EventType::from_dotted)
            .collect()
    }
    /// False when its ADMIN disabled it, or the platform did after it failed for too long.
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    async fn disabled_reason(&self) -> Option<&str> {
        self.0.disabled_reason.as_deref()
    }
    /// Since when deliveries fail without a success in between; null when healthy.
    async fn failing_since(&self) -> Option<DateTime<Utc>> {
        self.0.failing_since
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The delivery log, newest first (kept for the retention period).
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Page<WebhookDelivery>> {
        let args = PageArgs::new(after, before, first, last)?;
        let select = service::deliveries(self.0.id);
        Ok(connection::paginate(db(ctx), select, args, WebhookDelivery).await?)
    }
}

/// One event on its way to one endpoint.
pub struct WebhookDelivery(pub webhook_delivery::Model);

#[Object]
impl WebhookDelivery {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::WebhookDelivery, self.0.id)
    }
    /// The event delivered.
    async fn event(&self, ctx: &Context<'_>) -> Result<Event> {
        let entry = audit_entry::Entity::find_by_id(self.0.audit_entry_id)
            .one(db(ctx))
            .await
            .map_err(ApiError::from)?
            .ok_or(ApiError::NotFound)?;
        Ok(Event(Arc::new(entry)))
    }
    /// The `webhook-id` header of every attempt of this delivery.
    async fn message_id(&self) -> String {
        worker::webhooks::message::message_id(self.0.id)
    }
    async fn status(&self) -> WebhookDeliveryStatus {
        self.0.status
    }
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// The HTTP status of the last attempt that got an answer.
    async fn response_status(&self) -> Option<i32> {
        self.0.response_status
    }
    /// Why the last attempt failed (at most 1,000 characters).
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the next attempt is due (PENDING).
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.status == WebhookDeliveryStatus::Pending).then_some(self.0.next_attempt_at)
    }
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }
}

/// The caller's organization, which the caller must administer.
fn admin_org<'a>(ctx: &Context<'a>) -> ApiResult<(&'a Actor, i32)> {
    let (actor, partner) = auth::partner_admin(ctx)?;
    Ok((actor, partner.id))
}

pub async fn find_endpoint(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
) -> ApiResult<WebhookEndpoint> {
    let partner = actor.partner_id().ok_or(ApiError::NotFound)?;
    if !actor.is_admin_of(partner) {
        return Err(ApiError::NotFound);
    }
    Ok(WebhookEndpoint(
        service::own_endpoint(db, partner, id).await?,
    ))
}

pub async fn find_delivery(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
) -> ApiResult<WebhookDelivery> {
    let partner = actor.partner_id().ok_or(ApiError::NotFound)?;
    if !actor.is_admin_of(partner) {
        return Err(ApiError::NotFound);
    }
    Ok(WebhookDelivery(
        service::own_delivery(db, partner, id).await?,
    ))
}

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The caller's organization's webhook endpoints, newest first (ADMIN only).
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Page<WebhookEndpoint>> {
        let (_, partner) = admin_org(ctx)?;
        let args = PageArgs::new(after, before, first, last)?;
        Ok(connection::paginate(db(ctx), service::list(partner), args, WebhookEndpoint).await?)
    }
}

#[derive(InputObject)]
pub struct CreateWebhookEndpointInput {
    /// `https` on a public address (`http` and private addresses only when the server runs
    /// with `WEBHOOKS__ALLOW_INSECURE_TARGETS=true`); at most 2,000 characters.
    url: String,
    /// The event types to deliver; empty or absent for every type.
    event_types: Option<Vec<EventType>>,
    /// For people: what this endpoint is for (at most 500 characters).
    description: Option<String>,
}

#[derive(SimpleObject)]
pub struct WebhookEndpointSecretPayload {
    endpoint: Option<WebhookEndpoint>,
    /// The signing secret (`whsec_…`), shown only in this response.
    secret: Option<String>,
    user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct UpdateWebhookEndpointInput {
    endpoint_id: ID,
    url: Option<String>,
    /// Replaces the event types; empty for every type.
    event_types: Option<Vec<EventType>>,
    description: Option<String>,
    /// Re-enables (clearing the failure streak) or disables the endpoint.
    enabled: Option<bool>,
}

#[derive(SimpleObject)]
pub struct WebhookEndpointPayload {
    endpoint: Option<WebhookEndpoint>,
    user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct WebhookEndpointIdInput {
    endpoint_id: ID,
}

#[derive(SimpleObject)]
pub struct DeleteWebhookEndpointPayload {
    deleted_endpoint_id: Option<ID>,
    user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct RedeliverWebhookInput {
    delivery_id: ID,
}

#[derive(SimpleObject)]
pub struct WebhookDeliveryPayload {
    delivery: Option<WebhookDelivery>,
    user_errors: Vec<UserError>,
}

fn secret_payload(
    result: ApiResult<(webhook_endpoint::Model, String)>,
) -> Result<WebhookEndpointSecretPayload> {
    let (done, user_errors) = split(result)?;
    let (endpoint, secret) =
        done.map_or((None, None), |(e, s)| (Some(WebhookEndpoint(e)), Some(s)));
    Ok(WebhookEndpointSecretPayload {
        endpoint,
        secret,
        user_errors,
    })
}

fn delivery_payload(result: ApiResult<webhook_delivery::Model>) -> Result<WebhookDeliveryPayload> {
    let (delivery, user_errors) = split(result)?;
    Ok(WebhookDeliveryPayload {
        delivery: delivery.map(WebhookDelivery),
        user_errors,
    })
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Organization ADMIN: registers an endpoint and returns its signing secret once.
    /// userErrors: `INSECURE_URL` (not https), `TARGET_NOT_ALLOWED` (private address),
    /// `INVALID`, `OUT_OF_RANGE` (too long, too many endpoints).
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: CreateWebhookEndpointInput,
    ) -> Result<WebhookEndpointSecretPayload> {
        let (actor, partner) = admin_org(ctx)?;
        let who = Who::of(ctx, actor);
        let input = EndpointInput {
            url: Some(input.url),
            event_types: input.event_types,
            description: input.description,
            enabled: None,
        };
        let webhooks = &settings(ctx).webhooks;
        secret_payload(service::create(db(ctx), webhooks, &who, actor, partner, input).await)
    }

    /// Organization ADMIN: changes an endpoint's URL, types, description or state.
    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: UpdateWebhookEndpointInput,
    ) -> Result<WebhookEndpointPayload> {
        let (actor, partner) = admin_org(ctx)?;
        let id = ids::decode_as(NodeType::WebhookEndpoint, &input.endpoint_id)?;
        let who = Who::of(ctx, actor);
        let change = EndpointInput {
            url: input.url,
            event_types: input.event_types,
            description: input.description,
            enabled: input.enabled,
        };
        let webhooks = &settings(ctx).webhooks;
        let (endpoint, user_errors) =
            split(service::update(db(ctx), webhooks, &who, partner, id, change).await)?;
        Ok(WebhookEndpointPayload {
            endpoint: endpoint.map(WebhookEndpoint),
            user_errors,
        })
    }

    /// Organization ADMIN: deletes an endpoint and its delivery log.
    async fn delete_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: WebhookEndpointIdInput,
    ) -> Result<DeleteWebhookEndpointPayload> {
        let (actor, partner) = admin_org(ctx)?;
        let id = ids::decode_as(NodeType::WebhookEndpoint, &input.endpoint_id)?;
        let who = Who::of(ctx, actor);
        let (deleted, user_errors) = split(service::delete(db(ctx), &who, partner, id).await)?;
        Ok(DeleteWebhookEndpointPayload {
            deleted_endpoint_id: deleted.map(|()| input.endpoint_id),
            user_errors,
        })
    }

    /// Organization ADMIN: a new signing secret, returned once. The previous one keeps
    /// signing (a second `v1,` signature) for a grace period, so receivers can switch.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        input: WebhookEndpointIdInput,
    ) -> Result<WebhookEndpointSecretPayload> {
        let (actor, partner) = admin_org(ctx)?;
        let id = ids::decode_as(NodeType::WebhookEndpoint, &input.endpoint_id)?;
        let who = Who::of(ctx, actor);
        let webhooks = &settings(ctx).webhooks;
        secret_payload(service::rotate_secret(db(ctx), webhooks, &who, partner, id).await)
    }

    /// Organization ADMIN: sends a `webhook.test` event to this endpoint now.
    async fn send_test_webhook(
        &self,
        ctx: &Context<'_>,
        input: WebhookEndpointIdInput,
    ) -> Result<WebhookDeliveryPayload> {
        let (actor, partner) = admin_org(ctx)?;
        let id = ids::decode_as(NodeType::WebhookEndpoint, &input.endpoint_id)?;
        let who = Who::of(ctx, actor);
        delivery_payload(service::send_test(db(ctx), &who, partner, id).await)
    }

    /// Organization ADMIN: sends a DELIVERED or FAILED delivery again, as the same message
    /// (same `webhook-id`). `INVALID_STATE` while it is still PENDING.
    async fn redeliver_webhook(
        &self,
        ctx: &Context<'_>,
        input: RedeliverWebhookInput,
    ) -> Result<WebhookDeliveryPayload> {
        let (actor, partner) = admin_org(ctx)?;
        let id = ids::decode_as(NodeType::WebhookDelivery, &input.delivery_id)?;
        let who = Who::of(ctx, actor);
        delivery_payload(service::redeliver(db(ctx), &who, partner, id).await)
    }
}
