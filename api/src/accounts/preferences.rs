//! A user's own preferences (for now its `preferredLanguage`), changed by the user itself.
//! Allowed with a temporary password and in a suspended organization: reading the product
//! in one's language is never withheld.

use crate::audit::{self, Change, Who};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::NodeType;
use crate::language;
use entity::event_type::EventType;
use entity::user;
use migration::database::begin_write;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, IntoActiveModel, Set};
use worker::msg;

/// What to change; `None` leaves a preference as it is.
pub struct Preferences<'a> {
    pub preferred_language: Option<&'a str>,
}

pub async fn update(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    change: Preferences<'_>,
) -> ApiResult<user::Model> {
    let preferred_language = change
        .preferred_language
        .map(|tag| language::preference(tag, &["input", "preferredLanguage"]))
        .transpose()?;
    let txn = begin_write(db).await?;
    // Read inside the transaction: the request's copy of the user may be a moment old.
    let current = user::Entity::find_by_id(actor.user.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let Some(preferred_language) = preferred_language else {
        return Ok(current);
    };
    if preferred_language == current.preferred_language {
        return Ok(current);
    }
    let mut active = current.into_active_model();
    active.preferred_language = Set(preferred_language.clone());
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        who,
        Change {
            action: EventType::UserUpdated,
            target: NodeType::User,
            target_id: updated.id,
            summary: msg!(
                "audit-preferred-language",
                email = &updated.email,
                language = &preferred_language
            ),
            subject_partner_id: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}
