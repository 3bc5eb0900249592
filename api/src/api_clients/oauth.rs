//! `POST /oauth/token`: the OAuth 2.0 client-credentials grant (RFC 6749 §4.4), so any
//! standard OAuth client library works unchanged. The client authenticates with HTTP Basic
//! (§2.3.1, id and secret form-encoded) or the `client_id`/`client_secret` form fields —
//! one method per request; `scope` (space-separated dotted names) narrows the client's
//! scopes. Errors are §5.2's JSON (`invalid_request`, `invalid_client` with 401 and
//! `WWW-Authenticate`, `unsupported_grant_type`, `invalid_scope`). Failed authentications
//! are throttled as sign-ins are (`throttle`, per client id and per address): 429 with
//! `Retry-After` and `temporarily_unavailable`.
//!
//! Written by hand rather than with an OAuth server crate: the grant is a form parse, a
//! lookup and a JSON answer; the server frameworks (oxide-auth) bring registrar, issuer and
//! frontend abstractions built around the redirect flows, which this API does not have.

use super::{Scopes, tokens};
use crate::error::ApiError;
use crate::http::AppState;
use crate::throttle;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::Duration;
use serde_json::json;
use std::collections::HashMap;
use std::net::SocketAddr;

const CLIENT_BUCKET: &str = "oauth.client";
const ADDRESS_BUCKET: &str = "oauth.address";

/// A §5.2 error.
struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: &'static str,
    retry_after: Option<i64>,
}

impl OAuthError {
    fn new(error: &'static str, description: &'static str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            description,
            retry_after: None,
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.error, "error_description": self.description });
        let mut response = (self.status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        no_store(headers);
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"partner-center\""),
            );
        }
        if let Some(seconds) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            headers.insert(header::RETRY_AFTER, value);
        }
        response
    }
}

fn no_store(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

pub async fn token_handler(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match grant(&state, peer, &headers, &body).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn grant(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, OAuthError> {
    let form = parse_form(headers, body)?;
    let (client_id, secret) = credentials(headers, &form)?;
    let address = crate::http::client_addr(state, headers, peer);
    let client = authenticate(state, &client_id, &secret, &address).await?;
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {}
        Some(_) => {
            return Err(OAuthError::new(
                "unsupported_grant_type",
                "Only grant_type=client_credentials is supported.",
            ));
        }
        None => return Err(OAuthError::new("invalid_request", "grant_type is missing.")),
    }
    let allowed = Scopes::parse(&client.scopes).unwrap_or_default();
    let scopes = match form.get("scope") {
        None => allowed,
        Some(asked) => Scopes::parse(asked)
            .filter(|s| s.is_subset_of(allowed) && *s != Scopes::default())
            .ok_or(OAuthError::new(
                "invalid_scope",
                "Ask for scopes the client has, separated by spaces (e.g. customers:read).",
            ))?,
    };
    let issued = tokens::issue(&state.db, &client, scopes)
        .await
        .map_err(internal)?;
    let body = json!({
        "access_token": issued.token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "scope": issued.scopes.dotted(),
    });
    let mut response = (StatusCode::OK, axum::Json(body)).into_response();
    no_store(response.headers_mut());
    Ok(response)
}

/// The form body; a parameter given twice is `invalid_request` (§3.2).
fn parse_form(headers: &HeaderMap, body: &[u8]) -> Result<HashMap<String, String>, OAuthError> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Err(OAuthError::new(
            "invalid_request",
            "Send the parameters as application/x-www-form-urlencoded.",
        ));
    }
    let mut form = HashMap::new();
    for (key, value) in url::form_urlencoded::parse(body) {
        if form.insert(key.into_owned(), value.into_owned()).is_some() {
            return Err(OAuthError::new(
                "invalid_request",
                "A parameter is given more than once.",
            ));
        }
    }
    Ok(form)
}

/// Client id and secret from HTTP Basic or the form, never both (§2.3).
fn credentials(
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<(String, String), OAuthError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .map(|(_, value)| value.trim().to_owned());
    let in_form = form.get("client_id").cloned();
    let unauthenticated = || OAuthError {
        status: StatusCode::UNAUTHORIZED,
        error: "invalid_client",
        description: "Client authentication failed.",
        retry_after: None,
    };
    match (basic, in_form) {
        (Some(_), Some(_)) => Err(OAuthError::new(
            "invalid_request",
            "Authenticate the client one way: HTTP Basic or form fields.",
        )),
        (Some(value), None) => {
            let decoded = STANDARD
                .decode(value)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(unauthenticated)?;
            let (id, secret) = decoded.split_once(':').ok_or_else(unauthenticated)?;
            // §2.3.1: both are form-encoded before they are joined.
            Ok((form_decoded(id), form_decoded(secret)))
        }
        (None, Some(id)) => Ok((id, form.get("client_secret").cloned().unwrap_or_default())),
        (None, None) => Err(unauthenticated()),
    }
}

fn form_decoded(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={text}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Checks the secret under the sign-in throttle: an attempt is reserved first, kept when
/// it fails, released when it succeeds.
async fn authenticate(
    state: &AppState,
    client_id: &str,
    secret: &str,
    address: &str,
) -> Result<entity::api_client::Model, OAuthError> {
    let limits = &state.settings.login_throttle;
    let window = Duration::minutes(limits.window_minutes);
    let attempt = throttle::reserve(
        &state.db,
        &[
            throttle::Limit {
                bucket: CLIENT_BUCKET,
                key: client_id,
                limit: limits.per_account,
                window,
            },
            throttle::Limit {
                bucket: ADDRESS_BUCKET,
                key: address,
                limit: limits.per_address,
                window,
            },
        ],
    )
    .await;
    let attempt = match attempt {
        Ok(attempt) => attempt,
        Err(ApiError::RateLimited {
            retry_after_seconds,
        }) => {
            return Err(OAuthError {
                status: StatusCode::TOO_MANY_REQUESTS,
                error: "temporarily_unavailable",
                description: "Too many failed attempts; try again later.",
                retry_after: Some(retry_after_seconds),
            });
        }
        Err(e) => return Err(internal(e)),
    };
    match tokens::authenticate(&state.db, client_id, secret)
        .await
        .map_err(internal)?
    {
        Some(client) => {
            throttle::release(&state.db, attempt)
                .await
                .map_err(internal)?;
            Ok(client)
        }
        None => {
            drop(attempt);
            Err(OAuthError {
                status: StatusCode::UNAUTHORIZED,
                error: "invalid_client",
                description: "Client authentication failed.",
                retry_after: None,
            })
        }
    }
}

fn internal(err: ApiError) -> OAuthError {
    if let ApiError::Internal(e) = &err {
        tracing::error!(error = ?e, "token endpoint");
    }
    OAuthError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        error: "temporarily_unavailable",
        description: "The server could not answer; try again.",
        retry_after: None,
    }
}
