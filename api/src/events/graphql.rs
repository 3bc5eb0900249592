//! `Event` (an audit entry seen as something that happened) and the `events` subscription:
//! replay of the stored events after a given one, then live events from the hub, with no gap
//! and no duplicate at the switch, filtered by who may see them and by type (`tail`).

use super::audience::Viewer;
use super::hub::{self, Hub};
use super::tail::Tail;
use crate::auth::{self, live::LiveRights};
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::node::{self, Node};
use async_graphql::{Context, ID, Object, Result, Subscription};
use chrono::{DateTime, Utc};
use entity::audit_entry;
use entity::event_type::EventType;
use futures::Stream;
use sea_orm::{DatabaseConnection, EntityTrait};
use std::sync::Arc;
use worker::msg;

/// Something that happened: every entry of the audit log is an event.
pub struct Event(pub hub::Event);

/// Something that happened: every entry of the audit log is an event. Visible to the
/// organization that acted, the organization the change concerns, and platform
/// administrators (the audit log's rule); others get `NOT_FOUND`.
#[Object]
impl Event {
    /// The event's global id (opaque). Pass the last one received as `events(after:)` to
    /// resume a stream.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Event, self.0.id)
    }
    /// What happened (the audit log's action, in upper snake case).
    #[graphql(name = "type")]
    async fn event_type(&self) -> Result<EventType> {
        EventType::from_dotted(&self.0.action).ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("unknown action {}", self.0.action)).into()
        })
    }
    /// When the change was committed.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// The object that changed, if the caller may still see it (null otherwise, e.g. a
    /// subscription of a customer no longer delegated to the caller).
    async fn target(&self, ctx: &Context<'_>) -> Result<Option<Node>> {
        match node::load(ctx, &ID(self.0.target_id.clone())).await {
            Ok(found) => Ok(Some(found)),
            // Also what an API client's scopes do not cover (`graphql::policy`).
            Err(
                ApiError::NotFound | ApiError::MissingScope(_) | ApiError::Forbidden("NOT_A_USER"),
            ) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
    /// The global id of the object that changed (also when `target` is null).
    async fn target_id(&self) -> ID {
        ID(self.0.target_id.clone())
    }
    /// The API client that made the change, if one did (the change has no user then).
    async fn actor_api_client(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<crate::api_clients::ApiClient>> {
        Ok(crate::api_clients::graphql::actor(ctx, self.0.actor_api_client_id).await?)
    }
    /// One line saying what happened, in the language of the connection's
    /// `Accept-Language` (webhooks carry it in English).
    async fn summary(&self, ctx: &Context<'_>) -> String {
        crate::language::read_stored(ctx, &self.0.summary, self.0.summary_message.as_deref())
    }
}

/// An event the caller may see, by id (`node(id:)`).
pub async fn find_visible(
    db: &DatabaseConnection,
    viewer: Viewer,
    event_id: i32,
) -> ApiResult<Event> {
    let entry = audit_entry::Entity::find_by_id(event_id)
        .one(db)
        .await?
        .filter(|e| viewer.sees(e))
        .ok_or(ApiError::NotFound)?;
    Ok(Event(Arc::new(entry)))
}

/// Request data (`/graphql/ws`): where the hub stood when the subscription was received; an
/// `events` subscription without `after` starts there.
pub struct ListenFrom(pub i32);

#[derive(Default)]
pub struct EventSubscription;

#[Subscription]
impl EventSubscription {
    /// Events the caller's organization may see (the audit log's rule), as they happen.
    /// `types` keeps only those types. With `after` (an event id) the stream first replays
    /// the stored events after it, then goes live, with no gap and no duplicate: resume
    /// with the id of the last event received. Partners and platform administrators;
    /// customer users get `FORBIDDEN` (reason `PARTNERS_ONLY`). Runs only over WebSocket
    /// at `/graphql/ws` (`graphql-transport-ws`, token in the `connection_init` payload).
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Only events of these types; absent or null for every type (an empty \
                    list matches none)."
        )]
        types: Option<Vec<EventType>>,
        #[graphql(
            desc = "An `Event` id: replay the stored events after it first. Another id \
                    answers `BAD_USER_INPUT` (reason `INVALID`)."
        )]
        after: Option<ID>,
    ) -> Result<impl Stream<Item = Result<Event>> + use<>> {
        let viewer = Viewer::of(auth::actor(ctx)?)?;
        let hub = ctx.data_unchecked::<Hub>().clone();
        let db = crate::graphql::db(ctx).clone();
        let after = after
            .map(|id| ids::decode_as(NodeType::Event, &id))
            .transpose()
            .map_err(|_| ApiError::Invalid(msg!("error-after-not-event")))?
            // Without `after`: from where the hub stood when the subscription arrived, not
            // when it got this far (the caller was looked up in between).
            .or_else(|| ctx.data_opt::<ListenFrom>().map(|from| from.0));
        // On `/graphql/ws` the caller is looked up again before each event (`auth::live`).
        let rights = ctx.data_opt::<Arc<LiveRights>>().cloned();
        let types = types.map(|t| t.iter().map(|t| t.dotted()).collect());
        Ok(Tail::new(db, viewer, rights, types, hub, after).stream())
    }
}
