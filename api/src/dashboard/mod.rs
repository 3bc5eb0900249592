//! The job dashboard at `/admin/jobs`, for platform administrators only (DESIGN.md,
//! "Operations"): is mail going out, how fast, and what is stuck.
//!
//! - The page (`page`): the email queue as apalis sees it (statistics, workers and their
//!   heartbeats, tasks it gave up on: `worker::board`), and the outboxes behind it: emails
//!   and webhook deliveries by status, and the failed or retrying ones with their errors.
//! - `/admin/jobs/api/v1/…`: apalis-board's JSON API over the same queue.
//! - Access (`access`): a platform administrator's `Authorization: Bearer` token, or in a
//!   browser the dashboard's own sign-in page, which keeps the session in an HttpOnly,
//!   `SameSite=Strict` cookie. Anyone else: a browser is sent to that page, other clients
//!   get 401, a signed-in non-administrator 403.
//!
//! apalis-board's prebuilt UI is not served: it assumes the site root (asset paths, its
//! routes and `/api/v1` are compiled in) and starts from an inline script, which the pages'
//! CSP does not allow.

mod access;
mod page;

use crate::http::AppState;
use axum::Router;
use axum::routing::get;

/// The dashboard's routes, every one behind [`access::require_platform_admin`] except the
/// sign-in page.
pub fn routes(state: &AppState) -> Router<AppState> {
    let gated = Router::new()
        .route("/admin/jobs", get(page::show))
        .nest_service(
            "/admin/jobs/api/v1",
            state
                .queue
                .board_api()
                .layer(axum::middleware::map_response(hide_backend_errors)),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            access::require_platform_admin,
        ));
    Router::new()
        .route(
            "/admin/jobs/sign-in",
            get(access::sign_in_page).post(access::sign_in),
        )
        .route(
            "/admin/jobs/sign-in/verify",
            axum::routing::post(access::verify),
        )
        .route(
            "/admin/jobs/sign-out",
            axum::routing::post(access::sign_out),
        )
        .merge(gated)
}

/// apalis-board answers a storage failure with the storage's own message (a Lua script,
/// a JSON error); the operator gets a generic one and the log the details.
async fn hide_backend_errors(response: axum::response::Response) -> axum::response::Response {
    use axum::response::IntoResponse;
    if !response.status().is_server_error() {
        return response;
    }
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 16 * 1024)
        .await
        .unwrap_or_default();
    tracing::warn!(%status, body = %String::from_utf8_lossy(&body), "job dashboard API");
    (
        status,
        axum::Json(serde_json::json!({
            "type": "BackendError",
            "message": "The queue storage could not answer this query.",
        })),
    )
        .into_response()
}
