//! `/metrics`: the exposition of this process's series (`crate::metrics`, and in embedded
//! mode the in-process worker's), and the middleware counting every routed HTTP request.
//!
//! Served only when `METRICS__TOKEN` is set, and then only to `Authorization: Bearer
//! <that token>`; otherwise the route answers 404 as if it did not exist (the rule lives in
//! `worker::metrics::refuse`, shared with the worker process).

use crate::metrics::ApiMetrics;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

pub async fn handler(State(state): State<super::AppState>, headers: HeaderMap) -> Response {
    if let Some(refused) = worker::metrics::refuse(&headers, state.settings.metrics.token.as_ref())
    {
        return refused;
    }
    (
        [(header::CONTENT_TYPE, worker::metrics::CONTENT_TYPE)],
        state.metrics.render(&state.db).await,
    )
        .into_response()
}

/// Counts one request by method, route pattern (never the raw path: no ids in labels) and
/// status, with its duration.
pub async fn count_request(
    State(metrics): State<Arc<ApiMetrics>>,
    request: Request,
    next: Next,
) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    metrics.http_request(
        method.as_str(),
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}
