//! `/graphql` answered by a prepared plan (`graphql::direct`), after the handler's guard,
//! policy and budget: the plan writes the whole body, or falls back (before anything is
//! written) and the handler runs the general path.

use super::AppState;
use super::answer::MediaType;
use crate::auth::Auth;
use crate::graphql::{direct, guard};
use async_graphql::BatchRequest;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The answer of a prepared plan (`graphql::direct`), when the request is one operation
/// of a recognized shape and the plan answers it; `None` sends it down the general path
/// (nothing has been written yet). The guard, policy and budget have already run.
/// `prepared` is a plan made beforehand (a trusted document's, `direct::prepare` once per
/// document); without one, the plan of the request's text is looked up, and recognized the
/// first time the text is seen.
#[allow(clippy::too_many_arguments)]
pub(super) async fn answer(
    state: &AppState,
    batch: &mut BatchRequest,
    auth: &Auth,
    report: Option<&crate::budget::Report>,
    shapes: &[guard::Shape],
    media: MediaType,
    lang: worker::i18n::Lang,
    prepared: Option<std::sync::Arc<crate::graphql::direct::DirectPlan>>,
) -> Option<Response> {
    let BatchRequest::Single(request) = batch else {
        return None;
    };
    let operation = request.operation_name.clone();
    let plan = match prepared {
        Some(plan) => plan,
        None => match direct::lookup(&request.query, operation.as_deref()) {
            Some(known) => known?,
            None => {
                let plan = request
                    .parsed_query()
                    .ok()
                    .and_then(|doc| direct::prepare(doc, operation.as_deref()))
                    .map(std::sync::Arc::new);
                direct::remember(&request.query, operation.as_deref(), plan.clone());
                plan?
            }
        },
    };
    if plan.depth > state.settings.graphql.max_depth {
        return None;
    }
    let started = std::time::Instant::now();
    let context = direct::Request {
        db: &state.db,
        actor: auth.0.as_ref(),
        lang,
        cost: report,
    };
    let body = match direct::execute(&plan, &request.variables, &context).await {
        Ok(body) => body,
        Err(direct::Fallback(reason)) => {
            state.metrics.direct(false);
            tracing::debug!(reason, "prepared plan fell back to the general path");
            return None;
        }
    };
    // A body over the bound is answered by the general path's RESPONSE_TOO_LARGE.
    if body.len() > state.settings.graphql.max_response_bytes {
        state.metrics.direct(false);
        return None;
    }
    state.metrics.direct(true);
    if let Some((name, kind)) = shapes.first().and_then(|s| s.operation.as_ref()) {
        state
            .metrics
            .operation(name.as_deref(), kind, started.elapsed(), std::iter::empty());
    }
    Some(
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, media.header())],
            body,
        )
            .into_response(),
    )
}
