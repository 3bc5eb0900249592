//! Issuing partnership invitations: the request (invitation row and outbox email in one
//! transaction) and the re-send with a fresh link.

use crate::accounts::validate;
use crate::audit::{self, Change, Who};
use crate::auth::{Actor, token};
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::NodeType;
use crate::graphql::user_error::UserErrorCode;
use crate::partnerships::draft::{self, Draft};
use crate::partnerships::service;
use chrono::{Duration, Utc};
use entity::enums::InvitationStatus;
use entity::event_type::EventType;
use entity::{partner, partnership_invitation as invitation};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use worker::compose::EmailContent;
use worker::msg;

use super::*;

pub async fn request(
    db: &DatabaseConnection,
    links: &LinkSettings<'_>,
    who: &Who,
    actor: &Actor,
    provider: &partner::Model,
    reseller_email: &str,
    compose: Compose<'_>,
) -> ApiResult<Issued> {
    require_active_provider(provider)?;
    let email = validate::email(reseller_email, &["input", "resellerEmail"])?;
    check_lengths(&compose)?;
    if let Some(reseller) = reseller_of_email(db, &email).await?
        && service::active_between(db, provider.id, reseller)
            .await?
            .is_some()
    {
        return Err(ApiError::user(
            UserErrorCode::AlreadyPartners,
            &["input", "resellerEmail"],
            msg!("error-already-partners"),
        ));
    }
    if !compose.draft_only {
        crate::throttle::organization_email(db, links.rate_limits, provider.id).await?;
    }
    let token = token::generate();
    let now = Utc::now();
    let txn = migration::database::begin_write(db).await?;
    let (draft, link, email_id) =
        compose_and_queue(&txn, links, actor, provider, &email, &token, &compose).await?;
    let invitation = invitation::ActiveModel {
        provider_id: Set(provider.id),
        reseller_email: Set(email),
        token_hash: Set(token::hash(&token)),
        status: Set(InvitationStatus::Pending),
        subject: Set(draft.subject.clone()),
        body: Set(draft.body.replace(&link, LINK_PLACEHOLDER)),
        created_by_user_id: Set(actor.user.id),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(links.ttl_days)),
        responded_at: Set(None),
        responded_by_partner_id: Set(None),
        outbound_email_id: Set(email_id),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        who,
        Change {
            action: EventType::PartnershipInvitationRequested,
            target: NodeType::PartnershipInvitation,
            target_id: invitation.id,
            summary: if email_id.is_some() {
                msg!(
                    "audit-partnership-requested",
                    email = &invitation.reseller_email
                )
            } else {
                msg!(
                    "audit-partnership-drafted",
                    email = &invitation.reseller_email
                )
            },
            subject_partner_id: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Issued {
        invitation,
        link,
        draft,
        email_id,
    })
}

/// A new token (the old link dies), a fresh lifetime, and a new email unless draft-only.
/// Works on PENDING and EXPIRED invitations.
pub async fn resend(
    db: &DatabaseConnection,
    links: &LinkSettings<'_>,
    who: &Who,
    actor: &Actor,
    provider: &partner::Model,
    invitation_id: i32,
    compose: Compose<'_>,
) -> ApiResult<Issued> {
    require_active_provider(provider)?;
    check_lengths(&compose)?;
    let current = own_invitation(db, provider.id, invitation_id).await?;
    if !matches!(
        current.status,
        InvitationStatus::Pending | InvitationStatus::Expired
    ) {
        return Err(ApiError::user(
            UserErrorCode::InvalidState,
            &["input", "invitationId"],
            msg!("error-resend-state"),
        ));
    }
    if !compose.draft_only {
        crate::throttle::organization_email(db, links.rate_limits, provider.id).await?;
    }
    let token = token::generate();
    let now = Utc::now();
    let txn = migration::database::begin_write(db).await?;
    // The stored text keeps `{link}` where the link was; the new link goes there.
    let compose = Compose {
        subject: compose.subject.or(Some(current.subject.as_str())),
        body: compose.body.or(Some(current.body.as_str())),
        language: compose.language,
        draft_only: compose.draft_only,
    };
    let (draft, link, email_id) = compose_and_queue(
        &txn,
        links,
        actor,
        provider,
        &current.reseller_email,
        &token,
        &compose,
    )
    .await?;
    // Conditional on the status read above: a concurrent revoke or accept wins.
    let mut update = invitation::Entity::update_many()
        .col_expr(
            invitation::Column::TokenHash,
            Expr::value(token::hash(&token)),
        )
        .col_expr(
            invitation::Column::Status,
            Expr::value(InvitationStatus::Pending),
        )
        .col_expr(
            invitation::Column::Subject,
            Expr::value(draft.subject.clone()),
        )
        .col_expr(
            invitation::Column::Body,
            Expr::value(draft.body.replace(&link, LINK_PLACEHOLDER)),
        )
        .col_expr(
            invitation::Column::ExpiresAt,
            Expr::value(now + Duration::days(links.ttl_days)),
        )
        .filter(invitation::Column::Id.eq(current.id))
        .filter(
            invitation::Column::Status
                .is_in([InvitationStatus::Pending, InvitationStatus::Expired]),
        );
    if email_id.is_some() {
        update = update.col_expr(invitation::Column::OutboundEmailId, Expr::value(email_id));
    }
    if update.exec(&txn).await?.rows_affected != 1 {
        return Err(ApiError::user(
            UserErrorCode::InvalidState,
            &["input", "invitationId"],
            msg!("error-resend-raced"),
        ));
    }
    if let Some(previous) = current.outbound_email_id.filter(|_| email_id.is_some()) {
        worker::delivery::cancel(&txn, previous, "superseded by a re-sent invitation").await?;
    }
    let invitation = own_invitation(&txn, provider.id, current.id).await?;
    audit::record(
        &txn,
        who,
        Change {
            action: EventType::PartnershipInvitationResent,
            target: NodeType::PartnershipInvitation,
            target_id: invitation.id,
            summary: msg!(
                "audit-invitation-resent",
                email = &invitation.reseller_email
            ),
            subject_partner_id: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Issued {
        invitation,
        link,
        draft,
        email_id,
    })
}

fn check_lengths(compose: &Compose<'_>) -> ApiResult<()> {
    if compose
        .subject
        .is_some_and(|s| s.chars().count() > draft::MAX_SUBJECT)
    {
        return Err(ApiError::user(
            UserErrorCode::OutOfRange,
            &["input", "subject"],
            msg!("error-subject-too-long", max = draft::MAX_SUBJECT),
        ));
    }
    if compose
        .body
        .is_some_and(|s| s.chars().count() > draft::MAX_BODY)
    {
        return Err(ApiError::user(
            UserErrorCode::OutOfRange,
            &["input", "body"],
            msg!("error-body-too-long", max = draft::MAX_BODY),
        ));
    }
    Ok(())
}

/// Builds the draft in the recipient's language and, unless draft-only, writes the outbox
/// row in the caller's transaction.
async fn compose_and_queue<C: ConnectionTrait>(
    txn: &C,
    links: &LinkSettings<'_>,
    sender: &Actor,
    provider: &partner::Model,
    to: &str,
    token: &str,
    compose: &Compose<'_>,
) -> ApiResult<(Draft, String, Option<i32>)> {
    let link = link_for(links, token);
    let lang =
        crate::language::for_recipient(txn, to, compose.language, sender, &["input", "language"])
            .await?;
    let content = EmailContent::PartnershipInvitation {
        provider: provider.company_name.clone(),
        partner_network_id: provider.partner_network_id.clone(),
        subject: compose.subject.map(str::to_owned),
        body: compose.body.map(str::to_owned),
        link: link.clone(),
    };
    let composed = content.compose(lang);
    let draft = Draft {
        to: to.to_owned(),
        subject: composed.subject.clone(),
        body: composed.text.clone(),
    };
    if compose.draft_only {
        return Ok((draft, link, None));
    }
    let email_id = crate::outbox::write(
        txn,
        crate::outbox::Email {
            kind: EMAIL_KIND,
            to,
            lang,
            content: &content,
            composed: &composed,
            secret: Some(token),
        },
        links.relay_after_ms,
    )
    .await?;
    Ok((draft, link, Some(email_id)))
}
