//! Input checks shared by sign-up and user management.

use crate::auth::password;
use crate::error::{ApiError, ApiResult};
use crate::graphql::user_error::UserErrorCode;
use worker::msg;

/// Trims and lower-cases an email and checks it with the mailer's own rule
/// (`worker::mail::parse_address`), so every address accepted here can be sent to.
pub fn email(raw: &str, field: &[&str]) -> ApiResult<String> {
    worker::mail::parse_address(raw)
        .map(|address| address.to_string())
        .map_err(|problem| {
            let message = match problem {
                worker::mail::AddressProblem::Invisible => msg!("error-email-invisible"),
                _ => msg!("error-email-invalid"),
            };
            ApiError::user(UserErrorCode::Invalid, field, message)
        })
}

/// A trimmed display name of 1..=max characters.
pub fn name(raw: &str, max: usize, field: &[&str]) -> ApiResult<String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > max {
        return Err(ApiError::user(
            UserErrorCode::Invalid,
            field,
            msg!("error-text-length", max = max),
        ));
    }
    Ok(name.to_owned())
}

/// An ISO 3166-1 alpha-2 code, upper-cased.
pub fn country(raw: &str, field: &[&str]) -> ApiResult<String> {
    let code = raw.trim().to_uppercase();
    if code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(ApiError::user(
            UserErrorCode::Invalid,
            field,
            msg!("error-country"),
        ))
    }
}

pub fn new_password(raw: &str, field: &[&str]) -> ApiResult<()> {
    match password::weakness(raw) {
        Some(why) => Err(ApiError::user(UserErrorCode::WeakPassword, field, why)),
        None => Ok(()),
    }
}

/// Argon2 is deliberately slow and takes 19 MiB per run: run it off the async executor, and
/// at most one per core at a time, so a burst of sign-ins queues instead of starting a
/// blocking thread (and its memory) per request.
async fn argon2<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let slots = SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        tokio::sync::Semaphore::new(cores)
    });
    let _slot = slots
        .acquire()
        .await
        .map_err(|e| ApiError::internal("password hashing slots", e))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::internal("password hashing task", e))
}

pub async fn hash_password(password: String) -> ApiResult<String> {
    argon2(move || password::hash(&password))
        .await?
        .map_err(|e| ApiError::internal("hashing password", e))
}

pub async fn verify_password(password: String, phc: String) -> ApiResult<bool> {
    argon2(move || password::verify(&password, &phc)).await
}
