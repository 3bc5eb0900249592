//! Who reads what in which language (DESIGN "Languages"), for the API's side:
//! - GraphQL messages and formatted amounts follow the request's `Accept-Language`
//!   ([`RequestLang`], put into every request by the HTTP handler);
//! - an email and its draft are written in the recipient's language when the recipient is
//!   a known user, else in the `language` the request gives, else in the sender's
//!   ([`for_recipient`]);
//! - a user's `preferredLanguage` is a well-formed BCP 47 tag ([`preference`]), read as the
//!   nearest supported language.
//!
//! The messages themselves, their files and the formatting are `worker::i18n`'s.

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::graphql::user_error::UserErrorCode;
use async_graphql::Context;
use entity::user;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use worker::i18n::{self, Lang};
use worker::msg;

/// Request data: the language of the request's `Accept-Language`.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestLang(pub Lang);

/// The language of a request's `Accept-Language` header (English without one).
pub fn of_headers(headers: &axum::http::HeaderMap) -> Lang {
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Lang::En, Lang::from_accept_language)
}

/// The language the caller reads GraphQL messages in.
pub fn of_request(ctx: &Context<'_>) -> Lang {
    ctx.data_opt::<RequestLang>()
        .map(|l| l.0)
        .unwrap_or_default()
}

/// A stored sentence (an audit summary, a disabled reason) in the caller's language: its
/// stored message when it has one, else the text as it was written.
pub fn read_stored(ctx: &Context<'_>, text: &str, message: Option<&str>) -> String {
    read_stored_in(of_request(ctx), text, message)
}

/// [`read_stored`] in `lang` (for executors without a GraphQL context: `graphql::direct`).
pub fn read_stored_in(lang: Lang, text: &str, message: Option<&str>) -> String {
    message
        .and_then(|m| i18n::render_stored(lang, m))
        .unwrap_or_else(|| i18n::read_stored(lang, text))
}

/// A `preferredLanguage` or `language` input: a well-formed BCP 47 tag, canonicalized.
pub fn preference(raw: &str, field: &[&str]) -> ApiResult<String> {
    preference_within(raw, 35, field)
}

/// [`preference`] for a column that holds at most `max_len` characters.
pub fn preference_within(raw: &str, max_len: usize, field: &[&str]) -> ApiResult<String> {
    i18n::canonical_tag(raw)
        .filter(|tag| tag.len() <= max_len)
        .ok_or_else(|| {
            ApiError::user(
                UserErrorCode::Invalid,
                field,
                msg!(
                    "language-invalid",
                    tag = raw.chars().take(40).collect::<String>()
                ),
            )
        })
}

/// The language an email to `email` is written in: its user's, else `requested`, else the
/// sender's.
pub async fn for_recipient<C: ConnectionTrait>(
    db: &C,
    email: &str,
    requested: Option<&str>,
    sender: &Actor,
    field: &[&str],
) -> ApiResult<Lang> {
    let requested = requested
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| preference(r, field))
        .transpose()?;
    let known = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .filter(user::Column::DeactivatedAt.is_null())
        .one(db)
        .await?
        .map(|u| u.preferred_language);
    let tag = known
        .or(requested)
        .unwrap_or_else(|| sender.user.preferred_language.clone());
    Ok(Lang::nearest(&tag))
}
