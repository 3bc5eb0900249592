//! `POST/GET /graphql` and GraphiQL. The handler resolves the bearer token to the caller,
//! enforces the batch cap, refuses mutations over GET, and hands the request to the schema.

use super::AppState;
use super::problem::{error_response, too_large};
use crate::accounts::session;
use crate::auth::{Auth, ClientAddr};
use crate::graphql::error_codes::{self, RequestId};
use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::OperationType;
use async_graphql::{BatchRequest, BatchResponse, ParseRequestError};
use async_graphql_axum::{GraphQLBatchRequest, GraphQLResponse};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use std::net::SocketAddr;

/// A body that is not a GraphQL request, answered in the GraphQL error shape.
pub struct Rejection(ParseRequestError);

impl From<ParseRequestError> for Rejection {
    fn from(err: ParseRequestError) -> Self {
        Self(err)
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let text = self.0.to_string();
        if matches!(self.0, ParseRequestError::PayloadTooLarge)
            || text.contains("length limit exceeded")
        {
            return too_large();
        }
        let message = match self.0 {
            ParseRequestError::InvalidRequest(_) | ParseRequestError::Io(_) => {
                "The body is not a valid GraphQL request: send JSON with a `query` string."
            }
            _ => "The GraphQL request could not be read.",
        };
        error_response(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", message)
    }
}

type Request = GraphQLBatchRequest<Rejection>;

pub async fn post_handler(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    execute(state, peer, headers, request.into_inner()).await
}

pub async fn get_handler(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let batch = request.into_inner();
    let is_mutation = batch.iter().any(|req| {
        async_graphql::parser::parse_query(&req.query).is_ok_and(|doc| {
            doc.operations
                .iter()
                .any(|(_, op)| op.node.ty != OperationType::Query)
        })
    });
    if is_mutation {
        return error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            "BAD_USER_INPUT",
            "Mutations must be sent with POST.",
        );
    }
    execute(state, peer, headers, batch).await
}

async fn execute(
    state: AppState,
    peer: SocketAddr,
    headers: HeaderMap,
    batch: BatchRequest,
) -> Response {
    let max_batch = state.settings.graphql.max_batch;
    state.metrics.graphql_requests.fetch_add(
        batch.iter().count() as u64,
        std::sync::atomic::Ordering::Relaxed,
    );
    if let BatchRequest::Batch(requests) = &batch
        && requests.len() > max_batch
    {
        return error_response(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            &format!("Send at most {max_batch} operations in one batch."),
        );
    }
    let auth = match bearer(&headers) {
        Some(token) => match session::resolve(&state.db, token).await {
            Ok(actor) => Auth(actor),
            Err(err) => {
                let err: async_graphql::Error = err.into();
                tracing::error!(error = %err.message, "resolving session");
                return error_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "INTERNAL",
                    crate::error::INTERNAL_MESSAGE,
                );
            }
        },
        None => Auth(None),
    };
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let batch = batch
        .data(auth)
        .data(ClientAddr(client_addr(&state, &headers, peer)))
        .data(RequestId(request_id.clone()))
        .data(crate::graphql::loaders::for_request(state.db.clone()));
    let mut answer = state.schema.execute_batch(batch).await;
    match &mut answer {
        BatchResponse::Single(response) => error_codes::finish(response, &request_id),
        BatchResponse::Batch(responses) => responses
            .iter_mut()
            .for_each(|response| error_codes::finish(response, &request_id)),
    }
    GraphQLResponse::from(answer).into_response()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The peer address, or the first `X-Forwarded-For` hop when configured to trust a proxy.
fn client_addr(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> String {
    if state.settings.trust_forwarded_for
        && let Some(forwarded) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    {
        return forwarded.to_owned();
    }
    peer.ip().to_string()
}

pub async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .title("Partner Center API")
            .finish(),
    )
}
