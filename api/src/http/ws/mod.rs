//! `/graphql/ws`: GraphQL over WebSocket (`graphql-transport-ws`, and the legacy
//! `graphql-ws`), implemented here to the protocol's rules (`connection`, `protocol`).
//!
//! - The client signs in with `connection_init` `{"Authorization": "Bearer <token>"}`; a
//!   missing or dead token, or more than `EVENTS__MAX_CONNECTIONS_PER_USER` connections of
//!   one user, is refused (4403); no `connection_init` within `EVENTS__INIT_TIMEOUT_SECONDS`
//!   closes (4408).
//! - Subscriptions, queries and mutations run under the rules of `POST /graphql`
//!   (`operation`), at most `EVENTS__MAX_SUBSCRIPTIONS_PER_CONNECTION` at once; messages are
//!   at most `EVENTS__MAX_MESSAGE_BYTES` (a bigger one closes with 1009). Each operation and
//!   each event runs with the caller's rights as of then (`auth::live`).
//! - The socket closes (4401) when its session ends: signed out, password changed, user
//!   removed (checked at once on those events), expired, or found gone by the periodic check.
//! - The server pings every `EVENTS__KEEPALIVE_SECONDS`; on shutdown it closes with 1001.

mod connection;
mod operation;
mod protocol;
mod sockets;

pub use sockets::Sockets;

use super::AppState;
use crate::accounts::session;
use crate::auth::live::LiveRights;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response as HttpResponse};
use connection::{Close, Connection, Received, SignedIn};
use entity::event_type::EventType;
use futures::stream::SplitSink;
use futures::{SinkExt, StreamExt};
use protocol::Flavor;
use serde_json::{Map, Value};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use worker::i18n::{Lang, Message as Text};
use worker::msg;

const SESSION_ENDED: u16 = 4401;
const TOO_BIG: u16 = 1009;
const INIT_TIMEOUT: u16 = 4408;
const GOING_AWAY: u16 = 1001;
/// The most a close frame's reason can hold (125 bytes of payload less the code).
const MAX_REASON_BYTES: usize = 123;

pub async fn handler(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    upgrade: WebSocketUpgrade,
) -> HttpResponse {
    let lang = crate::language::of_headers(&headers);
    let max = state.settings.events.max_message_bytes;
    let upgrade = upgrade
        .max_message_size(max)
        .max_frame_size(max)
        .protocols(["graphql-transport-ws", "graphql-ws"]);
    let Some(flavor) = upgrade
        .selected_protocol()
        .and_then(|p| p.to_str().ok())
        .and_then(Flavor::of_subprotocol)
    else {
        return (
            StatusCode::BAD_REQUEST,
            "Use the graphql-transport-ws subprotocol.",
        )
            .into_response();
    };
    upgrade.on_upgrade(move |socket| serve(socket, state, flavor, peer, lang))
}

async fn serve(socket: WebSocket, state: AppState, flavor: Flavor, peer: SocketAddr, lang: Lang) {
    let _counted = state.metrics.websocket();
    let events = &state.settings.events;
    let mut connection = Connection::new(flavor, events.max_subscriptions_per_connection);
    let (mut sink, mut stream) = socket.split();
    let mut ping = tokio::time::interval(Duration::from_secs(events.keepalive_seconds.max(1)));
    ping.reset();
    let mut check = tokio::time::interval(Duration::from_secs(events.session_check_seconds.max(1)));
    check.reset();
    let init_deadline = tokio::time::sleep(Duration::from_secs(events.init_timeout_seconds.max(1)));
    tokio::pin!(init_deadline);
    let mut hub_events = state
        .schema
        .data::<crate::events::Hub>()
        .map(|h| h.subscribe());
    let mut stopped = state.stopped.clone();
    let client = peer.ip().to_string();
    let ended = loop {
        let expires = connection
            .signed_in
            .as_ref()
            .map(|s| s.actor.session_expires_at);
        // The client's messages first (a `complete` stops an operation before it sends
        // more), then results, then timers and events.
        let outcome = tokio::select! {
            biased;
            frame = stream.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    received(&mut connection, &state, &client, lang, text.as_bytes()).await
                }
                Some(Ok(Message::Binary(bytes))) => {
                    received(&mut connection, &state, &client, lang, &bytes).await
                }
                Some(Ok(Message::Close(_))) | None => Err(Close::Gone),
                Some(Ok(_)) => Ok(Vec::new()),
                // Over the size limit, or not a WebSocket frame.
                Some(Err(_)) => Err(Close::With(TOO_BIG, "Message too big or malformed".into())),
            },
            Some((id, reply)) = connection.replies.next(), if !connection.replies.is_empty() => {
                Ok(connection.reply(&id, reply))
            }
            _ = ping.tick() => {
                match sink.send(Message::Ping(Default::default())).await {
                    Ok(()) => Ok(Vec::new()),
                    Err(_) => Err(Close::Gone),
                }
            }
            () = &mut init_deadline, if connection.signed_in.is_none() => {
                Err(Close::With(INIT_TIMEOUT, "Connection initialisation timeout".into()))
            }
            _ = check.tick() => session_check(&state, token(&connection)).await,
            () = until(expires) => Err(Close::With(SESSION_ENDED, "Session expired".into())),
            event = next_event(&mut hub_events) => {
                if ends_sessions_of(&event, &connection) {
                    session_check(&state, token(&connection)).await
                } else {
                    Ok(Vec::new())
                }
            }
            () = crate::events::hub::stopping(&mut stopped) => {
                Err(Close::With(GOING_AWAY, "Server shutting down".into()))
            }
        };
        match outcome {
            Ok(messages) => {
                for text in messages {
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        return;
                    }
                }
            }
            Err(ended) => break ended,
        }
    };
    match ended {
        Close::With(code, reason) => close(&mut sink, code, &reason).await,
        Close::After(text, code, reason) => {
            if sink.send(Message::Text(text.into())).await.is_ok() {
                close(&mut sink, code, &reason).await;
            }
        }
        Close::Gone => {}
    }
}

/// Handles one client frame (signing in when it is `connection_init`).
async fn received(
    connection: &mut Connection,
    state: &AppState,
    client: &str,
    lang: Lang,
    frame: &[u8],
) -> Result<Vec<String>, Close> {
    match connection.receive(frame)? {
        Received::Send(messages) => Ok(messages),
        Received::Init(payload) => match sign_in(state, client, lang, payload).await {
            Ok(signed_in) => {
                connection.signed_in = Some(signed_in);
                Ok(vec![connection.flavor.ack()])
            }
            Err(message) => {
                let reason = message.render(lang);
                // The legacy protocol says it in a message first.
                if let Some(text) = connection.flavor.init_refused(&reason) {
                    return Err(Close::After(text, connection::FORBIDDEN, reason));
                }
                Err(Close::With(connection::FORBIDDEN, reason))
            }
        },
    }
}

/// The one place close frames are written: the reason is cut to what a frame can carry (a
/// longer one makes the frame invalid, and clients see 1006 without any reason).
async fn close(sink: &mut SplitSink<WebSocket, Message>, code: u16, reason: &str) {
    let frame = CloseFrame {
        code,
        reason: protocol::clip(reason, MAX_REASON_BYTES).to_owned().into(),
    };
    let _ = sink.send(Message::Close(Some(frame))).await;
}

/// Sleeps until `at`, or forever.
async fn until(at: Option<chrono::DateTime<chrono::Utc>>) {
    match at.and_then(|at| (at - chrono::Utc::now()).to_std().ok()) {
        Some(left) => tokio::time::sleep(left).await,
        None if at.is_some() => {}
        None => std::future::pending().await,
    }
}

async fn next_event(
    events: &mut Option<tokio::sync::broadcast::Receiver<crate::events::hub::Event>>,
) -> Option<crate::events::hub::Event> {
    match events {
        Some(receiver) => receiver.recv().await.ok(),
        None => std::future::pending().await,
    }
}

/// Events after which this connection's session may be gone.
fn ends_sessions_of(event: &Option<crate::events::hub::Event>, connection: &Connection) -> bool {
    let (Some(event), Some(signed_in)) = (event, &connection.signed_in) else {
        return false;
    };
    let about_user =
        event.target_id == entity::audit_entry::global_id("User", signed_in.actor.user.id);
    about_user
        && [
            EventType::SessionEnded,
            EventType::UserPasswordChanged,
            EventType::UserRemoved,
            // `resetUserMfa` ends the user's sessions.
            EventType::UserMfaDisabled,
        ]
        .iter()
        .any(|t| t.dotted() == event.action)
}

fn token(connection: &Connection) -> Option<&str> {
    connection.signed_in.as_ref().map(|s| s.token.as_str())
}

/// Closes (4401) when the connection's session is gone.
async fn session_check(state: &AppState, token: Option<&str>) -> Result<Vec<String>, Close> {
    let Some(token) = token else {
        return Ok(Vec::new());
    };
    // A database hiccup is not a signed-out user: keep the socket, check again later.
    match session::resolve(&state.db, token).await {
        Ok(None) => Err(Close::With(SESSION_ENDED, "Session ended".into())),
        _ => Ok(Vec::new()),
    }
}

/// `connection_init`: the bearer token of the payload, resolved like an HTTP request's.
async fn sign_in(
    state: &AppState,
    client: &str,
    lang: Lang,
    payload: Map<String, Value>,
) -> Result<SignedIn, Text> {
    let header = ["Authorization", "authorization"]
        .iter()
        .find_map(|key| payload.get(*key).and_then(|v| v.as_str()))
        .unwrap_or_default();
    let token = header
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|t| !t.is_empty())
        .ok_or(msg!("error-ws-token"))?;
    let actor = session::resolve(&state.db, token)
        .await
        .map_err(|_| msg!("error-ws-unavailable"))?
        .ok_or(msg!("error-ws-session"))?;
    let slot = state
        .sockets
        .open(
            // An API client's connections are its own, not its creator's.
            actor.client().map_or(actor.user.id, |c| -c.id),
            state.settings.events.max_connections_per_user,
        )
        .ok_or(msg!("error-ws-too-many-connections"))?;
    let rights = LiveRights::new(state.db.clone(), token.to_owned());
    // No `Auth` here: every execution gets the caller as of then (`operation`, `auth::live`),
    // so nothing can fall back to the rights of the sign-in.
    let mut session = async_graphql::Data::default();
    session.insert(rights.clone());
    Ok(SignedIn {
        actor,
        token: token.to_owned(),
        operations: operation::Operations {
            state: state.clone(),
            rights,
            session: Arc::new(session),
            client: client.to_owned(),
            lang,
        },
        _slot: slot,
    })
}
