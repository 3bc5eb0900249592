//! The webhook endpoint mutations: create, update, delete, rotate the secret, send a test
//! event, redeliver. Organization ADMINs only, like the queries (`graphql.rs`).

use super::graphql::{WebhookDelivery, WebhookEndpoint, admin_org};
use super::service::{self, EndpointInput};
use crate::audit::Who;
use crate::error::ApiResult;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::payload::split;
use crate::graphql::user_error::UserError;
use crate::graphql::{db, settings};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use entity::event_type::EventType;
use entity::{webhook_delivery, webhook_endpoint};

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
