//! A body that is not a GraphQL request (`body::Incoming` refuses it): answered in the
//! GraphQL error shape, in the request's language.

use super::problem::{error_response, too_large};
use async_graphql::ParseRequestError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use worker::i18n::Lang;
use worker::msg;

/// A body that is not a GraphQL request. The handlers receive it (as an `Err`) and answer
/// it in the GraphQL error shape, in the request's language.
pub struct Rejection(ParseRequestError);

impl From<ParseRequestError> for Rejection {
    fn from(err: ParseRequestError) -> Self {
        Self(err)
    }
}

impl Rejection {
    pub(super) fn answer(self, lang: Lang) -> Response {
        let text = self.0.to_string();
        if matches!(self.0, ParseRequestError::PayloadTooLarge)
            || text.contains("length limit exceeded")
        {
            return too_large(lang);
        }
        let message = match self.0 {
            ParseRequestError::InvalidRequest(_) | ParseRequestError::Io(_) => {
                msg!("error-body-not-graphql")
            }
            _ => msg!("error-body-unreadable"),
        };
        error_response(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            &message.render(lang),
        )
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        self.answer(Lang::En)
    }
}
