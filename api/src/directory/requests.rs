//! Profile change requests, as the program handles them: a provider ADMIN submits company
//! name, logo and a target URL per location; the live profile does not change until a
//! platform administrator moves the request to IN_REVIEW and then COMPLETED (applied to the
//! profile atomically) or REJECTED with a reason. At most one open request per provider.

use super::logo::{self, LogoProblem};
use crate::accounts::validate;
use crate::audit::{self, Change, Who};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, is_unique_violation};
use crate::graphql::ids::NodeType;
use crate::graphql::user_error::UserErrorCode;
use chrono::{Duration, Utc};
use entity::enums::{PartnerKind, ProfileRequestStatus};
use entity::event_type::EventType;
use entity::{
    logo as logo_row, partner, profile_change_request as request, provider_location,
    provider_profile,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Select, Set,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use worker::i18n::Message;
use worker::msg;

/// The program promises two to three weeks.
pub const DUE_DAYS: i64 = 21;

/// Longest target URL, normalized (`provider_locations.target_url` holds 2,048).
pub const MAX_TARGET_URL: usize = 2000;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub country: String,
    pub target_url: String,
}

pub struct Submission {
    pub company_name: String,
    pub logo: Option<Vec<u8>>,
    pub locations: Vec<Location>,
}

fn field_error(code: UserErrorCode, field: &[&str], message: Message) -> ApiError {
    ApiError::user(code, field, message)
}

fn check_locations(raw: Vec<Location>) -> ApiResult<Vec<Location>> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(raw.len());
    for (i, loc) in raw.into_iter().enumerate() {
        let index = i.to_string();
        let country = validate::country(&loc.country, &["input", "locations", &index, "country"])?;
        if !seen.insert(country.clone()) {
            return Err(field_error(
                UserErrorCode::DuplicateCountry,
                &["input", "locations", &index, "country"],
                msg!("error-duplicate-country", country = &country),
            ));
        }
        let url_field = ["input", "locations", index.as_str(), "targetUrl"];
        let too_long = || {
            field_error(
                UserErrorCode::OutOfRange,
                &url_field,
                msg!("error-url-long", max = MAX_TARGET_URL),
            )
        };
        let raw = loc.target_url.trim();
        // Bounds the parsing work only; the rule is on the normalized URL below.
        if raw.len() > MAX_TARGET_URL * 4 {
            return Err(too_long());
        }
        let parsed = url::Url::parse(raw)
            .map_err(|_| field_error(UserErrorCode::Invalid, &url_field, msg!("error-url")))?;
        if parsed.scheme() != "https" || parsed.host_str().is_none() {
            return Err(field_error(
                UserErrorCode::InsecureUrl,
                &url_field,
                msg!("error-url-https"),
            ));
        }
        // What is stored (and completed into the directory) is the normalized URL: %-escapes
        // and punycode make it longer than what was typed.
        if parsed.as_str().chars().count() > MAX_TARGET_URL {
            return Err(too_long());
        }
        out.push(Location {
            country,
            target_url: parsed.to_string(),
        });
    }
    Ok(out)
}

/// Provider ADMIN: a new SUBMITTED request. Everything is checked before anything is stored.
pub async fn submit(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    provider: &partner::Model,
    submission: Submission,
) -> ApiResult<request::Model> {
    if provider.kind != PartnerKind::IndirectProvider {
        return Err(ApiError::Forbidden("PROVIDER_ONLY"));
    }
    let company_name = validate::name(&submission.company_name, 200, &["input", "companyName"])?;
    let locations = check_locations(submission.locations)?;
    let checked_logo = match submission.logo {
        None => None,
        Some(bytes) => {
            let field: &[&str] = &["input", "logo"];
            let checked = logo::check_off_thread(bytes, logo::CHECK_TIME).await;
            Some(checked.map_err(|p| match p {
                LogoProblem::TooLarge => field_error(
                    UserErrorCode::LogoTooLarge,
                    field,
                    msg!("error-logo-too-large", max = logo::MAX_LOGO_BYTES / 1024),
                ),
                LogoProblem::Empty | LogoProblem::NotAnImage => field_error(
                    UserErrorCode::InvalidLogo,
                    field,
                    msg!("error-logo-invalid"),
                ),
                LogoProblem::UnsafeSvg(why) => {
                    field_error(UserErrorCode::UnsafeSvg, field, Message::new(why))
                }
                LogoProblem::TooSlow => field_error(
                    UserErrorCode::InvalidLogo,
                    field,
                    msg!("error-logo-too-slow"),
                ),
            })?)
        }
    };
    let now = Utc::now();
    let txn = migration::database::begin_write(db).await?;
    let logo_id = match checked_logo {
        None => None,
        Some(logo::CheckedLogo {
            content_type,
            bytes,
        }) => Some(
            logo_row::ActiveModel {
                content_type: Set(content_type.into()),
                sha256: Set(hex::encode(Sha256::digest(&bytes))),
                bytes: Set(bytes),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?
            .id,
        ),
    };
    let inserted = request::ActiveModel {
        partner_id: Set(provider.id),
        status: Set(ProfileRequestStatus::Submitted),
        company_name: Set(company_name),
        logo_id: Set(logo_id),
        locations: Set(
            serde_json::to_string(&locations).map_err(|e| ApiError::internal("locations", e))?
        ),
        submitted_by_user_id: Set(actor.user.id),
        submitted_at: Set(now),
        due_by: Set(now + Duration::days(DUE_DAYS)),
        resolved_at: Set(None),
        resolved_by_user_id: Set(None),
        rejection_reason: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    match inserted {
        Ok(row) => {
            audit::record(
                &txn,
                who,
                Change {
                    action: EventType::ProfileChangeRequestSubmitted,
                    target: NodeType::ProfileChangeRequest,
                    target_id: row.id,
                    summary: msg!(
                        "audit-profile-change-requested",
                        partner = &row.company_name
                    ),
                    subject_partner_id: None,
                },
            )
            .await?;
            txn.commit().await?;
            Ok(row)
        }
        Err(e) if is_unique_violation(&e) => Err(field_error(
            UserErrorCode::OpenRequestExists,
            &[],
            msg!("error-open-request"),
        )),
        Err(e) => Err(e.into()),
    }
}

pub fn locations_of(row: &request::Model) -> Vec<Location> {
    serde_json::from_str(&row.locations).unwrap_or_default()
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    Review,
    Complete,
    Reject,
}

/// Platform admin: SUBMITTED -> IN_REVIEW -> COMPLETED | REJECTED. Completing applies the
/// request to the live profile and the directory in the same transaction.
pub async fn resolve(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    request_id: i32,
    resolution: Resolution,
    reason: Option<&str>,
) -> ApiResult<request::Model> {
    let (from, to) = match resolution {
        Resolution::Review => (
            ProfileRequestStatus::Submitted,
            ProfileRequestStatus::InReview,
        ),
        Resolution::Complete => (
            ProfileRequestStatus::InReview,
            ProfileRequestStatus::Completed,
        ),
        Resolution::Reject => (
            ProfileRequestStatus::InReview,
            ProfileRequestStatus::Rejected,
        ),
    };
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if resolution == Resolution::Reject && reason.is_none() {
        return Err(field_error(
            UserErrorCode::Invalid,
            &["input", "reason"],
            msg!("error-reject-reason"),
        ));
    }
    let now = Utc::now();
    let txn = migration::database::begin_write(db).await?;
    let found = request::Entity::find_by_id(request_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut update = request::Entity::update_many()
        .col_expr(request::Column::Status, Expr::value(to))
        .filter(request::Column::Id.eq(found.id))
        .filter(request::Column::Status.eq(from));
    if resolution != Resolution::Review {
        update = update
            .col_expr(request::Column::ResolvedAt, Expr::value(Some(now)))
            .col_expr(
                request::Column::ResolvedByUserId,
                Expr::value(Some(actor.user.id)),
            )
            .col_expr(
                request::Column::RejectionReason,
                Expr::value(reason.map(str::to_owned)),
            );
    }
    if update.exec(&txn).await?.rows_affected != 1 {
        return Err(field_error(
            UserErrorCode::InvalidState,
            &["input", "requestId"],
            msg!("error-request-state"),
        ));
    }
    if resolution == Resolution::Complete {
        apply(&txn, &found).await?;
    }
    let (action, summary) = match resolution {
        Resolution::Review => (
            EventType::ProfileChangeRequestInReview,
            msg!("audit-profile-change-in-review"),
        ),
        Resolution::Complete => (
            EventType::ProfileChangeRequestCompleted,
            msg!("audit-profile-updated", partner = &found.company_name),
        ),
        Resolution::Reject => (
            EventType::ProfileChangeRequestRejected,
            msg!(
                "audit-profile-change-rejected",
                reason = reason.unwrap_or_default()
            ),
        ),
    };
    audit::record(
        &txn,
        who,
        Change {
            action,
            target: NodeType::ProfileChangeRequest,
            target_id: found.id,
            summary,
            subject_partner_id: Some(found.partner_id),
        },
    )
    .await?;
    let updated = request::Entity::find_by_id(found.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    txn.commit().await?;
    Ok(updated)
}

/// Makes a completed request the live profile: name, logo (kept if none was sent) and the
/// full set of locations.
async fn apply<C: ConnectionTrait>(txn: &C, req: &request::Model) -> ApiResult<()> {
    let provider = partner::Entity::find_by_id(req.partner_id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut p = provider.into_active_model();
    p.company_name = Set(req.company_name.clone());
    p.update(txn).await?;
    let now = Utc::now();
    match provider_profile::Entity::find_by_id(req.partner_id)
        .one(txn)
        .await?
    {
        Some(existing) => {
            let mut profile = existing.clone().into_active_model();
            profile.logo_id = Set(req.logo_id.or(existing.logo_id));
            profile.updated_at = Set(now);
            profile.update(txn).await?;
        }
        None => {
            provider_profile::ActiveModel {
                partner_id: Set(req.partner_id),
                logo_id: Set(req.logo_id),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?;
        }
    }
    provider_location::Entity::delete_many()
        .filter(provider_location::Column::PartnerId.eq(req.partner_id))
        .exec(txn)
        .await?;
    for loc in locations_of(req) {
        provider_location::ActiveModel {
            partner_id: Set(req.partner_id),
            country: Set(loc.country),
            target_url: Set(loc.target_url),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// Platform admins: every request, open ones first by due date; providers: their own, newest
/// first.
pub fn list(
    actor: &Actor,
    status: Option<ProfileRequestStatus>,
) -> ApiResult<Select<request::Entity>> {
    let mut select = request::Entity::find();
    if actor.is_platform_admin() {
        select = select
            .order_by_asc(request::Column::DueBy)
            .order_by_asc(request::Column::Id);
    } else {
        let provider = actor
            .partner
            .as_ref()
            .filter(|p| p.kind == PartnerKind::IndirectProvider);
        let provider = provider.ok_or(ApiError::Forbidden("PROVIDER_ONLY"))?;
        select = select
            .filter(request::Column::PartnerId.eq(provider.id))
            .order_by_desc(request::Column::Id);
    }
    if let Some(status) = status {
        select = select.filter(request::Column::Status.eq(status));
    }
    Ok(select)
}

pub async fn find_visible<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i32,
) -> ApiResult<request::Model> {
    let found = request::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    if actor.is_platform_admin() || actor.partner_id() == Some(found.partner_id) {
        Ok(found)
    } else {
        Err(ApiError::NotFound)
    }
}
