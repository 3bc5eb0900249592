//! A user's factors: authenticator-app enrolment, confirmation (which hands out the
//! recovery codes), turning it off, an ADMIN's or the platform's reset (support's path for
//! a locked-out user), and the organization's rule. Code checks are throttled like
//! passwords (`challenge::reserve_code_attempt`).

use super::notify::{self, Change};
use super::{Env, challenge, codes};
use crate::accounts::validate;
use crate::audit::Who;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::graphql::user_error::UserErrorCode;
use entity::enums::UserRole;
use entity::event_type::EventType;
use entity::{mfa_passkey, mfa_recovery_code, mfa_totp, partner, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, Set,
};
use worker::msg;

/// What a user holds (`User.mfaMethods`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Factors {
    pub totp: bool,
    pub passkeys: u64,
    pub recovery_codes_left: u64,
}

impl Factors {
    pub fn any(&self) -> bool {
        self.totp || self.passkeys > 0
    }

    /// The methods a sign-in can be completed with.
    pub fn methods(&self) -> Vec<super::types::MfaMethod> {
        use super::types::MfaMethod;
        let mut methods = Vec::new();
        if self.totp {
            methods.push(MfaMethod::Totp);
        }
        if self.recovery_codes_left > 0 {
            methods.push(MfaMethod::RecoveryCode);
        }
        if self.passkeys > 0 {
            methods.push(MfaMethod::Passkey);
        }
        methods
    }
}

pub async fn factors<C: ConnectionTrait>(db: &C, user_id: i32) -> ApiResult<Factors> {
    let totp = mfa_totp::Entity::find_by_id(user_id)
        .filter(mfa_totp::Column::ConfirmedAt.is_not_null())
        .count(db)
        .await?
        > 0;
    let passkeys = mfa_passkey::Entity::find()
        .filter(mfa_passkey::Column::UserId.eq(user_id))
        .count(db)
        .await?;
    let recovery_codes_left = mfa_recovery_code::Entity::find()
        .filter(mfa_recovery_code::Column::UserId.eq(user_id))
        .filter(mfa_recovery_code::Column::UsedAt.is_null())
        .count(db)
        .await?;
    Ok(Factors {
        totp,
        passkeys,
        recovery_codes_left,
    })
}

pub struct Enrolment {
    pub otpauth_uri: String,
    pub secret: String,
}

/// The product's name, the issuer authenticator apps show beside the account.
pub const ISSUER: &str = "Partner Center";

/// Starts (or restarts) enrolment: a new secret, not in force until a code confirms it.
pub async fn enroll_totp(env: &Env<'_>, actor: &Actor) -> ApiResult<Enrolment> {
    let existing = mfa_totp::Entity::find_by_id(actor.user.id)
        .one(env.db)
        .await?;
    if existing.as_ref().is_some_and(|t| t.confirmed_at.is_some()) {
        return Err(ApiError::user(
            UserErrorCode::InvalidState,
            &[],
            msg!("error-totp-already-on"),
        ));
    }
    let secret = codes::new_secret();
    let now = env.clock().now();
    let txn = migration::database::begin_write(env.db).await?;
    mfa_totp::Entity::delete_by_id(actor.user.id)
        .exec(&txn)
        .await?;
    mfa_totp::ActiveModel {
        user_id: Set(actor.user.id),
        secret: Set(secret.clone()),
        confirmed_at: Set(None),
        last_used_step: Set(None),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(Enrolment {
        otpauth_uri: codes::otpauth_uri(ISSUER, &actor.user.email, &secret),
        secret,
    })
}

/// Turns TOTP on with a first valid code; returns the ten recovery codes (once).
pub async fn confirm_totp(
    env: &Env<'_>,
    who: &Who,
    actor: &Actor,
    client_addr: &str,
    code: &str,
) -> ApiResult<Vec<String>> {
    let pending = mfa_totp::Entity::find_by_id(actor.user.id)
        .filter(mfa_totp::Column::ConfirmedAt.is_null())
        .one(env.db)
        .await?
        .ok_or_else(|| {
            ApiError::user(
                UserErrorCode::InvalidState,
                &[],
                msg!("error-totp-not-enrolled"),
            )
        })?;
    let attempt = challenge::reserve_code_attempt(env, actor.user.id, client_addr).await?;
    let now = env.clock().now();
    let Some(step) = codes::matching_step(&pending.secret, code, now.timestamp()) else {
        drop(attempt);
        return Err(wrong_code());
    };
    let recovery = codes::new_recovery_codes();
    let txn = migration::database::begin_write(env.db).await?;
    let confirmed = mfa_totp::Entity::update_many()
        .col_expr(mfa_totp::Column::ConfirmedAt, Expr::value(Some(now)))
        .col_expr(mfa_totp::Column::LastUsedStep, Expr::value(Some(step)))
        .filter(mfa_totp::Column::UserId.eq(actor.user.id))
        .filter(mfa_totp::Column::Secret.eq(&pending.secret))
        .filter(mfa_totp::Column::ConfirmedAt.is_null())
        .exec(&txn)
        .await?;
    if confirmed.rows_affected != 1 {
        // A concurrent confirmation or re-enrolment won.
        return Err(ApiError::user(
            UserErrorCode::InvalidState,
            &[],
            msg!("error-totp-not-enrolled"),
        ));
    }
    crate::throttle::release(&txn, attempt).await?;
    replace_recovery_codes(&txn, actor.user.id, &recovery, now).await?;
    let email = notify::record(&txn, env, who, &actor.user, Change::TotpEnabled).await?;
    txn.commit().await?;
    notify::dispatch(env, &[email]);
    Ok(recovery)
}

async fn replace_recovery_codes<C: ConnectionTrait>(
    txn: &C,
    user_id: i32,
    recovery: &[String],
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    mfa_recovery_code::Entity::delete_many()
        .filter(mfa_recovery_code::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    mfa_recovery_code::Entity::insert_many(recovery.iter().map(|code| {
        mfa_recovery_code::ActiveModel {
            user_id: Set(user_id),
            code_hash: Set(codes::recovery_hash(code)),
            used_at: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
    }))
    .exec(txn)
    .await?;
    Ok(())
}

/// Turns TOTP off: needs the password and a current code. Recovery codes go too unless a
/// passkey remains (they recover the remaining factor).
pub async fn disable_totp(
    env: &Env<'_>,
    who: &Who,
    actor: &Actor,
    client_addr: &str,
    password: &str,
    code: &str,
) -> ApiResult<()> {
    let totp = mfa_totp::Entity::find_by_id(actor.user.id)
        .filter(mfa_totp::Column::ConfirmedAt.is_not_null())
        .one(env.db)
        .await?
        .ok_or_else(|| {
            ApiError::user(UserErrorCode::InvalidState, &[], msg!("error-totp-not-on"))
        })?;
    let attempt = challenge::reserve_code_attempt(env, actor.user.id, client_addr).await?;
    let password_ok =
        validate::verify_password(password.to_owned(), actor.user.password_hash.clone()).await?;
    if !password_ok {
        drop(attempt);
        return Err(ApiError::user(
            UserErrorCode::InvalidCredentials,
            &["input", "password"],
            msg!("error-password-wrong"),
        ));
    }
    let txn = migration::database::begin_write(env.db).await?;
    if !challenge::spend_totp_code(&txn, env, &totp, code).await? {
        drop(txn);
        drop(attempt);
        return Err(wrong_code());
    }
    crate::throttle::release(&txn, attempt).await?;
    mfa_totp::Entity::delete_by_id(actor.user.id)
        .exec(&txn)
        .await?;
    let passkeys = mfa_passkey::Entity::find()
        .filter(mfa_passkey::Column::UserId.eq(actor.user.id))
        .count(&txn)
        .await?;
    if passkeys == 0 {
        mfa_recovery_code::Entity::delete_many()
            .filter(mfa_recovery_code::Column::UserId.eq(actor.user.id))
            .exec(&txn)
            .await?;
    }
    let email = notify::record(&txn, env, who, &actor.user, Change::TotpDisabled).await?;
    txn.commit().await?;
    notify::dispatch(env, &[email]);
    Ok(())
}

pub fn wrong_code() -> ApiError {
    ApiError::user(
        UserErrorCode::InvalidCredentials,
        &["input", "code"],
        msg!("error-mfa-code-wrong"),
    )
}

/// Support's recovery path: an ADMIN of the user's organization, or a platform
/// administrator, removes every factor of a user (authenticator, recovery codes,
/// passkeys) and ends its sessions; the user enrols again at its next sign-in. Anyone else,
/// or a user not visible to the caller, gets `NOT_FOUND`.
pub async fn reset_factors(
    env: &Env<'_>,
    who: &Who,
    actor: &Actor,
    user_id: i32,
) -> ApiResult<user::Model> {
    let target = user::Entity::find_by_id(user_id)
        .one(env.db)
        .await?
        .filter(|u| u.deactivated_at.is_none())
        .ok_or(ApiError::NotFound)?;
    let allowed = actor.is_platform_admin()
        || target
            .partner_id
            .is_some_and(|p| actor.is_admin_of(p) && target.role != UserRole::PlatformAdmin);
    if !allowed {
        return Err(ApiError::NotFound);
    }
    let txn = migration::database::begin_write(env.db).await?;
    mfa_totp::Entity::delete_by_id(target.id).exec(&txn).await?;
    mfa_recovery_code::Entity::delete_many()
        .filter(mfa_recovery_code::Column::UserId.eq(target.id))
        .exec(&txn)
        .await?;
    mfa_passkey::Entity::delete_many()
        .filter(mfa_passkey::Column::UserId.eq(target.id))
        .exec(&txn)
        .await?;
    challenge::end_all(&txn, target.id).await?;
    // Whoever held the lost factor may hold a session too: it ends (not the ADMIN's own).
    let keep = (target.id == actor.user.id).then_some(actor.session_id);
    crate::accounts::session::end_all_for_user(&txn, target.id, keep).await?;
    let email = notify::record(&txn, env, who, &target, Change::FactorsReset).await?;
    txn.commit().await?;
    notify::dispatch(env, &[email]);
    Ok(target)
}

/// An organization ADMIN turns the rule on or off; recorded when it changes.
pub async fn set_organization_rule(
    env: &Env<'_>,
    who: &Who,
    org: &partner::Model,
    required: bool,
) -> ApiResult<partner::Model> {
    if org.mfa_required == required {
        return Ok(org.clone());
    }
    let txn = migration::database::begin_write(env.db).await?;
    let mut row = org.clone().into_active_model();
    row.mfa_required = Set(required);
    let updated = row.update(&txn).await?;
    crate::audit::record(
        &txn,
        who,
        crate::audit::Change {
            action: EventType::OrganizationMfaRequiredChanged,
            target: crate::graphql::ids::NodeType::Partner,
            target_id: org.id,
            summary: if required {
                msg!("audit-mfa-required-on")
            } else {
                msg!("audit-mfa-required-off")
            },
            subject_partner_id: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}
