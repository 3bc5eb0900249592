//! The one error type of the service layer and how it reaches clients.
//!
//! `ApiError` deliberately has no `Display`: that keeps async-graphql's blanket
//! `From<T: Display>` away and routes every conversion through `From<ApiError>` below,
//! which attaches `extensions.code` and hides internal details. Business-rule failures
//! travel as `ApiError::User` and mutations turn them into `userErrors` entries.

use crate::graphql::user_error::{UserError, UserErrorCode};
use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

#[derive(Debug)]
pub enum ApiError {
    /// No valid session.
    Unauthenticated,
    /// Signed in but not allowed; the `reason` is a stable machine-readable word.
    Forbidden(&'static str),
    /// Missing, or not visible to the caller (the two are indistinguishable on purpose).
    NotFound,
    BadUserInput(String),
    /// A malformed argument value (`BAD_USER_INPUT` with reason `INVALID`).
    Invalid(String),
    RateLimited {
        retry_after_seconds: i64,
    },
    /// A business rule said no; mutations report it in `userErrors`.
    User(UserError),
    /// Anything unexpected: logged with its context, never shown to the client.
    Internal(anyhow::Error),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn internal(context: &'static str, err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into().context(context))
    }

    pub fn user(code: UserErrorCode, field: &[&str], message: impl Into<String>) -> Self {
        Self::User(UserError::new(code, field, message))
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        Self::Internal(anyhow::Error::new(err).context("database"))
    }
}

/// True when the error is a unique-constraint violation (duplicate email, ...).
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

pub const INTERNAL_MESSAGE: &str = "Internal server error";

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        match err {
            ApiError::Unauthenticated => async_graphql::Error::new(
                "Sign in first: send `Authorization: Bearer <token>` from `login`.",
            )
            .extend_with(|_, e| e.set("code", "UNAUTHENTICATED")),
            ApiError::Forbidden(reason) => async_graphql::Error::new(forbidden_message(reason))
                .extend_with(|_, e| {
                    e.set("code", "FORBIDDEN");
                    e.set("reason", reason);
                }),
            ApiError::NotFound => async_graphql::Error::new("Not found")
                .extend_with(|_, e| e.set("code", "NOT_FOUND")),
            ApiError::BadUserInput(message) => async_graphql::Error::new(message)
                .extend_with(|_, e| e.set("code", "BAD_USER_INPUT")),
            ApiError::Invalid(message) => async_graphql::Error::new(message).extend_with(|_, e| {
                e.set("code", "BAD_USER_INPUT");
                e.set("reason", "INVALID");
            }),
            ApiError::RateLimited {
                retry_after_seconds,
            } => async_graphql::Error::new("Too many attempts; try again later.").extend_with(
                |_, e| {
                    e.set("code", "RATE_LIMITED");
                    e.set("retryAfterSeconds", retry_after_seconds);
                },
            ),
            ApiError::User(user_error) => async_graphql::Error::new(user_error.message.clone())
                .extend_with(|_, e| {
                    e.set("code", "BAD_USER_INPUT");
                    e.set("reason", user_error.code.as_str());
                }),
            ApiError::Internal(source) => {
                // The request id is attached by the masking extension, which also logs.
                tracing::error!(error = ?source, "internal error");
                async_graphql::Error::new(INTERNAL_MESSAGE)
                    .extend_with(|_, e| e.set("code", "INTERNAL"))
            }
        }
    }
}

fn forbidden_message(reason: &str) -> &'static str {
    match reason {
        "PASSWORD_CHANGE_REQUIRED" => {
            "This account still has its temporary password: call `changePassword` first."
        }
        "PLATFORM_ADMIN_ONLY" => "Only platform administrators may do this.",
        "ADMIN_ONLY" => "Only an ADMIN of the organization may do this.",
        _ => "You are not allowed to do this.",
    }
}
