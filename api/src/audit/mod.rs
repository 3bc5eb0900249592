//! The audit log: every recorded change with who did it, to what, a summary, the request id
//! and the time, written in the transaction of the change (`record`), read through
//! `auditLog`: an organization sees its own actions and those others took on its objects;
//! platform administrators see everything. There is no way to change or delete entries.

pub mod graphql;

use crate::auth::Actor;
use crate::error::ApiResult;
use crate::graphql::error_codes::RequestId;
use crate::graphql::ids::NodeType;
use async_graphql::Context;
use entity::event_type::EventType;
use sea_orm::ConnectionTrait;
use worker::i18n::{Lang, Message};

/// Who is acting, captured once per request.
#[derive(Debug, Clone)]
pub struct Who {
    pub user_id: Option<i32>,
    pub partner_id: Option<i32>,
    pub request_id: String,
    /// The API client acting (then `user_id` is none).
    pub api_client_id: Option<i32>,
}

impl Who {
    pub fn of(ctx: &Context<'_>, actor: &Actor) -> Self {
        let client = actor.client().map(|c| c.id);
        Self {
            user_id: client.is_none().then_some(actor.user.id),
            partner_id: actor.partner_id(),
            request_id: request_id(ctx),
            api_client_id: client,
        }
    }
}

pub fn request_id(ctx: &Context<'_>) -> String {
    ctx.data_opt::<RequestId>()
        .map_or_else(|| "-".to_owned(), |r| r.0.clone())
}

/// What changed, on what, and which other organization owns it (it sees the entry too).
/// The summary is a message of `audit.ftl` (built with `msg!`), read in each reader's language.
pub struct Change {
    pub action: EventType,
    pub target: NodeType,
    pub target_id: i32,
    pub summary: Message,
    pub subject_partner_id: Option<i32>,
}

/// Records the change (and queues its webhook deliveries) in the caller's transaction.
pub async fn record<C: ConnectionTrait>(db: &C, who: &Who, change: Change) -> ApiResult<()> {
    record_all(db, vec![(who.clone(), change)]).await
}

/// Records changes in order, in one statement on PostgreSQL and two on SQLite whatever
/// their number (a bulk import's customers each record two).
pub async fn record_all<C: ConnectionTrait>(db: &C, changes: Vec<(Who, Change)>) -> ApiResult<()> {
    let entries = changes
        .iter()
        .map(|(who, change)| entity::audit_entry::NewEntry {
            request_id: &who.request_id,
            actor_user_id: who.user_id,
            actor_partner_id: who.partner_id,
            action: change.action,
            target_type: change.target.as_str(),
            target_id: change.target_id,
            summary: change.summary.render(Lang::En),
            summary_message: Some(change.summary.stored()),
            subject_partner_id: change.subject_partner_id,
            actor_api_client_id: who.api_client_id,
        })
        .collect();
    entity::audit_entry::record_many(db, entries).await?;
    Ok(())
}

/// Records a change of something that is not a `Node` (`target_type` names it, e.g. a
/// trusted document, whose id is its hash), seen by the actor's organization and the
/// platform only.
pub async fn record_raw<C: ConnectionTrait>(
    db: &C,
    who: &Who,
    action: EventType,
    target_type: &str,
    target_id: i32,
    summary: Message,
) -> ApiResult<()> {
    entity::audit_entry::record(
        db,
        entity::audit_entry::NewEntry {
            request_id: &who.request_id,
            actor_user_id: who.user_id,
            actor_partner_id: who.partner_id,
            action,
            target_type,
            target_id,
            summary: summary.render(Lang::En),
            summary_message: Some(summary.stored()),
            subject_partner_id: None,
            actor_api_client_id: who.api_client_id,
        },
    )
    .await?;
    Ok(())
}
