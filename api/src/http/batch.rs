//! The steps of a batch between reading it and answering it (`graphql`): each request
//! checked by the guard or taken from its trusted document, run on the schema it needs, and
//! recorded in the metrics.

use super::AppState;
use crate::graphql::AppSchema;
use crate::graphql::error_codes;
use crate::graphql::guard;
use crate::trusted_documents::prepared::Validation;
use crate::trusted_documents::request::{self as trusted, Refused, Resolved};
use async_graphql::{BatchRequest, BatchResponse};

/// Why a request is refused before it runs.
pub(super) enum Stop {
    Guard(guard::Refusal),
    Trusted(Refused),
}

/// Runs every text of the batch through the guard (the first refusal refuses all); a
/// trusted document has its figures already. Each request's shape, and whether it was
/// validated when prepared (it then runs on the schema of `ValidationMode::Fast`).
/// Trusted-only (`only`): a text runs only if it is GraphiQL's introspection; any other,
/// parsable or not, is `PERSISTED_QUERY_REQUIRED`.
#[allow(clippy::type_complexity)]
pub(super) fn prepare_all(
    mut batch: BatchRequest,
    resolved: Vec<Resolved>,
    limits: guard::Limits,
    only: bool,
) -> (
    BatchRequest,
    Vec<Resolved>,
    Result<Vec<(guard::Shape, bool)>, Stop>,
) {
    let shapes = batch
        .iter_mut()
        .zip(&resolved)
        .map(|(request, found)| match found {
            Resolved::Text => {
                let checked = guard::prepare(request, limits);
                match (checked, only) {
                    (Ok(shape), _) => match trusted::text_allowed(only, &shape) {
                        Ok(()) => Ok((shape, false)),
                        Err(refused) => Err(Stop::Trusted(refused)),
                    },
                    (Err(_), true) => Err(Stop::Trusted(Refused::Required)),
                    (Err(refusal), false) => Err(Stop::Guard(refusal)),
                }
            }
            Resolved::Trusted(prepared) => prepared
                .shape(
                    request.operation_name.as_deref(),
                    &request.variables,
                    limits,
                )
                .map(|(shape, validation)| (shape, validation == Validation::Done))
                .map_err(Stop::Guard),
        })
        .collect();
    (batch, resolved, shapes)
}

/// Executes the batch, each request on the schema it needs (`fast`: the trusted schema),
/// one after the other as `execute_batch` does.
pub(super) async fn run(
    (schema, trusted_schema): (AppSchema, AppSchema),
    batch: BatchRequest,
    fast: Vec<bool>,
) -> BatchResponse {
    let pick = |fast: bool| if fast { &trusted_schema } else { &schema };
    match batch {
        BatchRequest::Single(request) => {
            let fast = fast.first().copied().unwrap_or(false);
            BatchResponse::Single(pick(fast).execute(request).await)
        }
        BatchRequest::Batch(requests) => {
            let mut responses = Vec::with_capacity(requests.len());
            for (request, fast) in requests.into_iter().zip(fast) {
                responses.push(pick(fast).execute(request).await);
            }
            BatchResponse::Batch(responses)
        }
    }
}

/// One executed operation in the metrics: name, type, time (a batch's operations share
/// the batch's) and the codes of its top-level errors and `userErrors`. A document that did
/// not parse counts its errors only.
pub(super) fn record(
    state: &AppState,
    shape: &guard::Shape,
    response: &async_graphql::Response,
    took: std::time::Duration,
) {
    let mut codes: Vec<String> = response
        .errors
        .iter()
        .filter_map(|e| e.extensions.as_ref()?.get("code"))
        .filter_map(|code| match code {
            async_graphql::Value::String(code) => Some(code.clone()),
            _ => None,
        })
        .collect();
    error_codes::user_error_codes(&response.data, &mut codes);
    let codes = codes.iter().map(String::as_str);
    match &shape.operation {
        Some((name, kind)) => state.metrics.operation(name.as_deref(), kind, took, codes),
        None => codes.for_each(|code| state.metrics.error(code)),
    }
}
