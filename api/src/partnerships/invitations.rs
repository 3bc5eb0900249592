//! Partnership invitations: a provider ADMIN requests a partnership with a reseller email;
//! the invitation and its outbox email commit together; the reseller answers through the
//! single-use link. Every refusal has its own code.

use super::draft::{self, Draft};
use super::service;
use crate::accounts::validate;
use crate::audit::{self, Change, Who};
use crate::auth::{Actor, token};
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::NodeType;
use crate::graphql::user_error::UserErrorCode;
use chrono::{Duration, Utc};
use entity::enums::{EnrollmentStatus, InvitationStatus, PartnerKind};
use entity::{partner, partnership, partnership_invitation as invitation, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Select, Set, TransactionTrait,
};

/// Where links point, how long they live, and when the relay may re-enqueue an email.
pub struct LinkSettings<'a> {
    pub public_url: &'a str,
    pub ttl_days: i64,
    /// An email dispatched now is re-enqueued by the relay only if still unsent after this.
    pub relay_after_ms: u64,
}

pub const LINK_PLACEHOLDER: &str = "{link}";
pub const EMAIL_KIND: &str = "PARTNERSHIP_INVITATION";

pub struct Compose<'a> {
    pub subject: Option<&'a str>,
    pub body: Option<&'a str>,
    /// Only return the draft (the provider sends it from its own mail app).
    pub draft_only: bool,
}

pub struct Issued {
    pub invitation: invitation::Model,
    /// The personalized link; shown only in this response.
    pub link: String,
    pub draft: Draft,
    /// The outbox row to dispatch after commit, unless only a draft was asked for.
    pub email_id: Option<i32>,
}

fn link_for(settings: &LinkSettings<'_>, token: &str) -> String {
    format!(
        "{}/invitations/accept?token={token}",
        settings.public_url.trim_end_matches('/')
    )
}

/// The provider organization behind an ADMIN caller, which must be an ACTIVE provider.
fn require_active_provider(provider: &partner::Model) -> ApiResult<()> {
    if provider.kind != PartnerKind::IndirectProvider {
        return Err(ApiError::Forbidden("PROVIDER_ONLY"));
    }
    if provider.enrollment_status != EnrollmentStatus::Active {
        return Err(ApiError::user(
            UserErrorCode::ProviderNotActive,
            &[],
            "Your provider enrollment is not ACTIVE yet; invitations can be sent once the \
             program has approved it.",
        ));
    }
    Ok(())
}

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
            "You already have an active partnership with this reseller.",
        ));
    }
    let token = token::generate();
    let now = Utc::now();
    let txn = db.begin().await?;
    let (draft, link, email_id) =
        compose_and_queue(&txn, links, provider, &email, &token, &compose).await?;
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
            action: "partnership_invitation.requested",
            target: NodeType::PartnershipInvitation,
            target_id: invitation.id,
            summary: format!(
                "Partnership requested with {}{}",
                invitation.reseller_email,
                if email_id.is_some() {
                    ""
                } else {
                    " (draft only)"
                }
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

/// A new token (the old link dies), a fresh lifetime, and a new email unless draft-only.
/// Works on PENDING and EXPIRED invitations.
pub async fn resend(
    db: &DatabaseConnection,
    links: &LinkSettings<'_>,
    who: &Who,
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
            "Only PENDING or EXPIRED invitations can be re-sent.",
        ));
    }
    let token = token::generate();
    let now = Utc::now();
    let txn = db.begin().await?;
    let link = link_for(links, &token);
    let previous_body = current.body.replace(LINK_PLACEHOLDER, &link);
    let compose = Compose {
        subject: compose.subject.or(Some(current.subject.as_str())),
        body: compose.body.or(Some(previous_body.as_str())),
        draft_only: compose.draft_only,
    };
    let (draft, link, email_id) = compose_and_queue(
        &txn,
        links,
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
            "The invitation was answered or revoked meanwhile; it can no longer be re-sent.",
        ));
    }
    if let Some(previous) = current.outbound_email_id.filter(|_| email_id.is_some()) {
        worker::delivery::supersede(&txn, previous, "superseded by a re-sent invitation").await?;
    }
    let invitation = own_invitation(&txn, provider.id, current.id).await?;
    audit::record(
        &txn,
        who,
        Change {
            action: "partnership_invitation.resent",
            target: NodeType::PartnershipInvitation,
            target_id: invitation.id,
            summary: format!(
                "Invitation to {} re-sent with a new link",
                invitation.reseller_email
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
            format!("Keep the subject under {} characters.", draft::MAX_SUBJECT),
        ));
    }
    if compose
        .body
        .is_some_and(|s| s.chars().count() > draft::MAX_BODY)
    {
        return Err(ApiError::user(
            UserErrorCode::OutOfRange,
            &["input", "body"],
            format!("Keep the message under {} characters.", draft::MAX_BODY),
        ));
    }
    Ok(())
}

/// Builds the draft and, unless draft-only, writes the outbox row in the caller's transaction.
async fn compose_and_queue<C: ConnectionTrait>(
    txn: &C,
    links: &LinkSettings<'_>,
    provider: &partner::Model,
    to: &str,
    token: &str,
    compose: &Compose<'_>,
) -> ApiResult<(Draft, String, Option<i32>)> {
    let link = link_for(links, token);
    let defaults = Draft {
        to: to.to_owned(),
        subject: draft::default_subject(&provider.company_name),
        body: draft::default_body(&provider.company_name, &provider.partner_network_id, &link),
    };
    let draft = draft::compose(to, compose.subject, compose.body, defaults, &link);
    if compose.draft_only {
        return Ok((draft, link, None));
    }
    let html = draft.html(&link);
    let email_id = crate::outbox::write(
        txn,
        crate::outbox::Email {
            kind: EMAIL_KIND,
            to,
            subject: &draft.subject,
            text: &draft.body,
            html: &html,
            secret: Some(token),
        },
        links.relay_after_ms,
    )
    .await?;
    Ok((draft, link, Some(email_id)))
}

pub async fn revoke(
    db: &DatabaseConnection,
    who: &Who,
    provider: &partner::Model,
    invitation_id: i32,
) -> ApiResult<invitation::Model> {
    let current = own_invitation(db, provider.id, invitation_id).await?;
    let txn = db.begin().await?;
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
            "Only a PENDING invitation can be revoked.",
        ));
    }
    if let Some(email) = current.outbound_email_id {
        worker::delivery::supersede(&txn, email, "the invitation was revoked").await?;
    }
    audit::record(
        &txn,
        who,
        Change {
            action: "partnership_invitation.revoked",
            target: NodeType::PartnershipInvitation,
            target_id: current.id,
            summary: format!("Invitation to {} revoked", current.reseller_email),
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
            "This invitation link is not valid. Ask the provider to send a new one.",
        ));
    };
    if found.provider_id == reseller.id {
        return Err(ApiError::user(
            UserErrorCode::CannotAnswerOwnInvitation,
            field,
            "This is your own organization's invitation; the reseller it was sent to answers it.",
        ));
    }
    if reseller.kind != PartnerKind::IndirectReseller {
        return Err(ApiError::user(
            UserErrorCode::NotAReseller,
            field,
            "Only indirect resellers can accept a partnership invitation. Sign in with your \
             indirect reseller account.",
        ));
    }
    refuse_unusable(&found, field)?;
    if answer == Answer::Accept && reseller.enrollment_status != EnrollmentStatus::Active {
        return Err(ApiError::user(
            UserErrorCode::ResellerNotEnrolled,
            field,
            format!(
                "Your indirect reseller enrollment is {}; it must be ACTIVE before you can \
                 accept partnerships. Complete your enrollment and wait for the program's \
                 approval, then open the link again (it stays valid until it expires).",
                enrollment_word(reseller.enrollment_status)
            ),
        ));
    }

    let now = Utc::now();
    let status = match answer {
        Answer::Accept => InvitationStatus::Accepted,
        Answer::Decline => InvitationStatus::Declined,
    };
    let txn = db.begin().await?;
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
        worker::delivery::supersede(&txn, email, "the invitation was answered").await?;
    }
    let partnership = match answer {
        Answer::Accept => {
            Some(service::create_or_get(&txn, found.provider_id, reseller.id, found.id).await?)
        }
        Answer::Decline => None,
    };
    let (action, verb) = match answer {
        Answer::Accept => ("partnership_invitation.accepted", "accepted"),
        Answer::Decline => ("partnership_invitation.declined", "declined"),
    };
    audit::record(
        &txn,
        who,
        Change {
            action,
            target: NodeType::PartnershipInvitation,
            target_id: found.id,
            summary: format!(
                "{} {verb} the partnership invitation",
                reseller.company_name
            ),
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

/// The refusal for a token that can no longer be used, if it cannot.
fn refuse_unusable(inv: &invitation::Model, field: &[&str]) -> ApiResult<()> {
    refuse_used_link(inv.status, inv.expires_at, field)
}

/// The refusal for a single-use link that can no longer be used (expired, even before the
/// expiry job ran; revoked; answered), if it cannot. Shared by every kind of invitation.
pub fn refuse_used_link(
    status: InvitationStatus,
    expires_at: chrono::DateTime<Utc>,
    field: &[&str],
) -> ApiResult<()> {
    let expired = status == InvitationStatus::Expired
        || (status == InvitationStatus::Pending && expires_at <= Utc::now());
    if expired {
        return Err(ApiError::user(
            UserErrorCode::InvitationExpired,
            field,
            "This invitation has expired. Ask the provider to send it again.",
        ));
    }
    match status {
        InvitationStatus::Revoked => Err(ApiError::user(
            UserErrorCode::InvitationRevoked,
            field,
            "The provider has withdrawn this invitation.",
        )),
        InvitationStatus::Accepted | InvitationStatus::Declined => Err(already_used(field)),
        _ => Ok(()),
    }
}

fn enrollment_word(status: EnrollmentStatus) -> &'static str {
    match status {
        EnrollmentStatus::Pending => "PENDING",
        EnrollmentStatus::Active => "ACTIVE",
        EnrollmentStatus::Suspended => "SUSPENDED",
    }
}

pub fn already_used(field: &[&str]) -> ApiError {
    ApiError::user(
        UserErrorCode::InvitationAlreadyUsed,
        field,
        "This invitation has already been answered; each link works once.",
    )
}

/// Public preview of a link: the invitation and its provider. Unknown tokens are NOT_FOUND.
pub async fn preview<C: ConnectionTrait>(
    db: &C,
    token_text: &str,
) -> ApiResult<(invitation::Model, partner::Model)> {
    let (inv, provider) = invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(token::hash(token_text.trim())))
        .find_also_related(partner::Entity)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((inv, provider.ok_or(ApiError::NotFound)?))
}

/// The status a person should see: PENDING past its expiry reads EXPIRED even before the
/// expiry job has run.
pub fn effective_status(inv: &invitation::Model) -> InvitationStatus {
    if inv.status == InvitationStatus::Pending && inv.expires_at <= Utc::now() {
        InvitationStatus::Expired
    } else {
        inv.status
    }
}

async fn own_invitation<C: ConnectionTrait>(
    db: &C,
    provider_id: i32,
    invitation_id: i32,
) -> ApiResult<invitation::Model> {
    invitation::Entity::find_by_id(invitation_id)
        .filter(invitation::Column::ProviderId.eq(provider_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Invitations of a provider, newest first.
pub fn list(provider_id: i32, status: Option<InvitationStatus>) -> Select<invitation::Entity> {
    let mut select = invitation::Entity::find()
        .filter(invitation::Column::ProviderId.eq(provider_id))
        .order_by_desc(invitation::Column::Id);
    if let Some(status) = status {
        select = select.filter(invitation::Column::Status.eq(status));
    }
    select
}

/// An invitation visible to the caller: its provider's users, or the reseller that answered.
pub async fn find_visible<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    invitation_id: i32,
) -> ApiResult<invitation::Model> {
    let inv = invitation::Entity::find_by_id(invitation_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mine = actor.partner_id();
    let visible = actor.is_platform_admin()
        || mine == Some(inv.provider_id)
        || (mine.is_some() && mine == inv.responded_by_partner_id);
    if visible {
        Ok(inv)
    } else {
        Err(ApiError::NotFound)
    }
}

/// The reseller organization that owns an email address, if it is a reseller user.
async fn reseller_of_email<C: ConnectionTrait>(db: &C, email: &str) -> ApiResult<Option<i32>> {
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .find_also_related(partner::Entity)
        .one(db)
        .await?;
    Ok(found
        .and_then(|(_, p)| p)
        .and_then(|p| (p.kind == PartnerKind::IndirectReseller).then_some(p.id)))
}
