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
    // RETURNING tells which rows this runner changed, so each gets its audit entry once.
    let expired = partnership_invitation::Entity::update_many()
        .col_expr(Column::Status, Expr::value(InvitationStatus::Expired))
        .filter(Column::Status.eq(InvitationStatus::Pending))
        .filter(Column::ExpiresAt.lte(now))
        .exec_with_returning(db)
        .await?;
    let partnerships = expired.len() as u64;
    for inv in &expired {
        entity::audit_entry::record(
            db,
            entity::audit_entry::NewEntry {
                request_id: "worker",
                actor_user_id: None,
                actor_partner_id: None,
                action: "partnership_invitation.expired",
                target_type: "PartnershipInvitation",
                target_id: inv.id,
                summary: format!("Invitation to {} expired unanswered", inv.reseller_email),
                subject_partner_id: Some(inv.provider_id),
            },
        )
        .await?;
    }
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
