//! Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the database and
//! the job queue's own connection answer: Redis when configured).

use super::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let database = state.db.ping().await.is_ok();
    // The job queue's own connection: a broken one means emails wait for the relay.
    let queue = state.queue.ping().await.is_ok();
    let ready = database && queue;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let word = |up: bool| if up { "ok" } else { "down" };
    let queue_name = match state.queue {
        worker::queue::EmailQueue::Redis(_) => "redis",
        worker::queue::EmailQueue::Sqlite(_) => "queue",
    };
    let mut checks = json!({ "database": word(database) });
    checks[queue_name] = json!(word(queue));
    (
        status,
        Json(json!({ "status": if ready { "ready" } else { "unavailable" }, "checks": checks })),
    )
}
