//! Sign-in with throttling per account and per client address, and password changes.
//!
//! Each sign-in reserves an attempt (`throttle`) before the password is verified, so the
//! limit holds however many attempts arrive at once; a throttled caller learns nothing
//! about the password and costs no argon2 verification. A failed attempt stays counted
//! for the window; a successful one clears the account's count.

use super::{session, validate};
use crate::auth::{Actor, password};
use crate::error::{ApiError, ApiResult};
use crate::graphql::user_error::UserErrorCode;
use crate::settings::LoginThrottleSettings;
use crate::throttle;
use chrono::Duration;
use entity::event_type::EventType;
use entity::user;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    Set,
};
use worker::msg;

const ACCOUNT_BUCKET: &str = "login.account";
const ADDRESS_BUCKET: &str = "login.address";

pub struct LoginRequest<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub client_addr: &'a str,
    /// The clock of second-factor challenges (`Settings::clock`).
    pub clock: &'a crate::mfa::Clock,
}

/// A sign-in that got past the password: a session, or, for a user holding a second
/// factor, the challenge `verifyMfa` completes (exactly one of the two is set).
pub struct SignedIn {
    pub user: user::Model,
    pub session: Option<session::IssuedSession>,
    pub challenge: Option<crate::mfa::challenge::Issued>,
}

pub async fn login(
    db: &DatabaseConnection,
    request_id: &str,
    limits: &LoginThrottleSettings,
    session_ttl_hours: i64,
    req: LoginRequest<'_>,
) -> ApiResult<SignedIn> {
    let email = req.email.trim().to_lowercase();
    let window = Duration::minutes(limits.window_minutes);
    let attempt = throttle::reserve(
        db,
        &[
            throttle::Limit {
                bucket: ACCOUNT_BUCKET,
                key: &email,
                limit: limits.per_account,
                window,
            },
            throttle::Limit {
                bucket: ADDRESS_BUCKET,
                key: req.client_addr,
                limit: limits.per_address,
                window,
            },
        ],
    )
    .await?;

    // A removed user signs in no more than an unknown email does.
    let user = user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .filter(user::Column::DeactivatedAt.is_null())
        .one(db)
        .await?;
    // Looked up for every attempt (for an unknown email, of no user) so that holding a
    // second factor does not show in the time a refusal takes.
    let factors = crate::mfa::service::factors(db, user.as_ref().map_or(0, |u| u.id)).await?;
    // Verify against a dummy hash for unknown emails so timing does not reveal accounts.
    let phc = user.as_ref().map_or_else(
        || password::dummy_hash().to_owned(),
        |u| u.password_hash.clone(),
    );
    let ok = validate::verify_password(req.password.to_owned(), phc).await?;

    match user {
        Some(user) if ok => {
            let txn = migration::database::begin_write(db).await?;
            throttle::release(&txn, attempt).await?;
            throttle::clear(&txn, ACCOUNT_BUCKET, &email).await?;
            if factors.any() {
                let now = req.clock.now();
                let challenge = crate::mfa::challenge::issue(&txn, now, user.id, factors).await?;
                txn.commit().await?;
                return Ok(SignedIn {
                    user,
                    session: None,
                    challenge: Some(challenge),
                });
            }
            let session = start_session(&txn, &user, request_id, session_ttl_hours).await?;
            txn.commit().await?;
            Ok(SignedIn {
                user,
                session: Some(session),
                challenge: None,
            })
        }
        // The reserved attempt stays: it counts as a failure for the window.
        _ => {
            drop(attempt);
            Err(ApiError::user(
                UserErrorCode::InvalidCredentials,
                &[],
                msg!("error-invalid-credentials"),
            ))
        }
    }
}

/// Issues a session and records the sign-in, in the caller's transaction (after the
/// password, or after the second factor).
pub async fn start_session<C: sea_orm::ConnectionTrait>(
    txn: &C,
    user: &user::Model,
    request_id: &str,
    session_ttl_hours: i64,
) -> ApiResult<session::IssuedSession> {
    let session = session::issue(txn, user.id, session_ttl_hours).await?;
    let who = crate::audit::Who {
        user_id: Some(user.id),
        partner_id: user.partner_id,
        request_id: request_id.to_owned(),
        api_client_id: None,
    };
    crate::audit::record(
        txn,
        &who,
        crate::audit::Change {
            action: EventType::SessionStarted,
            target: crate::graphql::ids::NodeType::User,
            target_id: user.id,
            summary: msg!("audit-signed-in", email = &user.email),
            subject_partner_id: None,
        },
    )
    .await?;
    Ok(session)
}

/// Changes the caller's password, clears the temporary-password flag and signs out the
/// caller's other sessions.
pub async fn change_password(
    db: &DatabaseConnection,
    who: &crate::audit::Who,
    actor: &Actor,
    current: &str,
    new: &str,
) -> ApiResult<user::Model> {
    let ok =
        validate::verify_password(current.to_owned(), actor.user.password_hash.clone()).await?;
    if !ok {
        return Err(ApiError::user(
            UserErrorCode::InvalidCredentials,
            &["input", "currentPassword"],
            msg!("error-current-password-wrong"),
        ));
    }
    validate::new_password(new, &["input", "newPassword"])?;
    if new == current {
        return Err(ApiError::user(
            UserErrorCode::WeakPassword,
            &["input", "newPassword"],
            msg!("error-password-unchanged"),
        ));
    }
    let hash = validate::hash_password(new.to_owned()).await?;
    let txn = migration::database::begin_write(db).await?;
    let mut user = actor.user.clone().into_active_model();
    user.password_hash = Set(hash);
    user.must_change_password = Set(false);
    let user = user.update(&txn).await?;
    session::end_all_for_user(&txn, user.id, Some(actor.session_id)).await?;
    crate::audit::record(
        &txn,
        who,
        crate::audit::Change {
            action: EventType::UserPasswordChanged,
            target: crate::graphql::ids::NodeType::User,
            target_id: user.id,
            summary: msg!("audit-password-changed"),
            subject_partner_id: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}
