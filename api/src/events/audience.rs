//! Who sees an audit entry, which is also who receives it as an event (live subscription
//! or webhook): the organization that acted, the other organization the change concerns
//! (`subject_partner_id`), and platform administrators. Customer users see neither.
//!
//! The rule is written once, here, in both of the forms it is needed in: as a SQL filter
//! (`auditLog`, the replay of `events(after:)`) and as a test on an entry in memory (live
//! events). The webhook fan-out (`entity::audit_entry::fan_out_insert`) joins on the same two
//! columns.

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use entity::audit_entry::{self, Column};
use sea_orm::{ColumnTrait, Condition};

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

    /// The entries this viewer sees, as a filter; `None` for all of them.
    pub fn condition(self) -> Option<Condition> {
        match self {
            Self::Platform => None,
            Self::Organization(id) => Some(
                Condition::any()
                    .add(Column::ActorPartnerId.eq(id))
                    .add(Column::SubjectPartnerId.eq(id)),
            ),
        }
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
