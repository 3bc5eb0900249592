//! `/graphql/ws`: GraphQL subscriptions over WebSocket (`graphql-transport-ws`, and the
//! legacy `graphql-ws` that async-graphql speaks as well).
//!
//! - The client signs in with `connection_init` `{"Authorization": "Bearer <token>"}`; a
//!   missing or dead token, or more than `EVENTS__MAX_CONNECTIONS_PER_USER` connections of
//!   one user, is refused; no `connection_init` within `EVENTS__INIT_TIMEOUT_SECONDS` closes.
//! - Only subscriptions run here (queries and mutations go to `POST /graphql`), through the
//!   same document guard, at most `EVENTS__MAX_SUBSCRIPTIONS_PER_CONNECTION` at once;
//!   messages are at most `EVENTS__MAX_MESSAGE_BYTES`.
//! - The socket closes (4401) when its session ends: signed out, password changed, user
//!   removed (checked at once on those events), expired, or found gone by the periodic check.
//! - The server pings every `EVENTS__KEEPALIVE_SECONDS`; on shutdown it closes with 1001.

use super::AppState;
use crate::accounts::session;
use crate::auth::{Actor, Auth, ClientAddr};
use crate::graphql::error_codes::{self, RequestId};
use crate::graphql::guard;
use async_graphql::http::{WebSocketProtocols, WsMessage};
use async_graphql::{Data, Executor, Request, Response, ServerError};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response as HttpResponse};
use entity::event_type::EventType;
use futures::stream::{BoxStream, SplitSink};
use futures::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use worker::i18n::{Lang, Message as Text};
use worker::msg;

const SESSION_ENDED: u16 = 4401;
const FORBIDDEN: u16 = 4403;
const UNAUTHORIZED: u16 = 4401;
const TOO_BIG: u16 = 1009;
const INIT_TIMEOUT: u16 = 4408;
const GOING_AWAY: u16 = 1001;

/// Open connections per user, across this process.
#[derive(Default)]
pub struct Sockets {
    per_user: Mutex<HashMap<i32, usize>>,
}

/// One counted connection; uncounted when dropped.
struct Slot {
    sockets: Arc<Sockets>,
    user_id: i32,
}

impl Sockets {
    fn open(self: &Arc<Self>, user_id: i32, max: usize) -> Option<Slot> {
        let mut per_user = self.per_user.lock().unwrap_or_else(|e| e.into_inner());
        let open = per_user.entry(user_id).or_default();
        if *open >= max {
            return None;
        }
        *open += 1;
        Some(Slot {
            sockets: self.clone(),
            user_id,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut per_user = self
            .sockets
            .per_user
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(open) = per_user.get_mut(&self.user_id) {
            *open -= 1;
            if *open == 0 {
                per_user.remove(&self.user_id);
            }
        }
    }
}

/// What one connection knows once `connection_init` succeeded.
#[derive(Default)]
struct Connection {
    signed_in: OnceLock<(Actor, String)>,
    slot: Mutex<Option<Slot>>,
    subscriptions: AtomicUsize,
}

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
    let Some(protocol) = upgrade
        .selected_protocol()
        .and_then(|p| p.to_str().ok())
        .and_then(|p| p.parse::<WebSocketProtocols>().ok())
    else {
        return (
            StatusCode::BAD_REQUEST,
            "Use the graphql-transport-ws subprotocol.",
        )
            .into_response();
    };
    upgrade.on_upgrade(move |socket| serve(socket, state, protocol, peer, lang))
}

async fn serve(
    socket: WebSocket,
    state: AppState,
    protocol: WebSocketProtocols,
    peer: SocketAddr,
    lang: Lang,
) {
    let _counted = state.metrics.websocket();
    let connection = Arc::new(Connection::default());
    let (mut sink, stream) = socket.split();
    // Set when the client's stream failed (a message over the size limit, a broken frame):
    // the socket is closed with 1009 instead of just dropped.
    let broken = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let seen_broken = broken.clone();
    let input = stream
        .take_while(move |m| {
            if m.is_err() {
                seen_broken.store(true, Ordering::SeqCst);
            }
            futures::future::ready(m.is_ok())
        })
        .filter_map(|m| {
            futures::future::ready(match m {
                Ok(Message::Text(text)) => Some(text.as_bytes().to_vec()),
                Ok(Message::Binary(bytes)) => Some(bytes.to_vec()),
                _ => None,
            })
        });
    let executor = SubscriptionExecutor {
        state: state.clone(),
        connection: connection.clone(),
        client: peer.ip().to_string(),
        lang,
    };
    let init = {
        let (state, connection) = (state.clone(), connection.clone());
        move |payload: serde_json::Value| async move {
            sign_in(&state, &connection, payload)
                .await
                .map_err(|message| message.render(lang).into())
        }
    };
    let mut graphql =
        async_graphql::http::WebSocket::new(executor, input, protocol).on_connection_init(init);
    let events = &state.settings.events;
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
    loop {
        let expires = connection
            .signed_in
            .get()
            .map(|(actor, _)| actor.session_expires_at);
        tokio::select! {
            message = graphql.next() => match message {
                Some(WsMessage::Text(text)) => {
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Some(WsMessage::Close(code, reason)) => {
                    // graphql-transport-ws: a refused connection_init is 4403 Forbidden, a
                    // subscribe before it 4401 Unauthorized; the library says 1002 and 1011.
                    let code = match (code, connection.signed_in.get().is_none()) {
                        (1002, true) => FORBIDDEN,
                        (1011, true) => UNAUTHORIZED,
                        (code, _) => code,
                    };
                    close(&mut sink, code, &reason).await;
                    break;
                }
                None => {
                    if broken.load(Ordering::SeqCst) {
                        close(&mut sink, TOO_BIG, "Message too big or malformed").await;
                    }
                    break;
                }
            },
            _ = ping.tick() => {
                if sink.send(Message::Ping(Default::default())).await.is_err() {
                    break;
                }
            }
            () = &mut init_deadline, if connection.signed_in.get().is_none() => {
                close(&mut sink, INIT_TIMEOUT, "Connection initialisation timeout").await;
                break;
            }
            _ = check.tick() => {
                if !session_alive(&state, &connection).await {
                    close(&mut sink, SESSION_ENDED, "Session ended").await;
                    break;
                }
            }
            () = until(expires) => {
                close(&mut sink, SESSION_ENDED, "Session expired").await;
                break;
            }
            event = next_event(&mut hub_events) => {
                if ends_sessions_of(&event, &connection) && !session_alive(&state, &connection).await {
                    close(&mut sink, SESSION_ENDED, "Session ended").await;
                    break;
                }
            }
            () = crate::events::hub::stopping(&mut stopped) => {
                close(&mut sink, GOING_AWAY, "Server shutting down").await;
                break;
            }
        }
    }
}

async fn close(sink: &mut SplitSink<WebSocket, Message>, code: u16, reason: &str) {
    let frame = CloseFrame {
        code,
        reason: reason.to_owned().into(),
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
    let (Some(event), Some((actor, _))) = (event, connection.signed_in.get()) else {
        return false;
    };
    let about_user = event.target_id == entity::audit_entry::global_id("User", actor.user.id);
    about_user
        && [
            EventType::SessionEnded,
            EventType::UserPasswordChanged,
            EventType::UserRemoved,
        ]
        .iter()
        .any(|t| t.dotted() == event.action)
}

async fn session_alive(state: &AppState, connection: &Connection) -> bool {
    let Some((_, token)) = connection.signed_in.get() else {
        return true;
    };
    // A database hiccup is not a signed-out user: keep the socket, check again later.
    !matches!(session::resolve(&state.db, token).await, Ok(None))
}

/// `connection_init`: the bearer token of the payload, resolved like an HTTP request's.
async fn sign_in(
    state: &AppState,
    connection: &Connection,
    payload: serde_json::Value,
) -> Result<Data, Text> {
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
            actor.user.id,
            state.settings.events.max_connections_per_user,
        )
        .ok_or(msg!("error-ws-too-many-connections"))?;
    *connection.slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(slot);
    let mut data = Data::default();
    data.insert(Auth(Some(actor.clone())));
    let _ = connection.signed_in.set((actor, token.to_owned()));
    Ok(data)
}

/// Runs the subscriptions of one connection.
#[derive(Clone)]
struct SubscriptionExecutor {
    state: AppState,
    connection: Arc<Connection>,
    client: String,
    lang: Lang,
}

fn refused(code: &str, message: &str) -> Response {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    Response::from_errors(vec![error])
}

/// Gives a subscription slot back when its stream ends.
struct Running(Arc<Connection>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.subscriptions.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Executor for SubscriptionExecutor {
    async fn execute(&self, _request: Request) -> Response {
        refused(
            "BAD_USER_INPUT",
            &msg!("error-ws-only-subscriptions").render(self.lang),
        )
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let once = |r: Response| futures::stream::once(async move { r }).boxed();
        let lang = self.lang;
        match guard::prepare(&mut request, &self.state.settings.graphql) {
            Err(guard::Refusal::TooComplex(m)) => {
                return once(refused("QUERY_TOO_COMPLEX", &m.render(lang)));
            }
            Err(guard::Refusal::Invalid(m) | guard::Refusal::Syntax { message: m, .. }) => {
                return once(refused("BAD_USER_INPUT", &m.render(lang)));
            }
            Ok(shape) if shape.has_request || !shape.has_subscription => {
                return once(refused(
                    "BAD_USER_INPUT",
                    &msg!("error-ws-only-subscriptions").render(lang),
                ));
            }
            Ok(_) => {}
        }
        let max = self.state.settings.events.max_subscriptions_per_connection;
        let running = self.connection.subscriptions.fetch_add(1, Ordering::SeqCst);
        let slot = Running(self.connection.clone());
        if running >= max {
            return once(refused(
                "RATE_LIMITED",
                &msg!("error-ws-too-many-subscriptions", max = max).render(lang),
            ));
        }
        let counted = self.state.metrics.subscription();
        let request_id = uuid::Uuid::new_v4().to_string();
        let request = request
            .data(ClientAddr(self.client.clone()))
            .data(RequestId(request_id.clone()))
            .data(crate::language::RequestLang(lang))
            .data(crate::graphql::loaders::for_request(self.state.db.clone()));
        self.state
            .schema
            .execute_stream_with_session_data(request, session_data.unwrap_or_default())
            .map(move |mut response| {
                let _held = (&slot, &counted);
                error_codes::finish(&mut response, &request_id, lang);
                response
            })
            .boxed()
    }
}
