//! Request-level failures answered in the GraphQL error shape, so clients always find
//! `errors[].extensions.code` — even for a malformed body, an oversized one or a panic.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use worker::i18n::Lang;

pub fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })),
    )
        .into_response()
}

/// `BAD_USER_INPUT` with reason `INVALID`: a malformed value anywhere in the request.
pub fn invalid_input(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "errors": [{ "message": message,
            "extensions": { "code": "BAD_USER_INPUT", "reason": "INVALID" } }] })),
    )
        .into_response()
}

/// `FORBIDDEN` with a machine-readable reason, before anything ran.
pub fn forbidden(reason: &str, message: &str) -> Response {
    (
        StatusCode::FORBIDDEN,
        Json(json!({ "errors": [{ "message": message,
            "extensions": { "code": "FORBIDDEN", "reason": reason } }] })),
    )
        .into_response()
}

pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL",
        &crate::error::internal_message(Lang::En),
    )
}

/// The body-limit layer answers 413 with plain text; give it the GraphQL error shape.
pub async fn json_payload_too_large<B>(response: axum::http::Response<B>) -> Response
where
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(Lang::En);
    }
    response.map(axum::body::Body::new)
}

pub fn too_large(lang: Lang) -> Response {
    error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        "BAD_USER_INPUT",
        &worker::msg!("error-body-too-large").render(lang),
    )
}
