//! GraphQL of webhooks: `WebhookEndpoint`, `WebhookDelivery`, `webhookEndpoints` and the
//! endpoint mutations. Organization ADMINs only; other organizations' endpoints and
//! deliveries answer `NOT_FOUND`.

use super::service::{self, EndpointInput};
use crate::audit::Who;
use crate::auth::{self, Actor};
use crate::error::{ApiError, ApiResult};
use crate::events::graphql::Event;
use crate::graphql::connection::{self, Key, Page, PageArgs};
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

/// A URL an organization receives its events at, signed per Standard Webhooks. Visible
/// to its organization's ADMINs only; others get `NOT_FOUND`.
#[Object]
impl WebhookEndpoint {
    /// The endpoint's global id (opaque).
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::WebhookEndpoint, self.0.id)
    }
    /// Where deliveries are POSTed (normalized, at most 2,000 characters).
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// What the endpoint is for, for people (at most 500 characters).
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
    /// Why the endpoint is disabled, in the language of the request's `Accept-Language`;
    /// null while enabled.
    async fn disabled_reason(&self, ctx: &Context<'_>) -> Option<String> {
        self.0
            .disabled_reason
            .as_deref()
            .map(|reason| crate::language::read_stored(ctx, reason, None))
    }
    /// Since when deliveries fail without a success in between; null when healthy.
    async fn failing_since(&self) -> Option<DateTime<Utc>> {
        self.0.failing_since
    }
    /// When the endpoint was registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The delivery log, newest first (delivered and failed rows are kept 30 days by
    /// default).
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Items before this cursor (a `startCursor` or edge `cursor`).")]
        before: Option<String>,
        #[graphql(
            desc = "The first n items, 0 to 100. Give `first` or `last` (not both): \
                    without either the field answers `BAD_USER_INPUT`."
        )]
        first: Option<i32>,
        #[graphql(desc = "The last n items, 0 to 100. Give `first` or `last` (not both).")]
        last: Option<i32>,
    ) -> Result<Page<WebhookDelivery>> {
        let args = PageArgs::new(after, before, first, last)?;
        let select = service::deliveries(self.0.id);
        Ok(connection::paginate(
            db(ctx),
            select,
            &[Key::Desc(webhook_delivery::Column::Id)],
            args,
            WebhookDelivery,
        )
        .await?)
    }
}

/// One event on its way to one endpoint.
pub struct WebhookDelivery(pub webhook_delivery::Model);

/// One event on its way to one endpoint. Visible to the endpoint organization's ADMINs
/// only; others get `NOT_FOUND`.
#[Object]
impl WebhookDelivery {
    /// The delivery's global id (opaque).
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
    /// Where the delivery stands.
    async fn status(&self) -> WebhookDeliveryStatus {
        self.0.status
    }
    /// Attempts made so far (retried with exponential backoff, 10 at most by default;
    /// `redeliverWebhook` starts again from 0).
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
    /// When the delivery was queued.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the next attempt is due (PENDING).
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.status == WebhookDeliveryStatus::Pending).then_some(self.0.next_attempt_at)
    }
    /// When the endpoint answered 2xx; null until DELIVERED.
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
    /// The caller's organization's webhook endpoints, newest first. Partner ADMINs only;
    /// others get `FORBIDDEN` (reason `ADMIN_ONLY`).
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Items before this cursor (a `startCursor` or edge `cursor`).")]
        before: Option<String>,
        #[graphql(
            desc = "The first n items, 0 to 100. Give `first` or `last` (not both): \
                    without either the field answers `BAD_USER_INPUT`."
        )]
        first: Option<i32>,
        #[graphql(desc = "The last n items, 0 to 100. Give `first` or `last` (not both).")]
        last: Option<i32>,
    ) -> Result<Page<WebhookEndpoint>> {
        let (_, partner) = admin_org(ctx)?;
        let args = PageArgs::new(after, before, first, last)?;
        Ok(connection::paginate(
            db(ctx),
            service::list(partner),
            &[Key::Desc(webhook_endpoint::Column::Id)],
            args,
            WebhookEndpoint,
        )
        .await?)
    }
}

/// Input of `createWebhookEndpoint`.
#[derive(InputObject)]
pub struct CreateWebhookEndpointInput {
    /// `https` on a public address (`http` and private addresses only when the server runs
    /// with `WEBHOOKS__ALLOW_INSECURE_TARGETS=true`); at most 2,000 characters once
    /// normalized (non-ASCII characters %-escaped).
    url: String,
    /// The event types to deliver; empty or absent for every type.
    event_types: Option<Vec<EventType>>,
    /// For people: what this endpoint is for (at most 500 characters).
    description: Option<String>,
}

/// Result of `createWebhookEndpoint` and `rotateWebhookSecret`.
#[derive(SimpleObject)]
pub struct WebhookEndpointSecretPayload {
    /// The endpoint; null on failure.
    endpoint: Option<WebhookEndpoint>,
    /// The signing secret (`whsec_…`), shown only in this response.
    secret: Option<String>,
    /// Business-rule failures; see the mutation for the codes.
    user_errors: Vec<UserError>,
}

/// Input of `updateWebhookEndpoint`: fields left out stay as they are.
#[derive(InputObject)]
pub struct UpdateWebhookEndpointInput {
    /// The endpoint to change.
    endpoint_id: ID,
    /// A new target URL, with the same rules as at registration.
    url: Option<String>,
    /// Replaces the event types; empty for every type.
    event_types: Option<Vec<EventType>>,
    /// A new description (at most 500 characters); blank removes it.
    description: Option<String>,
    /// Re-enables (clearing the failure streak) or disables the endpoint.
    enabled: Option<bool>,
}

/// Result of `updateWebhookEndpoint`.
#[derive(SimpleObject)]
pub struct WebhookEndpointPayload {
    /// The endpoint after the change; null on failure.
    endpoint: Option<WebhookEndpoint>,
    /// Business-rule failures; see the mutation for the codes.
    user_errors: Vec<UserError>,
}

/// Names one webhook endpoint of the caller's organization.
#[derive(InputObject)]
pub struct WebhookEndpointIdInput {
    /// The endpoint's global id.
    endpoint_id: ID,
}

/// Result of `deleteWebhookEndpoint`.
#[derive(SimpleObject)]
pub struct DeleteWebhookEndpointPayload {
    /// The id of the deleted endpoint; null on failure.
    deleted_endpoint_id: Option<ID>,
    /// Always empty: deleting has no business-rule failures.
    user_errors: Vec<UserError>,
}

/// Input of `redeliverWebhook`.
#[derive(InputObject)]
pub struct RedeliverWebhookInput {
    /// A DELIVERED or FAILED delivery of one of the organization's endpoints.
    delivery_id: ID,
}

/// Result of `sendTestWebhook` and `redeliverWebhook`.
#[derive(SimpleObject)]
pub struct WebhookDeliveryPayload {
    /// The delivery, PENDING; null on failure.
    delivery: Option<WebhookDelivery>,
    /// Business-rule failures; see the mutation for the codes.
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
    /// Organization ADMIN: registers an endpoint (at most 20 per organization) and returns
    /// its signing secret once.
    ///
    /// userErrors: `INSECURE_URL` (not https), `TARGET_NOT_ALLOWED` (private address),
    /// `INVALID` (a URL or host that does not parse), `OUT_OF_RANGE` (URL or description
    /// too long, too many endpoints). Top-level: `FORBIDDEN` (reason `ADMIN_ONLY`).
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The URL, event types and description.")]
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
    ///
    /// userErrors: `INSECURE_URL`, `TARGET_NOT_ALLOWED`, `INVALID`, `OUT_OF_RANGE` (URL or
    /// description too long). Top-level: `FORBIDDEN` (reason `ADMIN_ONLY`), `NOT_FOUND`.
    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint and what to change.")] input: UpdateWebhookEndpointInput,
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
    ///
    /// No userErrors. Top-level: `FORBIDDEN` (reason `ADMIN_ONLY`), `NOT_FOUND`.
    async fn delete_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint to delete.")] input: WebhookEndpointIdInput,
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
    /// signing (a second `v1,` signature) for a grace period (24 hours by default), so
    /// receivers can switch.
    ///
    /// No userErrors. Top-level: `FORBIDDEN` (reason `ADMIN_ONLY`), `NOT_FOUND`.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint whose secret to replace.")] input: WebhookEndpointIdInput,
    ) -> Result<WebhookEndpointSecretPayload> {
        let (actor, partner) = admin_org(ctx)?;
        let id = ids::decode_as(NodeType::WebhookEndpoint, &input.endpoint_id)?;
        let who = Who::of(ctx, actor);
        let webhooks = &settings(ctx).webhooks;
        secret_payload(service::rotate_secret(db(ctx), webhooks, &who, partner, id).await)
    }

    /// Organization ADMIN: sends a `webhook.test` event to this endpoint now, whatever
    /// event types it subscribes to.
    ///
    /// No userErrors. Top-level: `FORBIDDEN` (reason `ADMIN_ONLY`), `NOT_FOUND`.
    async fn send_test_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint to test.")] input: WebhookEndpointIdInput,
    ) -> Result<WebhookDeliveryPayload> {
        let (actor, partner) = admin_org(ctx)?;
        let id = ids::decode_as(NodeType::WebhookEndpoint, &input.endpoint_id)?;
        let who = Who::of(ctx, actor);
        delivery_payload(service::send_test(db(ctx), &who, partner, id).await)
    }

    /// Organization ADMIN: sends a DELIVERED or FAILED delivery again, as the same message
    /// (same `webhook-id`), with fresh attempts.
    ///
    /// userErrors: `INVALID_STATE` (still PENDING). Top-level: `FORBIDDEN` (reason
    /// `ADMIN_ONLY`), `NOT_FOUND`.
    async fn redeliver_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The delivery to send again.")] input: RedeliverWebhookInput,
    ) -> Result<WebhookDeliveryPayload> {
        let (actor, partner) = admin_org(ctx)?;
        let id = ids::decode_as(NodeType::WebhookDelivery, &input.delivery_id)?;
        let who = Who::of(ctx, actor);
        delivery_payload(service::redeliver(db(ctx), &who, partner, id).await)
    }
}
