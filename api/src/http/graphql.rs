//! `POST/GET /graphql` and GraphiQL. The handler resolves the bearer token to the caller,
//! enforces the batch cap, runs every document through the guard (`graphql::guard`),
//! refuses mutations over GET and mutations by suspended partners, and hands the request
//! to the schema; `answer` writes the result. A large document is checked and run on the
//! blocking pool, so parsing and validating it never holds up the runtime's threads.

use super::AppState;
use super::answer::{self, MediaType};
use super::batch::{Stop, prepare_all, record, run};
use super::caller::{bearer, client_addr};
use super::problem::{error_response, forbidden, invalid_input};
use super::rejection::Rejection;
use crate::accounts::session;
use crate::auth::{Auth, ClientAddr, suspension};
use crate::graphql::error_codes::{self, RequestId};
use crate::graphql::guard;
use crate::language::RequestLang;
use crate::trusted_documents::request::{self as trusted, Refused, Resolved};
use async_graphql::{BatchRequest, BatchResponse};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use std::net::SocketAddr;
use worker::i18n::Message;
use worker::msg;

type Request = super::body::Incoming;

pub async fn post_handler(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: Result<Request, Rejection>,
) -> Response {
    let media = MediaType::negotiate(&headers);
    media.retag(match request {
        Ok(request) => execute_as(state, peer, headers, request, Method::Post).await,
        Err(rejection) => rejection.answer(crate::language::of_headers(&headers)),
    })
}

pub async fn get_handler(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: Result<Request, Rejection>,
) -> Response {
    let media = MediaType::negotiate(&headers);
    media.retag(match request {
        Ok(request) => execute_as(state, peer, headers, request, Method::Get).await,
        Err(rejection) => rejection.answer(crate::language::of_headers(&headers)),
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
}

/// Documents longer than this (in bytes, a batch's together) are checked and run on the
/// blocking pool: a few KB is what applications send; more is rare and costs more.
pub(crate) const OFF_THREAD_BYTES: usize = 16 * 1024;

async fn execute_as(
    state: AppState,
    peer: SocketAddr,
    headers: HeaderMap,
    incoming: super::body::Incoming,
    method: Method,
) -> Response {
    let lang = crate::language::of_headers(&headers);
    let media = MediaType::negotiate(&headers);
    let refuse =
        |status, code, message: Message| error_response(status, code, &message.render(lang));
    let max_batch = state.settings.graphql.max_batch;
    let super::body::Incoming {
        mut batch,
        document_ids,
    } = incoming;
    state.metrics.requests(batch.iter().count());
    if let BatchRequest::Batch(requests) = &batch
        && requests.len() > max_batch
    {
        return refuse(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            msg!("error-batch-too-large", max = max_batch),
        );
    }
    // Which document each request runs: a trusted one (already parsed) or its text.
    let graphql = &state.settings.graphql;
    let only = graphql.trusted_documents_only;
    let mut resolved = Vec::with_capacity(document_ids.len());
    // A `Vec` of the requests, not the batch's boxed iterator: that one is not `Send`, and
    // the loop awaits.
    let requests: Vec<&mut async_graphql::Request> = match &mut batch {
        BatchRequest::Single(request) => vec![request],
        BatchRequest::Batch(requests) => requests.iter_mut().collect(),
    };
    for (request, id) in requests.into_iter().zip(&document_ids) {
        match trusted::resolve(
            &state.trusted,
            only,
            graphql.introspection,
            id.as_deref(),
            request,
        )
        .await
        {
            Ok(found) => resolved.push(found),
            Err(Refused::Unavailable) => {
                return refuse(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "INTERNAL",
                    msg!("error-internal"),
                );
            }
            Err(refused) => {
                let message = refused.message().render(lang);
                return answer::request_error(media, refused.code(), &message, None);
            }
        }
    }
    // A typo in the body's keys (`qeury`) leaves the document empty: say what is missing.
    let texts = || {
        batch
            .iter()
            .zip(&resolved)
            .filter(|(_, r)| matches!(r, Resolved::Text))
    };
    if texts().any(|(r, _)| r.query.trim().is_empty()) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            msg!("error-query-missing"),
        );
    }
    let heavy = texts().map(|(r, _)| r.query.len()).sum::<usize>() > OFF_THREAD_BYTES;
    let limits = guard::Limits::of(&state.settings);
    let (mut batch, resolved, prepared) = if heavy {
        match tokio::task::spawn_blocking(move || prepare_all(batch, resolved, limits, only)).await
        {
            Ok(done) => done,
            Err(_) => {
                return refuse(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL",
                    msg!("error-internal"),
                );
            }
        }
    } else {
        prepare_all(batch, resolved, limits, only)
    };
    let (shapes, fast): (Vec<_>, Vec<_>) = match prepared {
        Ok(prepared) => prepared.into_iter().unzip(),
        Err(Stop::Trusted(refused)) => {
            let message = refused.message().render(lang);
            return answer::request_error(media, refused.code(), &message, None);
        }
        Err(Stop::Guard(guard::Refusal::TooComplex(message))) => {
            return refuse(StatusCode::BAD_REQUEST, "QUERY_TOO_COMPLEX", message);
        }
        Err(Stop::Guard(guard::Refusal::Invalid(message))) => {
            return invalid_input(&message.render(lang));
        }
        Err(Stop::Guard(guard::Refusal::Syntax { message, at })) => {
            return answer::request_error(media, "BAD_USER_INPUT", &message.render(lang), at);
        }
    };
    if shapes.iter().any(|s| s.has_subscription) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            msg!("error-subscription-over-http"),
        );
    }
    if method == Method::Get && shapes.iter().any(|s| s.has_non_query) {
        return refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "BAD_USER_INPUT",
            msg!("error-mutation-over-get"),
        );
    }
    let auth = match bearer(&headers) {
        Some(token) => match session::resolve(&state.db, token).await {
            Ok(actor) => Auth(actor),
            Err(err) => {
                let err: async_graphql::Error = err.into();
                tracing::error!(error = %err.message, "resolving session");
                return refuse(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "INTERNAL",
                    msg!("error-internal"),
                );
            }
        },
        None => Auth(None),
    };
    if let Some(actor) = &auth.0
        && shapes
            .iter()
            .any(|s| suspension::refuses(actor, &s.mutation_fields))
    {
        return forbidden(
            "PARTNER_SUSPENDED",
            &msg!("error-partner-suspended").render(lang),
        );
    }
    if let Some(actor) = &auth.0 {
        let root_fields: Vec<String> = shapes.iter().flat_map(|s| s.root_fields.clone()).collect();
        match crate::mfa::gate::check(&state.db, actor, &root_fields).await {
            Ok(()) => {}
            Err(crate::error::ApiError::Forbidden(reason)) => {
                return forbidden(reason, &msg!("error-mfa-enrollment-required").render(lang));
            }
            Err(err) => {
                let err: async_graphql::Error = err.into();
                tracing::error!(error = %err.message, "checking the second-factor rule");
                return refuse(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "INTERNAL",
                    msg!("error-internal"),
                );
            }
        }
    }
    if let Err(refused) = super::gate::admit(auth.0.as_ref(), &shapes) {
        return super::gate::refused_response(refused, lang);
    }
    let address = client_addr(&state, &headers, peer);
    let caller = crate::budget::Caller::of(auth.0.as_ref(), &address);
    let max_bytes = state.settings.graphql.max_response_bytes;
    let report = super::gate::charge(&state, &caller, &shapes).await;
    if let Some(report) = report.as_ref().filter(|r| !r.allowed) {
        return super::gate::over_budget(report, media, max_bytes, lang);
    }
    // A trusted document brings its plan, made when it was loaded; a text is recognized
    // (and the recognition cached) by `direct::answer`.
    let trusted_plan = match (&batch, resolved.as_slice()) {
        (BatchRequest::Single(request), [Resolved::Trusted(prepared)]) => {
            prepared.direct.clone().filter(|_| {
                prepared
                    .operation(request.operation_name.as_deref())
                    .is_some()
            })
        }
        _ => None,
    };
    let is_trusted = matches!(resolved.as_slice(), [Resolved::Trusted(_)]);
    if state.settings.graphql.direct_plans
        && !heavy
        && (trusted_plan.is_some() || !is_trusted)
        && let Some(answer) = super::direct::answer(
            &state,
            &mut batch,
            &auth,
            report.as_ref(),
            &shapes,
            media,
            lang,
            trusted_plan,
        )
        .await
    {
        return answer;
    }
    // The general executor takes each trusted document's tree by value.
    for (request, found) in batch.iter_mut().zip(&resolved) {
        trusted::attach(request, found);
    }
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let batch = batch
        .data(auth)
        .data(caller)
        .data(RequestLang(lang))
        .data(ClientAddr(address))
        .data(RequestId(request_id.clone()))
        .data(crate::graphql::loaders::for_request(state.db.clone()));
    drop(resolved);
    let started = std::time::Instant::now();
    let schemas = (state.schema.clone(), state.trusted_schema.clone());
    let mut answer = if heavy {
        let runtime = tokio::runtime::Handle::current();
        match tokio::task::spawn_blocking(move || runtime.block_on(run(schemas, batch, fast))).await
        {
            Ok(answer) => answer,
            Err(_) => {
                return refuse(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL",
                    msg!("error-internal"),
                );
            }
        }
    } else {
        run(schemas, batch, fast).await
    };
    // Mutations write audit entries: every replica's hub should read them now.
    if shapes.iter().any(|s| !s.mutation_fields.is_empty()) {
        state.signal.notify();
    }
    let took = started.elapsed();
    let responses = match &mut answer {
        BatchResponse::Single(response) => std::slice::from_mut(response),
        BatchResponse::Batch(responses) => responses.as_mut_slice(),
    };
    for (response, shape) in responses.iter_mut().zip(&shapes) {
        error_codes::finish(response, &request_id, lang);
        record(&state, shape, response, took);
        super::gate::report_on(response, report.as_ref());
    }
    let orders: Vec<_> = shapes.into_iter().map(|s| s.order).collect();
    answer::write(answer, &orders, media, max_bytes, lang)
}
