//! Partnership invitations: a provider ADMIN requests a partnership with a reseller email;
//! the invitation and its outbox email commit together; the reseller answers through the
//! single-use link. Every refusal has its own code.

mod answer;
mod issue;

pub use answer::{Answer, Answered, answer, revoke};
pub use issue::{request, resend};

use crate::auth::{Actor, token};
use crate::error::{ApiError, ApiResult};
use crate::graphql::user_error::UserErrorCode;
use crate::partnerships::draft::Draft;
use chrono::Utc;
use entity::enums::{EnrollmentStatus, InvitationStatus, PartnerKind};
use entity::{partner, partnership_invitation as invitation, user};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select};
use worker::msg;

/// Where links point, how long they live, and when the relay may re-enqueue an email.
pub struct LinkSettings<'a> {
    pub public_url: &'a str,
    pub ttl_days: i64,
    /// An email dispatched now is re-enqueued by the relay only if still unsent after this.
    pub relay_after_ms: u64,
    /// How many emails an organization may have sent per window.
    pub rate_limits: &'a crate::settings::RateLimitSettings,
}

pub use worker::compose::LINK_PLACEHOLDER;
pub const EMAIL_KIND: &str = "PARTNERSHIP_INVITATION";

pub struct Compose<'a> {
    pub subject: Option<&'a str>,
    /// The provider's own text; `{link}` marks where the link goes.
    pub body: Option<&'a str>,
    /// The `language` of the request (used when the recipient is not a known user).
    pub language: Option<&'a str>,
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
            msg!("error-provider-not-approved"),
        ));
    }
    Ok(())
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
            msg!("error-invitation-expired"),
        ));
    }
    match status {
        InvitationStatus::Revoked => Err(ApiError::user(
            UserErrorCode::InvitationRevoked,
            field,
            msg!("error-invitation-revoked"),
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
        msg!("error-invitation-used"),
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

/// Invitations of a provider, newest first, filtered by the status a person sees (a
/// PENDING invitation past its expiry is EXPIRED even before the expiry job ran).
pub fn list(provider_id: i32, status: Option<InvitationStatus>) -> Select<invitation::Entity> {
    let mut select = invitation::Entity::find()
        .filter(invitation::Column::ProviderId.eq(provider_id))
        .order_by_desc(invitation::Column::Id);
    let now = Utc::now();
    select = match status {
        None => select,
        Some(InvitationStatus::Pending) => select
            .filter(invitation::Column::Status.eq(InvitationStatus::Pending))
            .filter(invitation::Column::ExpiresAt.gt(now)),
        Some(InvitationStatus::Expired) => select.filter(
            sea_orm::Condition::any()
                .add(invitation::Column::Status.eq(InvitationStatus::Expired))
                .add(
                    sea_orm::Condition::all()
                        .add(invitation::Column::Status.eq(InvitationStatus::Pending))
                        .add(invitation::Column::ExpiresAt.lte(now)),
                ),
        ),
        Some(other) => select.filter(invitation::Column::Status.eq(other)),
    };
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
