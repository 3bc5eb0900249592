//! GraphQL of webhooks: `WebhookEndpoint`, `WebhookDelivery` and `webhookEndpoints`; the
//! endpoint mutations are in `mutations.rs`. Organization ADMINs only; other
//! organizations' endpoints and deliveries answer `NOT_FOUND`.

use super::service;
use crate::auth::{self, Actor};
use crate::error::{ApiError, ApiResult};
use crate::events::graphql::Event;
use crate::graphql::connection::{self, Key, Page, PageArgs};
use crate::graphql::db;
use crate::graphql::ids::{self, NodeType};
use async_graphql::{Context, ID, Object, Result};
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
pub(super) fn admin_org<'a>(ctx: &Context<'a>) -> ApiResult<(&'a Actor, i32)> {
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
