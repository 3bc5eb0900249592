//! The one error type of the service layer and how it reaches clients.
//!
//! `ApiError` deliberately has no `Display`: that keeps async-graphql's blanket
//! `From<T: Display>` away and routes every conversion through `From<ApiError>` below,
//! which attaches `extensions.code` and hides internal details. Business-rule failures
//! travel as `ApiError::User` and mutations turn them into `userErrors` entries.
//!
//! Every message is a `worker::i18n::Message` (an id of the message files and its
//! arguments), never a sentence: userErrors render in the request's language when read; a
//! top-level error carries its message along (`MESSAGE_KEY`) and
//! `graphql::error_codes::finish` renders it in the request's language.

use crate::graphql::user_error::{UserError, UserErrorCode};
use async_graphql::ErrorExtensions;
use sea_orm::DbErr;
use worker::i18n::{Arg, Lang, Message};
use worker::msg;

#[derive(Debug)]
pub enum ApiError {
    /// No valid session.
    Unauthenticated,
    /// Signed in but not allowed; the `reason` is a stable machine-readable word.
    Forbidden(&'static str),
    /// A reseller's ACTIVE admin relationships with the customer do not grant this role
    /// (`FORBIDDEN`, reason `MISSING_ADMIN_ROLE`, `requiredRole`).
    MissingAdminRole(entity::enums::AdminRole),
    /// An API client's token lacks this scope (dotted): `FORBIDDEN` with reason
    /// `INSUFFICIENT_SCOPE` and `requiredScope` (see `graphql::policy`).
    MissingScope(&'static str),
    /// Missing, or not visible to the caller (the two are indistinguishable on purpose).
    NotFound,
    BadUserInput(Message),
    /// A malformed argument value (`BAD_USER_INPUT` with reason `INVALID`).
    Invalid(Message),
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

    pub fn user(code: UserErrorCode, field: &[&str], message: Message) -> Self {
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

/// The extension a top-level error carries its message in until the response is finished
/// (`{"id": …, "args": {name: value}}`); removed before the client sees it.
pub const MESSAGE_KEY: &str = "__message";

/// The message of a top-level error of `code`/`reason`.
fn top_level(err: &ApiError) -> Message {
    match err {
        ApiError::Unauthenticated => msg!("error-unauthenticated"),
        ApiError::Forbidden(reason) => match *reason {
            "PASSWORD_CHANGE_REQUIRED" => msg!("error-forbidden-password-change"),
            "PLATFORM_ADMIN_ONLY" => msg!("error-forbidden-platform-admin"),
            "ADMIN_ONLY" => msg!("error-forbidden-admin"),
            "PARTNERS_ONLY" => msg!("error-forbidden-partners"),
            "PROVIDER_ONLY" => msg!("error-forbidden-provider"),
            "RESELLER_ONLY" => msg!("error-forbidden-reseller"),
            "SALES_ONLY" => msg!("error-forbidden-sales"),
            "CANNOT_ADMINISTER" => msg!("error-forbidden-administer"),
            "CUSTOMER_ADMIN_ONLY" => msg!("error-forbidden-customer-admin"),
            "NOT_A_USER" => msg!("error-not-a-user"),
            _ => msg!("error-forbidden"),
        },
        ApiError::MissingAdminRole(role) => {
            msg!("error-forbidden-missing-admin-role", role = role.as_str())
        }
        ApiError::MissingScope(scope) => msg!("error-insufficient-scope", scope = *scope),
        ApiError::NotFound => msg!("error-not-found"),
        ApiError::BadUserInput(m) | ApiError::Invalid(m) => m.clone(),
        ApiError::RateLimited { .. } => msg!("error-rate-limited"),
        ApiError::User(e) => e.message.clone(),
        ApiError::Internal(_) => msg!("error-internal"),
    }
}

/// A message as the extension value [`MESSAGE_KEY`] holds it.
fn carried(message: &Message) -> async_graphql::Value {
    let args: async_graphql::indexmap::IndexMap<async_graphql::Name, async_graphql::Value> =
        message
            .args
            .iter()
            .map(|(name, arg)| {
                let value = match arg {
                    Arg::Text(t) => async_graphql::Value::from(t.clone()),
                    Arg::Number(n) => async_graphql::Value::from(*n),
                };
                (async_graphql::Name::new(name), value)
            })
            .collect();
    let mut object = async_graphql::indexmap::IndexMap::new();
    object.insert(
        async_graphql::Name::new("id"),
        async_graphql::Value::from(message.id),
    );
    object.insert(
        async_graphql::Name::new("args"),
        async_graphql::Value::Object(args),
    );
    async_graphql::Value::Object(object)
}

/// Renders a carried message (see [`MESSAGE_KEY`]) in `lang`.
pub fn render_carried(value: &async_graphql::Value, lang: Lang) -> Option<String> {
    let async_graphql::Value::Object(object) = value else {
        return None;
    };
    let Some(async_graphql::Value::String(id)) = object.get("id") else {
        return None;
    };
    let args: Vec<(String, Arg)> = match object.get("args") {
        Some(async_graphql::Value::Object(args)) => args
            .iter()
            .filter_map(|(name, value)| {
                let arg = match value {
                    async_graphql::Value::String(t) => Arg::Text(t.clone()),
                    async_graphql::Value::Number(n) => Arg::Number(n.as_i64()?),
                    _ => return None,
                };
                Some((name.to_string(), arg))
            })
            .collect(),
        _ => Vec::new(),
    };
    let borrowed: Vec<(&str, Arg)> = args.iter().map(|(n, a)| (n.as_str(), a.clone())).collect();
    Some(worker::i18n::text(lang, id, &borrowed))
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        let message = top_level(&err);
        let english = message.render(Lang::En);
        let carried = carried(&message);
        let with = |code: &'static str| {
            move |_: &async_graphql::Error, e: &mut async_graphql::ErrorExtensionValues| {
                e.set("code", code);
            }
        };
        let error = match err {
            ApiError::Unauthenticated => {
                async_graphql::Error::new(english).extend_with(with("UNAUTHENTICATED"))
            }
            ApiError::Forbidden(reason) => {
                async_graphql::Error::new(english).extend_with(|_, e| {
                    e.set("code", "FORBIDDEN");
                    e.set("reason", reason);
                })
            }
            ApiError::MissingAdminRole(role) => {
                async_graphql::Error::new(english).extend_with(move |_, e| {
                    e.set("code", "FORBIDDEN");
                    e.set("reason", "MISSING_ADMIN_ROLE");
                    e.set("requiredRole", role.as_str());
                })
            }
            ApiError::MissingScope(scope) => {
                async_graphql::Error::new(english).extend_with(|_, e| {
                    e.set("code", "FORBIDDEN");
                    e.set("reason", "INSUFFICIENT_SCOPE");
                    e.set("requiredScope", scope);
                })
            }
            ApiError::NotFound => async_graphql::Error::new(english).extend_with(with("NOT_FOUND")),
            ApiError::BadUserInput(_) => {
                async_graphql::Error::new(english).extend_with(with("BAD_USER_INPUT"))
            }
            ApiError::Invalid(_) => async_graphql::Error::new(english).extend_with(|_, e| {
                e.set("code", "BAD_USER_INPUT");
                e.set("reason", "INVALID");
            }),
            ApiError::RateLimited {
                retry_after_seconds,
            } => async_graphql::Error::new(english).extend_with(|_, e| {
                e.set("code", "RATE_LIMITED");
                e.set("retryAfterSeconds", retry_after_seconds);
            }),
            ApiError::User(user_error) => async_graphql::Error::new(english).extend_with(|_, e| {
                e.set("code", "BAD_USER_INPUT");
                e.set("reason", user_error.code.as_str());
            }),
            ApiError::Internal(source) => {
                // The request id is attached by `error_codes::finish`, which also logs.
                tracing::error!(error = ?source, "internal error");
                async_graphql::Error::new(english).extend_with(with("INTERNAL"))
            }
        };
        error.extend_with(move |_, e| e.set(MESSAGE_KEY, carried.clone()))
    }
}

/// The English text of the internal error message (logs, HTTP-level answers).
pub fn internal_message(lang: Lang) -> String {
    msg!("error-internal").render(lang)
}
