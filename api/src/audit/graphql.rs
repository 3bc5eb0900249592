//! `auditLog`: newest first, filtered by action, target and time range.

use crate::auth;
use crate::events::audience::Viewer;
use crate::graphql::connection::{self, Key, Page, PageArgs};
use crate::graphql::{db, ids};
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use entity::audit_entry;
use sea_orm::{ColumnTrait, QueryFilter};

pub struct AuditEntry(pub audit_entry::Model);

/// One recorded change: who did what to which object, and when. Entries are never changed
/// or deleted; each is also an `Event`.
#[Object]
impl AuditEntry {
    /// When the change was committed.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// What happened, as the dotted event type name, e.g. `partnership_invitation.accepted`
    /// (the `EventType` value in lower case with dots).
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The GraphQL type name of the changed object, e.g. `PartnershipInvitation`.
    async fn target_type(&self) -> &str {
        &self.0.target_type
    }
    /// The global id of the changed object.
    async fn target_id(&self) -> ID {
        ID(self.0.target_id.clone())
    }
    /// One line saying what happened, for people, in the language of the request's
    /// `Accept-Language`.
    async fn summary(&self, ctx: &Context<'_>) -> String {
        crate::language::read_stored(ctx, &self.0.summary, self.0.summary_message.as_deref())
    }
    /// The user who acted; null for the system (the worker).
    async fn actor_user_id(&self) -> Option<ID> {
        self.0
            .actor_user_id
            .map(|id| ids::encode(ids::NodeType::User, id))
    }
    /// The API client that acted (then `actorUserId` is null); null for people and the
    /// system.
    async fn actor_api_client(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<crate::api_clients::ApiClient>> {
        Ok(crate::api_clients::graphql::actor(ctx, self.0.actor_api_client_id).await?)
    }
    /// The partner organization that acted; null for platform administrators, customer
    /// users and the system.
    async fn actor_partner_id(&self) -> Option<ID> {
        self.0
            .actor_partner_id
            .map(|id| ids::encode(ids::NodeType::Partner, id))
    }
    /// The request that made the change (its `x-request-id` header, `-` without one;
    /// `worker` for jobs).
    async fn request_id(&self) -> &str {
        &self.0.request_id
    }
}

/// Narrows `auditLog`; every field given must match.
#[derive(InputObject, Default)]
pub struct AuditLogFilter {
    /// Only this dotted action, e.g. `customer.created` (exact match).
    action: Option<String>,
    /// Global id of the changed object.
    target_id: Option<ID>,
    /// Only entries at or after this time (inclusive).
    from: Option<DateTime<Utc>>,
    /// Only entries before this time (exclusive).
    to: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// Partners' users: their organization's own actions and the actions others took on its
    /// objects, newest first; platform administrators see all. Customer users get
    /// `FORBIDDEN` (reason `PARTNERS_ONLY`).
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Action, target and time range to match; every visible entry if absent.")]
        filter: Option<AuditLogFilter>,
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
    ) -> Result<Page<AuditEntry>> {
        let viewer = Viewer::of(auth::actor(ctx)?)?;
        let args = PageArgs::new(after, before, first, last)?;
        let (mut select, scan) = viewer.entries();
        let filter = filter.unwrap_or_default();
        if let Some(action) = filter.action {
            select = select.filter(audit_entry::Column::Action.eq(action));
        }
        if let Some(target) = filter.target_id {
            select = select.filter(audit_entry::Column::TargetId.eq(target.to_string()));
        }
        if let Some(from) = filter.from {
            select = select.filter(audit_entry::Column::OccurredAt.gte(from));
        }
        if let Some(to) = filter.to {
            select = select.filter(audit_entry::Column::OccurredAt.lt(to));
        }
        Ok(connection::paginate_with(
            db(ctx),
            select,
            &[Key::Desc(audit_entry::Column::Id)],
            scan,
            args,
            AuditEntry,
        )
        .await?)
    }
}
