//! Schema extension that guarantees every error a client sees carries `extensions.code`.
//!
//! - parse and validation errors become `BAD_USER_INPUT`, or `QUERY_TOO_COMPLEX` when the
//!   depth or complexity limit was hit;
//! - an execution error without a code can only be something unexpected (a library error
//!   converted through `Display`), so its text is replaced by a generic message, logged, and
//!   coded `INTERNAL` — except async-graphql's own input coercion errors, which are the
//!   client's fault;
//! - `INTERNAL` errors carry the request id so support can find the log line.

use crate::error::INTERNAL_MESSAGE;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextRequest, NextValidation,
};
use async_graphql::{Response, ServerError, ValidationResult, Value};
use std::sync::Arc;

/// The id of the HTTP request, put into the GraphQL request data by the handler.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

fn code_of(err: &ServerError) -> Option<&Value> {
    err.extensions.as_ref().and_then(|e| e.get("code"))
}

fn set_code(err: &mut ServerError, code: &str) {
    err.extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
}

fn is_input_coercion_error(message: &str) -> bool {
    message.starts_with("Failed to parse") || message.starts_with("Invalid value for argument")
}

#[async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        // Whatever is still uncoded failed before execution started: a malformed request.
        for err in &mut response.errors {
            if code_of(err).is_none() {
                set_code(err, "BAD_USER_INPUT");
            }
        }
        response
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|mut errors| {
            for err in &mut errors {
                let too_big = err.message == "Query is too complex."
                    || err.message == "Query is nested too deep.";
                set_code(
                    err,
                    if too_big {
                        "QUERY_TOO_COMPLEX"
                    } else {
                        "BAD_USER_INPUT"
                    },
                );
            }
            errors
        })
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        let request_id = ctx.data_opt::<RequestId>().map(|r| r.0.clone());
        for err in &mut response.errors {
            if code_of(err).is_none() {
                if is_input_coercion_error(&err.message) {
                    set_code(err, "BAD_USER_INPUT");
                    continue;
                }
                tracing::error!(
                    request_id = request_id.as_deref().unwrap_or("-"),
                    error = %err.message,
                    path = ?err.path,
                    "unexpected error in resolver"
                );
                err.message = INTERNAL_MESSAGE.into();
                set_code(err, "INTERNAL");
            }
            if code_of(err) == Some(&Value::from("INTERNAL"))
                && let Some(id) = &request_id
            {
                err.extensions
                    .get_or_insert_with(Default::default)
                    .set("requestId", id.as_str());
            }
        }
        response
    }
}
