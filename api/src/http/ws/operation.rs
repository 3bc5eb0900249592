//! One operation on a signed-in connection: a subscription, a query or a mutation, under the
//! rules of `POST /graphql` — the same document guard and limits (`graphql::guard`, the
//! schema's depth and complexity), the caller looked up again as it starts (a role lowered or
//! an organization suspended since the connection opened counts), the suspended-partner rule
//! (`auth::suspension`), the per-field policy and the cost budget (`http::gate`; each
//! operation start is charged), the same error codes and metrics, and replicas woken after
//! a mutation. Each event of a subscription is resolved with the caller as of that event
//! (`auth::live`, in the WebSocket schema).
//!
//! Errors before execution (refused by the guard or a rule, a document that does not parse
//! or validate) are a [`Reply::Error`]: graphql-transport-ws's `error` message.

use crate::auth::live::LiveRights;
use crate::auth::{Auth, ClientAddr, suspension};
use crate::graphql::error_codes::{self, RequestId};
use crate::graphql::guard;
use crate::http::AppState;
use crate::http::answer;
use crate::language::RequestLang;
use crate::trusted_documents::request::{self as trusted, Resolved};
use async_graphql::{Data, Request, Response, ServerError};
use futures::StreamExt;
use futures::stream::BoxStream;
use std::sync::Arc;
use worker::i18n::Lang;
use worker::msg;

/// What an operation sends back.
pub enum Reply {
    /// A result (`next`).
    Next(Response),
    /// Errors before anything ran (`error`); the operation is over.
    Error(Vec<ServerError>),
}

/// Starts operations for one signed-in connection.
#[derive(Clone)]
pub struct Operations {
    pub state: AppState,
    pub rights: Arc<LiveRights>,
    /// The connection's data (its `LiveRights`).
    pub session: Arc<Data>,
    pub client: String,
    pub lang: Lang,
}

/// A coded error raised before execution.
pub fn refusal(code: &str, reason: Option<&str>, message: &str) -> ServerError {
    let mut error = ServerError::new(message, None);
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", code);
    if let Some(reason) = reason {
        extensions.set("reason", reason);
    }
    error
}

impl Operations {
    /// The replies of `request` (naming a trusted document by `document_id`, or not), in
    /// order; the stream ends when the operation is complete.
    pub fn start(
        &self,
        request: Request,
        document_id: Option<String>,
    ) -> BoxStream<'static, Reply> {
        let this = self.clone();
        // Now, before anything is looked up: an `events` subscription goes live from here.
        let request = match self.state.schema.data::<crate::events::Hub>() {
            Some(hub) => request.data(crate::events::graphql::ListenFrom(hub.emitted())),
            None => request,
        };
        futures::stream::once(async move { this.prepare(request, document_id).await })
            .flat_map(|prepared| match prepared {
                Ok(replies) => replies,
                Err(error) => {
                    futures::stream::once(async move { Reply::Error(vec![error]) }).boxed()
                }
            })
            .boxed()
    }

    async fn prepare(
        &self,
        mut request: Request,
        document_id: Option<String>,
    ) -> Result<BoxStream<'static, Reply>, ServerError> {
        let (state, lang) = (&self.state, self.lang);
        state.metrics.requests(1);
        let limits = guard::Limits::of(&state.settings);
        // A trusted document (already parsed, its figures known) or a text, as over HTTP.
        let graphql = &state.settings.graphql;
        let only = graphql.trusted_documents_only;
        let resolved = trusted::resolve(
            &state.trusted,
            only,
            graphql.introspection,
            document_id.as_deref(),
            &mut request,
        )
        .await
        .map_err(|refused| refusal(refused.code(), None, &refused.message().render(lang)))?;
        trusted::attach(&mut request, &resolved);
        let checked = if let Resolved::Trusted(prepared) = &resolved {
            prepared
                .shape(
                    request.operation_name.as_deref(),
                    &request.variables,
                    limits,
                )
                .map(|(shape, _)| shape)
        } else if request.query.len() > crate::http::graphql::OFF_THREAD_BYTES {
            // A large document is checked on the blocking pool, as over HTTP.
            let (request_back, checked) = tokio::task::spawn_blocking(move || {
                let checked = guard::prepare(&mut request, limits);
                (request, checked)
            })
            .await
            .map_err(|_| refusal("INTERNAL", None, &msg!("error-internal").render(lang)))?;
            request = request_back;
            checked
        } else {
            guard::prepare(&mut request, limits)
        };
        let shape = match checked {
            Ok(shape) => shape,
            // Trusted-only: a text that is not even a document is not introspection.
            Err(_) if only && matches!(resolved, Resolved::Text) => {
                let refused = trusted::Refused::Required;
                return Err(refusal(
                    refused.code(),
                    None,
                    &refused.message().render(lang),
                ));
            }
            Err(guard::Refusal::TooComplex(m)) => {
                return Err(refusal("QUERY_TOO_COMPLEX", None, &m.render(lang)));
            }
            Err(guard::Refusal::Invalid(m)) => {
                return Err(refusal("BAD_USER_INPUT", Some("INVALID"), &m.render(lang)));
            }
            Err(guard::Refusal::Syntax { message, .. }) => {
                return Err(refusal("BAD_USER_INPUT", None, &message.render(lang)));
            }
        };
        if let (Resolved::Text, Err(refused)) = (&resolved, trusted::text_allowed(only, &shape)) {
            return Err(refusal(
                refused.code(),
                None,
                &refused.message().render(lang),
            ));
        }
        let actor = self.rights.now().await.map_err(|e| {
            tracing::error!(error = ?e, "looking the session up again");
            refusal("INTERNAL", None, &msg!("error-internal").render(lang))
        })?;
        if let Some(actor) = &actor
            && suspension::refuses(actor, &shape.mutation_fields)
        {
            let message = msg!("error-partner-suspended").render(lang);
            return Err(refusal("FORBIDDEN", Some("PARTNER_SUSPENDED"), &message));
        }
        if let Some(actor) = &actor {
            match crate::mfa::gate::check(&state.db, actor, &shape.root_fields).await {
                Ok(()) => {}
                Err(crate::error::ApiError::Forbidden(reason)) => {
                    let message = msg!("error-mfa-enrollment-required").render(lang);
                    return Err(refusal("FORBIDDEN", Some(reason), &message));
                }
                Err(e) => {
                    tracing::error!(error = ?e, "checking the second-factor rule");
                    return Err(refusal(
                        "INTERNAL",
                        None,
                        &msg!("error-internal").render(lang),
                    ));
                }
            }
        }
        if let Err(refused) = crate::http::gate::admit(actor.as_ref(), [&shape]) {
            return Err(crate::http::gate::refused_error(refused, lang));
        }
        // Each operation start is charged (a subscription once, not per event).
        let caller = crate::budget::Caller::of(actor.as_ref(), &self.client);
        let report = crate::http::gate::charge(state, &caller, [&shape]).await;
        if let Some(report) = report.filter(|r| !r.allowed) {
            let mut error = crate::budget::Budget::refusal(&report, lang);
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("cost", report.value());
            return Err(error);
        }
        let request_id = uuid::Uuid::new_v4().to_string();
        let request = request
            .data(Auth(actor))
            .data(caller)
            .data(ClientAddr(self.client.clone()))
            .data(RequestId(request_id.clone()))
            .data(RequestLang(lang))
            .data(crate::graphql::loaders::for_request(state.db.clone()));
        let counted = shape.has_subscription.then(|| state.metrics.subscription());
        let state = state.clone();
        let started = std::time::Instant::now();
        let mut first = true;
        let replies = state
            .live_schema
            .execute_stream_with_session_data(request, self.session.clone())
            .map(move |mut response| {
                let _held = &counted;
                error_codes::finish(&mut response, &request_id, lang);
                // In the order of the selection sets, as over HTTP (`graphql::order`).
                if let Some(order) = &shape.order {
                    order.apply(&mut response.data);
                }
                let before_execution = first && answer::never_executed(&response);
                if first && !shape.has_subscription {
                    crate::http::gate::report_on(&mut response, report.as_ref());
                }
                first = false;
                // The byte bound of HTTP answers holds here too (an executed answer that is
                // too large is still a `next`, with the one error).
                let max = state.settings.graphql.max_response_bytes;
                if !answer::fits(&response, max) {
                    response = Response::from_errors(vec![answer::too_large(max, lang)]);
                }
                if !shape.mutation_fields.is_empty() {
                    // Mutations write audit entries: every replica's hub should read them now.
                    state.signal.notify();
                }
                if !shape.has_subscription {
                    super::super::batch::record(&state, &shape, &response, started.elapsed());
                }
                if before_execution {
                    Reply::Error(response.errors)
                } else {
                    Reply::Next(response)
                }
            })
            .boxed();
        Ok(replies)
    }
}
