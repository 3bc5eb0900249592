//! Answering partnership invitations: the reseller accepts or declines through the link (of
//! concurrent answers exactly one wins), or the provider revokes a pending one.

use crate::audit::{self, Change, Who};
use crate::auth::{Actor, token};
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::NodeType;
use crate::graphql::user_error::UserErrorCode;
use crate::partnerships::service;
use chrono::Utc;
use entity::enums::{EnrollmentStatus, InvitationStatus, PartnerKind};
use entity::event_type::EventType;
use entity::{partner, partnership, partnership_invitation as invitation};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use worker::msg;

use super::*;

pub async fn revoke(
    db: &DatabaseConnection,
    who: &Who,
    provider: &partner::Model,
    invitation_id: i32,
) -> ApiResult<invitation::Model> {
    let current = own_invitation(db, provider.id, invitation_id).await?;
    let txn = migration::database::begin_write(db).await?;
    let revoked = invitation::Entity::update_many()
        .col_expr(
            invitation::Column::Status,
            Expr::value(InvitationStatus::Revoked),
        )
        .col_expr(
            invitation::Column::RespondedAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(invitation::Column::Id.eq(current.id))
        .filter(invitation::Column::Status.eq(InvitationStatus::Pending))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !revoked {
        return Err(ApiError::user(
            UserErrorCode::InvalidState,
            &["input", "invitationId"],
            msg!("error-revoke-pending-only"),
        ));
    }
    if let Some(email) = current.outbound_email_id {
        worker::delivery::cancel(&txn, email, "the invitation was revoked").await?;
    }
    audit::record(
        &txn,
        who,
        Change {
            action: EventType::PartnershipInvitationRevoked,
            target: NodeType::PartnershipInvitation,
            target_id: current.id,
            summary: msg!("audit-invitation-revoked", email = &current.reseller_email),
            subject_partner_id: None,
        },
    )
    .await?;
    let revoked = own_invitation(&txn, provider.id, invitation_id).await?;
    txn.commit().await?;
    Ok(revoked)
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Accept,
    Decline,
}

pub struct Answered {
    pub invitation: invitation::Model,
    /// The partnership, on acceptance.
    pub partnership: Option<partnership::Model>,
}

/// A reseller ADMIN accepts or declines. Of concurrent answers to one token exactly one
/// wins: the status change is a conditional update on `PENDING` and unexpired.
pub async fn answer(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    reseller: &partner::Model,
    token_text: &str,
    answer: Answer,
) -> ApiResult<Answered> {
    let field: &[&str] = &["input", "token"];
    let Some(found) = invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(token::hash(token_text.trim())))
        .one(db)
        .await?
    else {
        return Err(ApiError::user(
            UserErrorCode::InvitationNotFound,
            field,
            msg!("error-invitation-not-found"),
        ));
    };
    if found.provider_id == reseller.id {
        return Err(ApiError::user(
            UserErrorCode::CannotAnswerOwnInvitation,
            field,
            msg!("error-own-invitation"),
        ));
    }
    if reseller.kind != PartnerKind::IndirectReseller {
        return Err(ApiError::user(
            UserErrorCode::NotAReseller,
            field,
            msg!("error-not-a-reseller"),
        ));
    }
    refuse_unusable(&found, field)?;
    if answer == Answer::Accept && reseller.enrollment_status != EnrollmentStatus::Active {
        return Err(ApiError::user(
            UserErrorCode::ResellerNotEnrolled,
            field,
            msg!(
                "error-reseller-not-enrolled",
                status = enrollment_word(reseller.enrollment_status)
            ),
        ));
    }

    let now = Utc::now();
    let status = match answer {
        Answer::Accept => InvitationStatus::Accepted,
        Answer::Decline => InvitationStatus::Declined,
    };
    let txn = migration::database::begin_write(db).await?;
    if answer == Answer::Accept {
        // A suspended provider's invitations cannot be accepted (checked with its row
        // share-locked, so a suspension in flight waits for this answer or refuses it).
        crate::customers::eligibility::require_active_provider(&txn, found.provider_id, field)
            .await?;
    }
    let won = invitation::Entity::update_many()
        .col_expr(invitation::Column::Status, Expr::value(status))
        .col_expr(invitation::Column::RespondedAt, Expr::value(Some(now)))
        .col_expr(
            invitation::Column::RespondedByPartnerId,
            Expr::value(Some(reseller.id)),
        )
        .filter(invitation::Column::Id.eq(found.id))
        .filter(invitation::Column::Status.eq(InvitationStatus::Pending))
        .filter(invitation::Column::ExpiresAt.gt(now))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !won {
        drop(txn);
        // Someone else answered (or it expired) between our read and our update.
        let latest = invitation::Entity::find_by_id(found.id)
            .one(db)
            .await?
            .ok_or(ApiError::NotFound)?;
        refuse_unusable(&latest, field)?;
        return Err(already_used(field));
    }
    if let Some(email) = found.outbound_email_id {
        worker::delivery::cancel(&txn, email, "the invitation was answered").await?;
    }
    let partnership = match answer {
        Answer::Accept => {
            Some(service::create_or_get(&txn, found.provider_id, reseller.id, found.id).await?)
        }
        Answer::Decline => None,
    };
    let (action, summary) = match answer {
        Answer::Accept => (
            EventType::PartnershipInvitationAccepted,
            msg!(
                "audit-invitation-accepted",
                reseller = &reseller.company_name
            ),
        ),
        Answer::Decline => (
            EventType::PartnershipInvitationDeclined,
            msg!(
                "audit-invitation-declined",
                reseller = &reseller.company_name
            ),
        ),
    };
    audit::record(
        &txn,
        who,
        Change {
            action,
            target: NodeType::PartnershipInvitation,
            target_id: found.id,
            summary,
            subject_partner_id: Some(found.provider_id),
        },
    )
    .await?;
    txn.commit().await?;
    tracing::info!(
        invitation = found.id,
        by = actor.user.id,
        ?status,
        "invitation answered"
    );
    let invitation = invitation::Entity::find_by_id(found.id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Answered {
        invitation,
        partnership,
    })
}
