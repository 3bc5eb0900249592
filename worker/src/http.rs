//! The worker process's own HTTP surface on `WORKER__HTTP_BIND`: `/healthz` (the process
//! answers), `/readyz` (its database and queue answer) and `/metrics` (the jobs' series,
//! under the same bearer-token rule as the API's: 404 without `METRICS__TOKEN`, 401 without
//! that token). Off when no address is configured; in embedded mode the API serves all three.

use crate::metrics::{self, Registry, WorkerMetrics};
use crate::queue::EmailQueue;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sea_orm::DatabaseConnection;
use secrecy::SecretString;
use std::future::Future;
use std::sync::Arc;

/// What the routes read.
pub struct Surface {
    pub db: DatabaseConnection,
    pub queue: EmailQueue,
    pub registry: Registry,
    pub metrics: WorkerMetrics,
    pub token: Option<SecretString>,
}

type Shared = Arc<Surface>;

pub fn router(surface: Surface) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(scrape))
        .with_state(Arc::new(surface))
}

/// Serves the routes on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    surface: Surface,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(surface))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn readyz(State(s): State<Shared>) -> (StatusCode, &'static str) {
    if s.db.ping().await.is_ok() && s.queue.ping().await.is_ok() {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    }
}

async fn scrape(State(s): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(refused) = metrics::refuse(&headers, s.token.as_ref()) {
        return refused;
    }
    if let Err(e) = s.metrics.refresh_outbox(&s.db).await {
        tracing::warn!(error = %e, "metrics: outbox figures not refreshed");
    }
    (
        [(header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
        metrics::encode(&s.registry),
    )
        .into_response()
}
