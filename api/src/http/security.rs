//! Browser-facing protections applied in one place, to every response and every request
//! that could run a mutation:
//!
//! - every response carries `X-Content-Type-Options: nosniff`; every HTML page carries a
//!   Content-Security-Policy (the strict default below unless its handler chose one), no
//!   framing and no referrer. Pages keep their script and style in `/assets/…` files, so the
//!   policy never needs `unsafe-inline`;
//! - CSRF: a request a browser can send cross-site without a preflight never reaches the
//!   GraphQL executor. A POST must be JSON; a multipart upload must carry a non-empty
//!   `apollo-require-preflight` or `x-apollo-operation-name` header (what Apollo clients
//!   already send). GET runs queries only (checked by the GraphQL handler).

use super::problem::error_response;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use worker::i18n::Message;
use worker::msg;

/// The policy of every HTML page: only this server's own scripts, styles, images and API.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; \
     base-uri 'none'; frame-ancestors 'none'";

/// Adds the headers above to every response.
pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if is_html {
        headers
            .entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(HeaderValue::from_static(PAGE_CSP));
        headers
            .entry(header::X_FRAME_OPTIONS)
            .or_insert(HeaderValue::from_static("DENY"));
        headers
            .entry(header::REFERRER_POLICY)
            .or_insert(HeaderValue::from_static("no-referrer"));
    }
    response
}

/// The media type of a request's `Content-Type`, lowercased, without its parameters (a
/// multipart boundary may hold any word, "json" too); `None` without a readable header.
pub(super) fn media_type(headers: &HeaderMap) -> Option<String> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = content_type.split(';').next().unwrap_or_default();
    Some(essence.trim().to_ascii_lowercase())
}

/// Why a POST to `/graphql` could have come from a cross-site form, if it could.
fn simple_request_problem(headers: &HeaderMap) -> Option<Message> {
    match media_type(headers).unwrap_or_default().as_str() {
        "application/json" | "application/graphql-response+json" => None,
        "multipart/form-data" => {
            let preflighted = ["apollo-require-preflight", "x-apollo-operation-name"]
                .iter()
                .any(|name| {
                    headers
                        .get(*name)
                        .is_some_and(|v| !v.as_bytes().iter().all(u8::is_ascii_whitespace))
                });
            (!preflighted).then(|| msg!("error-multipart-preflight"))
        }
        _ => Some(msg!("error-send-json")),
    }
}

/// Refuses a POST that a browser could send cross-site without a preflight.
pub async fn require_preflight(request: Request, next: Next) -> Response {
    if request.method() == Method::POST
        && let Some(problem) = simple_request_problem(request.headers())
    {
        let lang = crate::language::of_headers(request.headers());
        super::limits::discard(request.into_body().into_data_stream()).await;
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_USER_INPUT",
            &problem.render(lang),
        );
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(
                header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        map
    }

    #[test]
    fn only_preflighted_bodies_pass() {
        assert!(simple_request_problem(&with(&[("content-type", "application/json")])).is_none());
        assert!(
            simple_request_problem(&with(&[(
                "content-type",
                "Application/JSON; charset=utf-8"
            )]))
            .is_none()
        );
        for ct in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "text/xml",
            "application/jsonp",
            "",
        ] {
            assert!(
                simple_request_problem(&with(&[("content-type", ct)])).is_some(),
                "{ct}"
            );
        }
        assert!(simple_request_problem(&HeaderMap::new()).is_some());
        let multipart = ("content-type", "multipart/form-data; boundary=x");
        assert!(simple_request_problem(&with(&[multipart])).is_some());
        assert!(
            simple_request_problem(&with(&[multipart, ("apollo-require-preflight", " ")]))
                .is_some()
        );
        assert!(
            simple_request_problem(&with(&[multipart, ("apollo-require-preflight", "true")]))
                .is_none()
        );
        assert!(
            simple_request_problem(&with(&[multipart, ("x-apollo-operation-name", "Upload")]))
                .is_none()
        );
    }

    #[test]
    fn the_media_type_is_told_without_its_parameters() {
        let of = |v: &str| media_type(&with(&[("content-type", v)]));
        assert_eq!(
            of("Application/JSON; charset=utf-8").as_deref(),
            Some("application/json")
        );
        assert_eq!(
            of("multipart/form-data; boundary=----JsonBoundary7").as_deref(),
            Some("multipart/form-data")
        );
        assert_eq!(media_type(&HeaderMap::new()), None);
    }
}
