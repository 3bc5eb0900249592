//! Who sees an audit entry, which is also who receives it as an event (live subscription
//! or webhook): the organization that acted, the other organization the change concerns
//! (`subject_partner_id`), and platform administrators. Customer users see neither.
//!
//! The rule is written once, here, in both of the forms it is needed in: as SQL filters,
//! one per column, each paged by its own index (`auditLog`, the replay of `events(after:)`)
//! and as a test on an entry in memory (live events). The webhook fan-out
//! (`entity::audit_entry::fan_out_insert`) joins on the same two columns.

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::Scan;
use entity::audit_entry::{self, Column};
use sea_orm::{ColumnTrait, Condition, EntityTrait, Select};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Platform,
    Organization(i32),
}

impl Viewer {
    /// Partners and platform administrators; anyone else may not read events.
    pub fn of(actor: &Actor) -> ApiResult<Self> {
        if actor.is_platform_admin() {
            return Ok(Self::Platform);
        }
        actor
            .partner_id()
            .map(Self::Organization)
            .ok_or(ApiError::Forbidden("PARTNERS_ONLY"))
    }

    /// The entries this viewer sees, as disjoint filters any one of which shows an entry;
    /// `None` for all of them. Lists read them with `graphql::connection::any_of`, each filter by
    /// its own index (`(actor_partner_id, id)`, `(subject_partner_id, id)`).
    pub fn alternatives(self) -> Option<Vec<Condition>> {
        match self {
            Self::Platform => None,
            // Disjoint, as `Scan::Any` needs: an entry about the organization that it made
            // itself is its own action (the writer records no such subject, but the rule
            // does not depend on it).
            Self::Organization(id) => Some(vec![
                Condition::all().add(Column::ActorPartnerId.eq(id)),
                Condition::all().add(Column::SubjectPartnerId.eq(id)).add(
                    Condition::any()
                        .add(Column::ActorPartnerId.is_null())
                        .add(Column::ActorPartnerId.ne(id)),
                ),
            ]),
        }
    }

    /// The entries this viewer sees as a list to page (`auditLog` on both executors): all
    /// entries, and how a page finds the visible ones.
    pub fn entries(self) -> (Select<audit_entry::Entity>, Scan) {
        let scan = self.alternatives().map_or(Scan::Plain, Scan::Any);
        (audit_entry::Entity::find(), scan)
    }

    /// Whether this viewer sees `entry`.
    pub fn sees(self, entry: &audit_entry::Model) -> bool {
        match self {
            Self::Platform => true,
            Self::Organization(id) => {
                entry.actor_partner_id == Some(id) || entry.subject_partner_id == Some(id)
            }
        }
    }
}
