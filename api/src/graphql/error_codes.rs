//! Guarantees every error a client sees carries `extensions.code`; applied by the HTTP
//! handler to each response.
//!
//! - parse and validation errors (they have no path) become `BAD_USER_INPUT`, or
//!   `QUERY_TOO_COMPLEX` when the depth or complexity limit was hit;
//! - an execution error without a code can only be something unexpected (a library error
//!   converted through `Display`), so its text is replaced by a generic message, logged, and
//!   coded `INTERNAL` — except async-graphql's own input coercion errors, which are the
//!   client's fault;
//! - `INTERNAL` errors carry the request id so support can find the log line.
//!
//! This is deliberately not a schema extension: with any extension installed, async-graphql
//! runs the extension chain (a registry lookup, `ResolveInfo`, boxed futures) around every
//! single field it resolves, about 2,000 of them for a page of 50 customers.

use crate::error::{MESSAGE_KEY, internal_message, render_carried};
use async_graphql::{Response, ServerError, Value};
use worker::i18n::Lang;

/// The id of the HTTP request, put into the GraphQL request data by the handler.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

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

/// Codes (and where needed masks) every error of `response`, and writes our messages in
/// `lang` (the library's own parse and validation messages stay as they are).
pub fn finish(response: &mut Response, request_id: &str, lang: Lang) {
    for err in &mut response.errors {
        let carried = err
            .extensions
            .as_mut()
            .and_then(|e| {
                let value = e.get(MESSAGE_KEY).cloned();
                e.unset(MESSAGE_KEY);
                value
            })
            .and_then(|value| render_carried(&value, lang));
        if let Some(text) = carried {
            err.message = text;
        }
        if code_of(err).is_none() {
            let too_big = err.message == "Query is too complex."
                || err.message == "Query is nested too deep.";
            if too_big {
                set_code(err, "QUERY_TOO_COMPLEX");
                continue;
            }
            // Parse and validation errors, raised before execution, have no path.
            if err.path.is_empty() || is_input_coercion_error(&err.message) {
                set_code(err, "BAD_USER_INPUT");
                continue;
            }
            tracing::error!(
                request_id,
                error = %err.message,
                path = ?err.path,
                "unexpected error in resolver"
            );
            err.message = internal_message(lang);
            set_code(err, "INTERNAL");
        }
        if code_of(err) == Some(&Value::from("INTERNAL")) {
            err.extensions
                .get_or_insert_with(Default::default)
                .set("requestId", request_id);
        }
    }
}

/// The `userErrors` codes of a mutation's answer (each root field's payload), appended to
/// `out`: business-rule refusals are errors an operator counts too.
pub fn user_error_codes(data: &async_graphql::Value, out: &mut Vec<String>) {
    use async_graphql::Value;
    let Value::Object(fields) = data else {
        return;
    };
    for payload in fields.values() {
        let Value::Object(payload) = payload else {
            continue;
        };
        let Some(Value::List(errors)) = payload.get("userErrors") else {
            continue;
        };
        for error in errors {
            let Value::Object(error) = error else {
                continue;
            };
            match error.get("code") {
                Some(Value::Enum(code)) => out.push(code.to_string()),
                Some(Value::String(code)) => out.push(code.clone()),
                _ => {}
            }
        }
    }
}
