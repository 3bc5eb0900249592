//! The two rules every operation passes after the document guard and before it runs, the
//! same over HTTP and WebSocket: the per-field policy (`graphql::policy`: an API client's
//! scopes) and the caller's cost budget (`budget`). Here: the checks and their HTTP answers.

use super::AppState;
use super::answer::{self, MediaType};
use crate::auth::Actor;
use crate::budget::{self, Budget, Caller, Report};
use crate::graphql::guard::Shape;
use crate::graphql::policy::{self, Refused};
use async_graphql::{BatchResponse, Response};
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response as HttpResponse};
use serde_json::json;
use worker::i18n::Lang;

/// The policy over every operation of a request (a batch's too).
pub fn admit<'a>(
    actor: Option<&Actor>,
    shapes: impl IntoIterator<Item = &'a Shape>,
) -> Result<(), Refused> {
    for shape in shapes {
        if let Some((root, fields)) = &shape.root {
            policy::admit(actor, *root, fields)?;
        }
    }
    Ok(())
}

/// The error of a policy refusal (`FORBIDDEN`, its reason and `requiredScope`).
pub fn refused_error(refused: Refused, lang: Lang) -> async_graphql::ServerError {
    let mut error = async_graphql::ServerError::new(refused.message().render(lang), None);
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", "FORBIDDEN");
    extensions.set("reason", refused.reason());
    if let Some(scope) = refused.required_scope() {
        extensions.set("requiredScope", scope);
    }
    error
}

/// 403 with the refusal, as the other pre-execution refusals are written.
pub fn refused_response(refused: Refused, lang: Lang) -> HttpResponse {
    let error = refused_error(refused, lang);
    (StatusCode::FORBIDDEN, Json(json!({ "errors": [error] }))).into_response()
}

/// Charges the operations of a request to the caller's bucket (none when the budget is
/// off).
pub async fn charge<'a>(
    state: &AppState,
    caller: &Caller,
    shapes: impl IntoIterator<Item = &'a Shape>,
) -> Option<Report> {
    if !state.budget.enabled() {
        return None;
    }
    let cost = shapes.into_iter().map(budget::cost_of).sum();
    Some(state.budget.charge(&caller.key, cost).await)
}

/// 429 with `Retry-After`, the one error and the budget: nothing ran.
pub fn over_budget(
    report: &Report,
    media: MediaType,
    max_bytes: usize,
    lang: Lang,
) -> HttpResponse {
    let mut response = Response::from_errors(vec![Budget::refusal(report, lang)]);
    report_on(&mut response, Some(report));
    let mut http = answer::write(
        BatchResponse::Single(response),
        &[None],
        media,
        max_bytes,
        lang,
    );
    *http.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    if let Ok(value) = HeaderValue::from_str(&report.retry_after_seconds().to_string()) {
        http.headers_mut().insert(header::RETRY_AFTER, value);
    }
    http
}

/// `extensions.cost` on a response.
pub fn report_on(response: &mut Response, report: Option<&Report>) {
    if let Some(report) = report {
        response.extensions.insert("cost".into(), report.value());
    }
}
