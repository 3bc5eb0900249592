//! The HTTP surface: routes, request ids, tracing, body limit and panic guard.

pub(crate) mod answer;
mod assets;
mod batch;
mod body;
mod caller;
pub mod cors;
mod direct;
pub(crate) mod gate;
mod graphiql;
pub(crate) mod graphql;
mod health;
mod limits;
pub mod metrics;
mod multipart_parts;
mod problem;
mod rejection;
pub mod security;
mod ws;

pub(crate) use caller::{bearer, client_addr};

use crate::graphql::AppSchema;
use crate::settings::Settings;
use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::routing::get;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Shared by every handler: one pointer, so the router's per-request clones (the handler's
/// `State`, each stateful middleware) cost one reference count, not one per part (a
/// per-part clone and drop was 3 to 4 % of a `{ __typename }` request's CPU). Its parts are
/// read through `Deref`.
#[derive(Clone)]
pub struct AppState(Arc<SharedState>);

impl AppState {
    pub fn new(parts: SharedState) -> Self {
        Self(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

/// What [`AppState`] holds.
pub struct SharedState {
    pub schema: AppSchema,
    /// The same schema for `/graphql/ws`: callers looked up again per execution.
    pub live_schema: AppSchema,
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    /// The job queue (readiness pings its own connection).
    pub queue: worker::queue::EmailQueue,
    pub metrics: Arc<crate::metrics::ApiMetrics>,
    /// Raised after mutations, so every replica's hub reads the new events at once.
    pub signal: worker::signal::EventSignal,
    /// Turns true when the server stops (WebSocket connections close).
    pub stopped: tokio::sync::watch::Receiver<bool>,
    /// Open WebSocket connections per user.
    pub sockets: Arc<ws::Sockets>,
    /// Every caller's cost budget (`budget`).
    pub budget: Arc<crate::budget::Budget>,
    /// The trusted documents (`trusted_documents`).
    pub trusted: crate::trusted_documents::TrustedDocuments,
    /// The schema that runs trusted documents validated when prepared
    /// (`graphql::build_trusted`).
    pub trusted_schema: AppSchema,
}

pub fn router(state: AppState) -> Router {
    let limits = limits::BodyLimits {
        body: state.settings.graphql.max_body_bytes,
        upload: state.settings.graphql.max_upload_bytes,
    };
    // Mail written to files can be read in the browser; real mail cannot.
    let mailbox = state.settings.smtp_url.is_none();
    // Checked at start-up (`Application::build`).
    let origins = cors::origins(&state.settings.cors.allowed_origins).unwrap_or_default();
    let router = Router::new()
        .route(
            "/graphql",
            get(graphql::get_handler)
                .post(graphql::post_handler)
                .layer(axum::middleware::from_fn(security::require_preflight)),
        )
        .route("/assets/{name}", get(assets::handler))
        .route("/graphql/ws", get(ws::handler))
        .route("/graphiql", get(graphiql::page))
        .route("/graphiql/assets/{name}", get(graphiql::asset))
        .route(
            "/invitations/accept",
            get(crate::partnerships::landing::page),
        )
        .route(
            "/customer-relationships/accept",
            get(crate::customers::relationship_page),
        )
        .route(
            "/admin-relationships/approve",
            get(crate::admin_relationships::approval_page),
        )
        .route("/account/security", get(crate::mfa::page::page))
        .route("/logos/{id}", get(crate::directory::logo_handler))
        .route(
            "/imports/{id}/{file}",
            get(crate::customer_imports::credentials::download),
        )
        .route(
            "/oauth/token",
            axum::routing::post(crate::api_clients::oauth::token_handler),
        )
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::handler))
        .route_layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::count_request,
        ));
    let router = router.merge(crate::dashboard::routes(&state));
    let router = if mailbox {
        router
            .route("/dev/mailbox", get(crate::mailbox::list))
            .route("/dev/mailbox/{file}", get(crate::mailbox::message))
            .route("/dev/mailbox/{file}/html", get(crate::mailbox::html))
    } else {
        router
    };
    router.with_state(state).layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
                    let request_id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "request",
                        request_id,
                        method = %req.method(),
                        path = %req.uri().path(),
                    )
                }),
            )
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(axum::middleware::from_fn(security::headers))
            .layer(cors::layer(origins))
            .layer(CatchPanicLayer::custom(problem::panic_response))
            .layer(axum::middleware::map_response(
                problem::json_payload_too_large,
            ))
            .layer(axum::middleware::from_fn_with_state(
                limits,
                limits::limit_body,
            ))
            // `limit_body` bounds every body; axum's own 2 MB default would cap uploads.
            .layer(axum::extract::DefaultBodyLimit::disable()),
    )
}
