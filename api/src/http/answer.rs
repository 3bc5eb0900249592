//! How `/graphql` writes its answers, after the GraphQL over HTTP specification:
//!
//! - the media type the client accepts ([`MediaType::negotiate`]):
//!   `application/graphql-response+json` when asked for, else `application/json` (also
//!   for `*/*` or no `Accept` at all, as the spec says for legacy clients); every answer of
//!   the endpoint, our own refusals included, carries the negotiated type;
//! - a request that never executed (the document did not parse or validate) has no `data`
//!   entry, and with `application/graphql-response+json` it is a 400;
//! - fields in the order of the selection sets (`graphql::order`);
//! - at most `GRAPHQL__MAX_RESPONSE_BYTES`: the body is written into a bounded buffer and a
//!   larger answer becomes one `RESPONSE_TOO_LARGE` error.

use crate::graphql::order::Order;
use async_graphql::{BatchResponse, Response, ServerError, Value};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response as HttpResponse};
use serde::Serialize;
use std::collections::BTreeMap;
use worker::i18n::Lang;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    GraphqlResponse,
    Json,
}

impl MediaType {
    /// The type to answer with: the accepted one with the highest `q` (on a tie,
    /// `application/graphql-response+json`); `application/json` when `Accept` names
    /// neither, or is missing.
    pub fn negotiate(headers: &HeaderMap) -> MediaType {
        let mut best: Option<(f32, MediaType)> = None;
        for value in headers.get_all(header::ACCEPT) {
            let Ok(value) = value.to_str() else { continue };
            for entry in value.split(',') {
                let mut parts = entry.split(';');
                let range = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
                let q = parts
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                let kind = match range.as_str() {
                    GRAPHQL_RESPONSE => MediaType::GraphqlResponse,
                    JSON | "application/*" | "*/*" => MediaType::Json,
                    _ => continue,
                };
                if q <= 0.0 {
                    continue;
                }
                let better = match best {
                    None => true,
                    Some((best_q, best_kind)) => {
                        q > best_q
                            || (q == best_q
                                && kind == MediaType::GraphqlResponse
                                && best_kind == MediaType::Json)
                    }
                };
                if better {
                    best = Some((q, kind));
                }
            }
        }
        best.map_or(MediaType::Json, |(_, kind)| kind)
    }

    pub fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            MediaType::GraphqlResponse => GRAPHQL_RESPONSE,
            MediaType::Json => JSON,
        })
    }

    /// Gives one of our own answers (written as `application/json`) this type.
    pub fn retag(self, mut response: HttpResponse) -> HttpResponse {
        let is_json = response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(JSON.as_bytes()));
        if is_json {
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, self.header());
        }
        response
    }
}

/// Whether nothing executed: no data and only errors raised before execution (parse and
/// validation errors carry no path).
pub fn never_executed(response: &Response) -> bool {
    matches!(response.data, Value::Null)
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// One response as the spec writes it: without `data` when nothing executed.
#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a Value>,
    #[serde(skip_serializing_if = "<[ServerError]>::is_empty")]
    errors: &'a [ServerError],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    extensions: &'a BTreeMap<String, Value>,
}

impl<'a> From<&'a Response> for Body<'a> {
    fn from(response: &'a Response) -> Self {
        Body {
            data: (!never_executed(response)).then_some(&response.data),
            errors: &response.errors,
            extensions: &response.extensions,
        }
    }
}

/// A writer that refuses to grow past `max` bytes.
struct Bounded {
    bytes: Vec<u8>,
    max: usize,
}

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > self.max {
            return Err(std::io::Error::other("response too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Whether `response` is written in at most `max` bytes (stops writing at the bound).
pub fn fits(response: &Response, max: usize) -> bool {
    let mut out = Bounded {
        bytes: Vec::new(),
        max,
    };
    serde_json::to_writer(&mut out, &Body::from(response)).is_ok()
}

/// The one error that replaces an answer over `max` bytes.
pub fn too_large(max: usize, lang: Lang) -> ServerError {
    let message = worker::msg!("error-response-too-large", max = max).render(lang);
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", "RESPONSE_TOO_LARGE");
    error
}

/// Writes `answer` (each response put in the order of its operation's selection sets).
pub fn write(
    mut answer: BatchResponse,
    orders: &[Option<std::sync::Arc<Order>>],
    media: MediaType,
    max_bytes: usize,
    lang: Lang,
) -> HttpResponse {
    let responses = match &mut answer {
        BatchResponse::Single(response) => std::slice::from_mut(response),
        BatchResponse::Batch(responses) => responses.as_mut_slice(),
    };
    for (response, order) in responses.iter_mut().zip(orders) {
        if let Some(order) = order {
            order.apply(&mut response.data);
        }
    }
    let refused = matches!(&answer, BatchResponse::Single(r) if never_executed(r));
    let status = if refused && media == MediaType::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let mut out = Bounded {
        bytes: Vec::with_capacity(512),
        max: max_bytes,
    };
    let written = match &answer {
        BatchResponse::Single(response) => serde_json::to_writer(&mut out, &Body::from(response)),
        BatchResponse::Batch(responses) => {
            let bodies: Vec<Body> = responses.iter().map(Body::from).collect();
            serde_json::to_writer(&mut out, &bodies)
        }
    };
    if written.is_err() {
        let body = serde_json::json!({ "data": null, "errors": [too_large(max_bytes, lang)] });
        return (
            status,
            [(header::CONTENT_TYPE, media.header())],
            body.to_string(),
        )
            .into_response();
    }
    let mut response = (status, out.bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, media.header());
    if answer.is_ok()
        && let Some(value) = answer.cache_control().value()
        && let Ok(value) = HeaderValue::from_str(&value)
    {
        headers.insert(header::CACHE_CONTROL, value);
    }
    headers.extend(answer.http_headers());
    response
}

/// A request refused before execution in the spec's shape: `errors` only, with where
/// the document went wrong (`locations`).
pub fn request_error(
    media: MediaType,
    code: &str,
    message: &str,
    at: Option<(usize, usize)>,
) -> HttpResponse {
    let mut error = serde_json::json!({ "message": message, "extensions": { "code": code } });
    if let Some((line, column)) = at {
        error["locations"] = serde_json::json!([{ "line": line, "column": column }]);
    }
    let status = match media {
        MediaType::GraphqlResponse => StatusCode::BAD_REQUEST,
        MediaType::Json => StatusCode::OK,
    };
    let body = serde_json::json!({ "errors": [error] });
    (
        status,
        [(header::CONTENT_TYPE, media.header())],
        body.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: Option<&str>) -> MediaType {
        let mut headers = HeaderMap::new();
        if let Some(value) = value {
            headers.insert(header::ACCEPT, value.parse().unwrap());
        }
        MediaType::negotiate(&headers)
    }

    #[test]
    fn the_accepted_type_is_answered() {
        use MediaType::*;
        assert_eq!(accept(None), Json);
        assert_eq!(accept(Some("application/json")), Json);
        assert_eq!(accept(Some("*/*")), Json);
        assert_eq!(
            accept(Some("application/graphql-response+json")),
            GraphqlResponse
        );
        assert_eq!(
            accept(Some(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            GraphqlResponse
        );
        assert_eq!(
            accept(Some(
                "application/graphql-response+json;q=0.5, application/json"
            )),
            Json
        );
        assert_eq!(
            accept(Some("application/json, application/graphql-response+json")),
            GraphqlResponse
        );
        assert_eq!(accept(Some("text/html")), Json);
    }
}
