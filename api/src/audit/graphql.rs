//! `auditLog`: newest first, filtered by action, target and time range.

use crate::auth;
use crate::events::audience::Viewer;
use crate::graphql::connection::{self, Page, PageArgs};
use crate::graphql::{db, ids};
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use entity::audit_entry;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

pub struct AuditEntry(pub audit_entry::Model);

#[Object]
impl AuditEntry {
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// e.g. `partnership_invitation.accepted`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    async fn target_type(&self) -> &str {
        &self.0.target_type
    }
    /// The global id of the changed object.
    async fn target_id(&self) -> ID {
        ID(self.0.target_id.clone())
    }
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// The user who acted; null for the system (the worker).
    async fn actor_user_id(&self) -> Option<ID> {
        self.0
            .actor_user_id
            .map(|id| ids::encode(ids::NodeType::User, id))
    }
    /// The organization that acted.
    async fn actor_partner_id(&self) -> Option<ID> {
        self.0
            .actor_partner_id
            .map(|id| ids::encode(ids::NodeType::Partner, id))
    }
    /// The request that made the change (`worker` for jobs).
    async fn request_id(&self) -> &str {
        &self.0.request_id
    }
}

#[derive(InputObject, Default)]
pub struct AuditLogFilter {
    action: Option<String>,
    /// Global id of the changed object.
    target_id: Option<ID>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// An organization's own actions and the actions others took on its objects, newest
    /// first; platform administrators see all.
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditLogFilter>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Page<AuditEntry>> {
        let viewer = Viewer::of(auth::actor(ctx)?)?;
        let args = PageArgs::new(after, before, first, last)?;
        let mut select = audit_entry::Entity::find().order_by_desc(audit_entry::Column::Id);
        if let Some(visible) = viewer.condition() {
            select = select.filter(visible);
        }
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
        Ok(connection::paginate(db(ctx), select, args, AuditEntry).await?)
    }
}
