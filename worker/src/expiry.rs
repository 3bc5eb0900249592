//! Invitation expiry: one set-based update per kind of invitation (partnership invitations,
//! customer relationship requests), safe to run in several workers at once (each row moves
//! PENDING -> EXPIRED exactly once; a second runner finds nothing to change).

use chrono::{DateTime, Utc};
use entity::enums::InvitationStatus;
use entity::partnership_invitation::{self, Column};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

/// Expires every PENDING invitation whose `expires_at` has passed; returns how many.
pub async fn expire_invitations<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let partnerships = partnership_invitation::Entity::update_many()
        .col_expr(Column::Status, Expr::value(InvitationStatus::Expired))
        .filter(Column::Status.eq(InvitationStatus::Pending))
        .filter(Column::ExpiresAt.lte(now))
        .exec(db)
        .await?
        .rows_affected;
    use entity::customer_relationship_request as request;
    let relationships = request::Entity::update_many()
        .col_expr(
            request::Column::Status,
            Expr::value(InvitationStatus::Expired),
        )
        .filter(request::Column::Status.eq(InvitationStatus::Pending))
        .filter(request::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?
        .rows_affected;
    if partnerships + relationships > 0 {
        tracing::info!(partnerships, relationships, "invitations expired");
    }
    Ok(partnerships + relationships)
}
