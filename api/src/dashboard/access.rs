//! Who may see the dashboard: a platform administrator, by bearer token or by the cookie
//! the dashboard's own sign-in page sets.

use crate::accounts::{login, session};
use crate::auth::Actor;
use crate::http::AppState;
use crate::pages::{self, PageQuery, Reader};
use axum::extract::{ConnectInfo, Form, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use entity::enums::UserRole;
use serde::Deserialize;
use std::net::SocketAddr;

/// The session cookie of the dashboard (only sent to `/admin` paths).
const COOKIE: &str = "pc_admin";

/// The session token a request carries: its bearer token, else the dashboard's cookie.
fn token(headers: &HeaderMap) -> Option<&str> {
    crate::http::bearer(headers).or_else(|| {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == COOKIE)
            .map(|(_, value)| value)
    })
}

/// True for a browser navigating (it gets the sign-in page rather than a bare 401).
fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

pub async fn require_platform_admin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let actor = match token(request.headers()) {
        Some(token) => match session::resolve(&state.db, token).await {
            Ok(actor) => actor,
            Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        },
        None => None,
    };
    match actor {
        Some(actor) if actor.is_platform_admin() => next.run(request).await,
        Some(_) => StatusCode::FORBIDDEN.into_response(),
        None if wants_html(request.headers()) => {
            Redirect::to("/admin/jobs/sign-in").into_response()
        }
        None => (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response(),
    }
}

pub async fn sign_in_page(query: PageQuery, headers: HeaderMap) -> Response {
    let reader = Reader::of("/admin/jobs/sign-in", query, &headers);
    no_store(pages::render_for(
        &reader,
        "dashboard_sign_in.html",
        minijinja::context! { refused => false },
    ))
}

#[derive(Deserialize)]
pub struct Credentials {
    email: String,
    password: String,
}

/// Signs in with the login rules (throttling included); only a platform administrator
/// gets the cookie.
pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    query: PageQuery,
    headers: HeaderMap,
    Form(credentials): Form<Credentials>,
) -> Response {
    let reader = Reader::of("/admin/jobs/sign-in", query, &headers);
    let refused = |status: StatusCode| {
        let page = pages::render_for(
            &reader,
            "dashboard_sign_in.html",
            minijinja::context! { refused => true },
        );
        (status, no_store(page)).into_response()
    };
    let settings = &state.settings;
    // The same client address as a GraphQL sign-in (behind trusted proxies, theirs).
    let address = crate::http::client_addr(&state, &headers, peer);
    let result = login::login(
        &state.db,
        "-",
        &settings.login_throttle,
        settings.session_ttl_hours,
        login::LoginRequest {
            email: &credentials.email,
            password: &credentials.password,
            client_addr: &address,
            clock: &settings.clock,
        },
    )
    .await;
    state.metrics.login_result(&result);
    let Ok(signed_in) = result else {
        return refused(StatusCode::UNAUTHORIZED);
    };
    if let Some(challenge) = signed_in.challenge {
        // The second step, in the page: the challenge travels in a hidden field.
        let page = pages::render_for(
            &reader,
            "dashboard_sign_in.html",
            minijinja::context! { refused => false, challenge => challenge.token },
        );
        return no_store(page);
    }
    match signed_in.session {
        Some(session) => admit(&state, &reader, signed_in.user.role, session).await,
        None => refused(StatusCode::UNAUTHORIZED),
    }
}

#[derive(Deserialize)]
pub struct SecondStep {
    challenge: String,
    code: String,
}

/// The second step of the dashboard's sign-in: a code (or a recovery code) for the
/// challenge the password step gave.
pub async fn verify(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    query: PageQuery,
    headers: HeaderMap,
    Form(step): Form<SecondStep>,
) -> Response {
    let reader = Reader::of("/admin/jobs/sign-in", query, &headers);
    let address = crate::http::client_addr(&state, &headers, peer);
    let env = crate::mfa::Env {
        db: &state.db,
        settings: &state.settings,
        dispatcher: None,
        public_url: state.settings.public_url.as_deref().unwrap_or(""),
        request_id: "-".into(),
    };
    let code = step.code.trim();
    let factor = if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        crate::mfa::challenge::Factor::Code(code)
    } else {
        crate::mfa::challenge::Factor::RecoveryCode(code)
    };
    let result = crate::mfa::challenge::verify(&env, &step.challenge, factor, &address).await;
    state.metrics.login_result(&result);
    match result {
        Ok(signed_in) => match signed_in.session {
            Some(session) => admit(&state, &reader, signed_in.user.role, session).await,
            None => refused_page(&reader, StatusCode::UNAUTHORIZED),
        },
        // A wrong code leaves the challenge usable: ask again.
        Err(crate::error::ApiError::User(_)) => no_store(pages::render_for(
            &reader,
            "dashboard_sign_in.html",
            minijinja::context! { refused => true, challenge => step.challenge },
        )),
        Err(_) => refused_page(&reader, StatusCode::TOO_MANY_REQUESTS),
    }
}

fn refused_page(reader: &Reader<'_>, status: StatusCode) -> Response {
    let page = pages::render_for(
        reader,
        "dashboard_sign_in.html",
        minijinja::context! { refused => true },
    );
    (status, no_store(page)).into_response()
}

/// Sets the cookie for a platform administrator's new session; anyone else's session ends
/// at once.
async fn admit(
    state: &AppState,
    reader: &Reader<'_>,
    role: UserRole,
    session: session::IssuedSession,
) -> Response {
    let settings = &state.settings;
    if role != UserRole::PlatformAdmin {
        // The session just issued is of no use here: end it at once.
        if let Ok(Some(actor)) = session::resolve(&state.db, &session.token).await {
            end(state, &actor).await;
        }
        return refused_page(reader, StatusCode::FORBIDDEN);
    }
    let secure = settings
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"));
    let cookie = format!(
        "{COOKIE}={}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={}{}",
        session.token,
        settings.session_ttl_hours * 3600,
        if secure { "; Secure" } else { "" }
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to("/admin/jobs")).into_response()
}

/// Ends the dashboard session and forgets the cookie.
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = token(&headers)
        && let Ok(Some(actor)) = session::resolve(&state.db, token).await
    {
        end(&state, &actor).await;
    }
    let cookie = format!("{COOKIE}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0");
    (
        [(header::SET_COOKIE, cookie)],
        Redirect::to("/admin/jobs/sign-in"),
    )
        .into_response()
}

async fn end(state: &AppState, actor: &Actor) {
    let who = crate::audit::Who {
        user_id: Some(actor.user.id),
        partner_id: actor.user.partner_id,
        request_id: "-".into(),
        api_client_id: None,
    };
    if let Err(e) = session::end(&state.db, &who, actor).await {
        tracing::warn!(error = ?e, "dashboard sign-out");
    }
}

/// The dashboard's pages are not cached anywhere.
pub fn no_store(mut page: Response) -> Response {
    page.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    page
}
