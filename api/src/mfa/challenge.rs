//! The two-step sign-in: `login` with the right password of a user holding a second
//! factor issues a challenge (5 minutes, single use, only its hash stored) instead of a
//! session; `verifyMfa` with a code, a recovery code or a passkey assertion spends it and
//! starts the session. Wrong codes are throttled exactly like passwords (an attempt is
//! reserved before the check, per account and per address, `crate::throttle`) and do not
//! use the challenge up.

use super::types::MfaMethod;
use super::{Env, codes, notify, service};
use crate::accounts::login::{self, SignedIn};
use crate::auth::token;
use crate::error::{ApiError, ApiResult};
use crate::graphql::user_error::UserErrorCode;
use crate::throttle;
use chrono::{DateTime, Duration, Utc};
use entity::{mfa_challenge, mfa_recovery_code, mfa_totp, user};
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use worker::msg;

pub const SIGN_IN: &str = "SIGN_IN";
const LIFETIME_MINUTES: i64 = 5;
const ACCOUNT_BUCKET: &str = "mfa.account";
const ADDRESS_BUCKET: &str = "mfa.address";

/// A challenge handed to the client once.
pub struct Issued {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub methods: Vec<MfaMethod>,
}

/// Issues a sign-in challenge for a user holding `factors`, in the caller's transaction.
pub async fn issue<C: ConnectionTrait>(
    txn: &C,
    now: DateTime<Utc>,
    user_id: i32,
    factors: service::Factors,
) -> ApiResult<Issued> {
    let token = token::generate();
    let expires_at = now + Duration::minutes(LIFETIME_MINUTES);
    mfa_challenge::ActiveModel {
        token_hash: Set(token::hash(&token)),
        user_id: Set(user_id),
        purpose: Set(SIGN_IN.to_owned()),
        state: Set(None),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(Issued {
        token,
        expires_at,
        methods: factors.methods(),
    })
}

/// Reserves one second-factor attempt for `user_id` and the address, with the limits of
/// password sign-ins (`LOGIN_THROTTLE__*`).
pub async fn reserve_code_attempt(
    env: &Env<'_>,
    user_id: i32,
    client_addr: &str,
) -> ApiResult<throttle::Reservation> {
    let limits = &env.settings.login_throttle;
    let window = Duration::minutes(limits.window_minutes);
    let key = user_id.to_string();
    throttle::reserve(
        env.db,
        &[
            throttle::Limit {
                bucket: ACCOUNT_BUCKET,
                key: &key,
                limit: limits.per_account,
                window,
            },
            throttle::Limit {
                bucket: ADDRESS_BUCKET,
                key: client_addr,
                limit: limits.per_address,
                window,
            },
        ],
    )
    .await
}

/// Spends a TOTP code: true when it matches a step not used before (the step is recorded
/// atomically, so of two requests with one code exactly one succeeds).
pub async fn spend_totp_code<C: ConnectionTrait>(
    txn: &C,
    env: &Env<'_>,
    totp: &mfa_totp::Model,
    code: &str,
) -> ApiResult<bool> {
    let now = env.clock().now().timestamp();
    let Some(step) = codes::matching_step(&totp.secret, code, now) else {
        return Ok(false);
    };
    let spent = mfa_totp::Entity::update_many()
        .col_expr(mfa_totp::Column::LastUsedStep, Expr::value(Some(step)))
        .filter(mfa_totp::Column::UserId.eq(totp.user_id))
        .filter(mfa_totp::Column::ConfirmedAt.is_not_null())
        .filter(
            Condition::any()
                .add(mfa_totp::Column::LastUsedStep.is_null())
                .add(mfa_totp::Column::LastUsedStep.lt(step)),
        )
        .exec(txn)
        .await?;
    Ok(spent.rows_affected == 1)
}

/// The second factor offered to `verifyMfa`.
#[derive(Clone, Copy)]
pub enum Factor<'a> {
    Code(&'a str),
    RecoveryCode(&'a str),
    Passkey(&'a serde_json::Value),
}

fn challenge_invalid() -> ApiError {
    ApiError::user(
        UserErrorCode::InvalidCredentials,
        &["input", "challengeToken"],
        msg!("error-mfa-challenge-invalid"),
    )
}

/// The live sign-in challenge behind `token`, if any.
pub async fn find_live<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    token: &str,
) -> ApiResult<Option<mfa_challenge::Model>> {
    Ok(mfa_challenge::Entity::find()
        .filter(mfa_challenge::Column::TokenHash.eq(token::hash(token)))
        .filter(mfa_challenge::Column::Purpose.eq(SIGN_IN))
        .filter(mfa_challenge::Column::UsedAt.is_null())
        .filter(mfa_challenge::Column::ExpiresAt.gt(now))
        .one(db)
        .await?)
}

/// Completes a sign-in: checks the factor against the challenge's user and starts the
/// session.
pub async fn verify(
    env: &Env<'_>,
    challenge_token: &str,
    factor: Factor<'_>,
    client_addr: &str,
) -> ApiResult<SignedIn> {
    let now = env.clock().now();
    let Some(challenge) = find_live(env.db, now, challenge_token).await? else {
        // A guessed challenge token still costs the address an attempt.
        let key = client_addr;
        let limits = &env.settings.login_throttle;
        let _counted = throttle::reserve(
            env.db,
            &[throttle::Limit {
                bucket: ADDRESS_BUCKET,
                key,
                limit: limits.per_address,
                window: Duration::minutes(limits.window_minutes),
            }],
        )
        .await?;
        return Err(challenge_invalid());
    };
    let user = user::Entity::find_by_id(challenge.user_id)
        .filter(user::Column::DeactivatedAt.is_null())
        .one(env.db)
        .await?
        .ok_or_else(challenge_invalid)?;
    let attempt = reserve_code_attempt(env, user.id, client_addr).await?;
    let txn = migration::database::begin_write(env.db).await?;
    let mut emails = Vec::new();
    let ok = match factor {
        Factor::Code(code) => match mfa_totp::Entity::find_by_id(user.id)
            .filter(mfa_totp::Column::ConfirmedAt.is_not_null())
            .one(&txn)
            .await?
        {
            Some(totp) => spend_totp_code(&txn, env, &totp, code).await?,
            None => false,
        },
        Factor::RecoveryCode(code) => {
            let spent = spend_recovery_code(&txn, user.id, code, now).await?;
            if spent {
                let left = mfa_recovery_code::Entity::find()
                    .filter(mfa_recovery_code::Column::UserId.eq(user.id))
                    .filter(mfa_recovery_code::Column::UsedAt.is_null())
                    .count(&txn)
                    .await?;
                let who = notify::who_signs_in(&user, &env.request_id);
                let change = notify::Change::RecoveryCodeUsed { left };
                emails.push(notify::record(&txn, env, &who, &user, change).await?);
            }
            spent
        }
        Factor::Passkey(assertion) => {
            super::passkeys::verify_assertion(&txn, env, &challenge, assertion).await?
        }
    };
    if !ok {
        // The attempt stays counted; the challenge stays usable until it expires.
        drop(txn);
        drop(attempt);
        return Err(match factor {
            Factor::RecoveryCode(_) => ApiError::user(
                UserErrorCode::InvalidCredentials,
                &["input", "recoveryCode"],
                msg!("error-recovery-code-wrong"),
            ),
            Factor::Passkey(_) => ApiError::user(
                UserErrorCode::InvalidCredentials,
                &["input", "passkeyAssertion"],
                msg!("error-passkey-rejected"),
            ),
            Factor::Code(_) => service::wrong_code(),
        });
    }
    let spent = mfa_challenge::Entity::update_many()
        .col_expr(mfa_challenge::Column::UsedAt, Expr::value(Some(now)))
        .filter(mfa_challenge::Column::Id.eq(challenge.id))
        .filter(mfa_challenge::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if spent.rows_affected != 1 {
        return Err(challenge_invalid());
    }
    throttle::release(&txn, attempt).await?;
    throttle::clear(&txn, ACCOUNT_BUCKET, &user.id.to_string()).await?;
    let session =
        login::start_session(&txn, &user, &env.request_id, env.settings.session_ttl_hours).await?;
    txn.commit().await?;
    notify::dispatch(env, &emails);
    Ok(SignedIn {
        user,
        session: Some(session),
        challenge: None,
    })
}

async fn spend_recovery_code<C: ConnectionTrait>(
    txn: &C,
    user_id: i32,
    code: &str,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    let spent = mfa_recovery_code::Entity::update_many()
        .col_expr(mfa_recovery_code::Column::UsedAt, Expr::value(Some(now)))
        .filter(mfa_recovery_code::Column::UserId.eq(user_id))
        .filter(mfa_recovery_code::Column::CodeHash.eq(codes::recovery_hash(code)))
        .filter(mfa_recovery_code::Column::UsedAt.is_null())
        .exec(txn)
        .await?;
    Ok(spent.rows_affected >= 1)
}

/// Forgets a user's open challenges (its factors were reset).
pub async fn end_all<C: ConnectionTrait>(txn: &C, user_id: i32) -> ApiResult<()> {
    mfa_challenge::Entity::delete_many()
        .filter(mfa_challenge::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    Ok(())
}
