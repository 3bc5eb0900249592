//! `/metrics` in the Prometheus text format: SQL statements (count, failures, time) and
//! GraphQL requests of this process. Counting statements per request is how the N+1 rule is
//! checked (tests) and measured (benchmarks).
//!
//! Served only when `METRICS__TOKEN` is set, and then only to `Authorization: Bearer
//! <that token>`; otherwise the route answers 404 as if it did not exist.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default, Debug)]
pub struct Metrics {
    pub statements: AtomicU64,
    pub failed_statements: AtomicU64,
    pub statement_micros: AtomicU64,
    pub graphql_requests: AtomicU64,
}

impl Metrics {
    /// Hooks the counters into every statement the connection runs.
    pub fn observe(self: &Arc<Self>, db: &mut sea_orm::DatabaseConnection) {
        let metrics = self.clone();
        db.set_metric_callback(move |info| {
            metrics.statements.fetch_add(1, Ordering::Relaxed);
            metrics
                .statement_micros
                .fetch_add(info.elapsed.as_micros() as u64, Ordering::Relaxed);
            if info.failed {
                metrics.failed_statements.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
}

/// True when `headers` carry `Authorization: Bearer <expected>` (compared in constant time).
pub fn bearer_matches(headers: &HeaderMap, expected: &str) -> bool {
    use sha2::{Digest, Sha256};
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map_or("", |(_, token)| token.trim());
    // Equal-length digests, compared without an early exit.
    let (a, b) = (Sha256::digest(given), Sha256::digest(expected));
    !expected.is_empty()
        && a.iter()
            .zip(b.iter())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub async fn handler(State(state): State<super::AppState>, headers: HeaderMap) -> Response {
    let Some(token) = &state.settings.metrics.token else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !bearer_matches(&headers, token.expose_secret()) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response();
    }
    let m = &state.metrics;
    let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
    let body = format!(
        "# HELP partner_center_db_statements_total SQL statements executed.\n\
         # TYPE partner_center_db_statements_total counter\n\
         partner_center_db_statements_total {}\n\
         # HELP partner_center_db_statement_errors_total SQL statements that failed.\n\
         # TYPE partner_center_db_statement_errors_total counter\n\
         partner_center_db_statement_errors_total {}\n\
         # HELP partner_center_db_statement_seconds_total Time spent in SQL statements.\n\
         # TYPE partner_center_db_statement_seconds_total counter\n\
         partner_center_db_statement_seconds_total {:.6}\n\
         # HELP partner_center_graphql_requests_total GraphQL operations executed.\n\
         # TYPE partner_center_graphql_requests_total counter\n\
         partner_center_graphql_requests_total {}\n",
        load(&m.statements),
        load(&m.failed_statements),
        load(&m.statement_micros) as f64 / 1e6,
        load(&m.graphql_requests),
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}
