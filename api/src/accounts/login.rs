//! Sign-in with throttling per account and per client address, and password changes.
//!
//! Failed attempts are rows in `login_failures`, so every API replica counts the same
//! attempts. The check runs before the password is verified: a throttled caller learns
//! nothing about the password, and does not cost an argon2 verification.

use super::{session, validate};
use crate::auth::{Actor, password};
use crate::error::{ApiError, ApiResult};
use crate::graphql::user_error::UserErrorCode;
use crate::settings::LoginThrottleSettings;
use chrono::{Duration, Utc};
use entity::{login_failure, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, Set, TransactionTrait,
};

pub struct LoginRequest<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub client_addr: &'a str,
}

pub struct SignedIn {
    pub user: user::Model,
    pub session: session::IssuedSession,
}

pub async fn login(
    db: &DatabaseConnection,
    request_id: &str,
    throttle: &LoginThrottleSettings,
    session_ttl_hours: i64,
    req: LoginRequest<'_>,
) -> ApiResult<SignedIn> {
    let email = req.email.trim().to_lowercase();
    check_throttle(db, throttle, &email, req.client_addr).await?;

    let user = user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .one(db)
        .await?;
    // Verify against a dummy hash for unknown emails so timing does not reveal accounts.
    let phc = user.as_ref().map_or_else(
        || password::dummy_hash().to_owned(),
        |u| u.password_hash.clone(),
    );
    let ok = validate::verify_password(req.password.to_owned(), phc).await?;

    match user {
        Some(user) if ok => {
            let txn = db.begin().await?;
            login_failure::Entity::delete_many()
                .filter(login_failure::Column::Email.eq(&email))
                .exec(&txn)
                .await?;
            let session = session::issue(&txn, user.id, session_ttl_hours).await?;
            let who = crate::audit::Who {
                user_id: Some(user.id),
                partner_id: user.partner_id,
                request_id: request_id.to_owned(),
            };
            crate::audit::record(
                &txn,
                &who,
                crate::audit::Change {
                    action: "session.started",
                    target: crate::graphql::ids::NodeType::User,
                    target_id: user.id,
                    summary: format!("{} signed in", user.email),
                    subject_partner_id: None,
                },
            )
            .await?;
            txn.commit().await?;
            Ok(SignedIn { user, session })
        }
        _ => {
            login_failure::ActiveModel {
                email: Set(email),
                client_ip: Set(req.client_addr.chars().take(64).collect()),
                failed_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(db)
            .await?;
            Err(ApiError::user(
                UserErrorCode::InvalidCredentials,
                &[],
                "The email or password is not correct.",
            ))
        }
    }
}

async fn check_throttle<C: ConnectionTrait>(
    db: &C,
    throttle: &LoginThrottleSettings,
    email: &str,
    client_addr: &str,
) -> ApiResult<()> {
    let since = Utc::now() - Duration::minutes(throttle.window_minutes);
    let recent = || login_failure::Entity::find().filter(login_failure::Column::FailedAt.gt(since));
    let by_account = recent()
        .filter(login_failure::Column::Email.eq(email))
        .count(db)
        .await?;
    let by_address = recent()
        .filter(login_failure::Column::ClientIp.eq(client_addr))
        .count(db)
        .await?;
    if by_account >= throttle.per_account || by_address >= throttle.per_address {
        tracing::warn!(by_account, by_address, "sign-in throttled");
        return Err(ApiError::RateLimited {
            retry_after_seconds: throttle.window_minutes * 60,
        });
    }
    // Old rows only matter inside the window; drop them as we go.
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::FailedAt.lte(since))
        .exec(db)
        .await?;
    Ok(())
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
            "The current password is not correct.",
        ));
    }
    validate::new_password(new, &["input", "newPassword"])?;
    if new == current {
        return Err(ApiError::user(
            UserErrorCode::WeakPassword,
            &["input", "newPassword"],
            "Choose a password different from the current one.",
        ));
    }
    let hash = validate::hash_password(new.to_owned()).await?;
    let txn = db.begin().await?;
    let mut user = actor.user.clone().into_active_model();
    user.password_hash = Set(hash);
    user.must_change_password = Set(false);
    let user = user.update(&txn).await?;
    session::end_all_for_user(&txn, user.id, Some(actor.session_id)).await?;
    crate::audit::record(
        &txn,
        who,
        crate::audit::Change {
            action: "user.password_changed",
            target: crate::graphql::ids::NodeType::User,
            target_id: user.id,
            summary: "Password changed; other sessions ended".to_owned(),
            subject_partner_id: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}
