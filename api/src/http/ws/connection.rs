//! The protocol state of one connection: sign-in, the running operations by id, and what
//! each client message does. Every rule that ends a connection returns a [`Close`]; the
//! close frame itself is written in one place (`super::close`), which keeps its reason
//! within the 123 bytes a close frame can carry.
//!
//! | what the client did                            | answer                                  |
//! |------------------------------------------------|-----------------------------------------|
//! | a frame that is not a message of the protocol  | close 4400 and why                      |
//! | `connection_init` refused (token, limit)       | close 4403 and why                      |
//! | a second `connection_init`                     | close 4429                              |
//! | `subscribe` before `connection_ack`            | close 4401                              |
//! | `subscribe` with an id that is still running   | close 4409 `Subscriber for <id> already exists` |
//! | errors before execution                        | `error` (the operation ends)            |
//! | a result                                       | `next`, then `complete` at the end      |
//! | `complete` from the client                     | the operation stops, nothing is sent    |

use super::operation::{Operations, Reply, refusal};
use super::protocol::{BadMessage, ClientMessage, Flavor};
use super::sockets::Slot;
use crate::auth::Actor;
use futures::StreamExt;
use futures::stream::{AbortHandle, Abortable, BoxStream, SelectAll};
use std::collections::HashMap;
use worker::msg;

/// Why and how a connection ends.
pub enum Close {
    /// With this close frame.
    With(u16, String),
    /// With this message, then this close frame.
    After(String, u16, String),
    /// The client is gone: nothing more can be sent.
    Gone,
}

pub const BAD_REQUEST: u16 = 4400;
pub const UNAUTHORIZED: u16 = 4401;
pub const FORBIDDEN: u16 = 4403;
pub const SUBSCRIBER_EXISTS: u16 = 4409;
pub const TOO_MANY_INITS: u16 = 4429;
pub const NORMAL: u16 = 1000;

/// A connection whose `connection_init` was accepted.
pub struct SignedIn {
    /// The caller at sign-in (its session's expiry; each operation looks it up again).
    pub actor: Actor,
    pub token: String,
    pub operations: Operations,
    pub _slot: Slot,
}

/// Replies of the running operations, tagged with their id; `None` when one ended.
type Tagged = BoxStream<'static, (String, Option<Reply>)>;

pub struct Connection {
    pub flavor: Flavor,
    pub signed_in: Option<SignedIn>,
    init_seen: bool,
    running: HashMap<String, AbortHandle>,
    pub replies: SelectAll<Tagged>,
    max_running: usize,
}

/// Text messages to send, in order.
pub type Outgoing = Vec<String>;

impl Connection {
    pub fn new(flavor: Flavor, max_running: usize) -> Self {
        Self {
            flavor,
            signed_in: None,
            init_seen: false,
            running: HashMap::new(),
            replies: SelectAll::new(),
            max_running,
        }
    }

    /// Reads one client frame; `Init` is handed back to the caller, which signs in.
    pub fn receive(&mut self, frame: &[u8]) -> Result<Received, Close> {
        let message = super::protocol::parse(frame, self.flavor)
            .map_err(|BadMessage(why)| Close::With(BAD_REQUEST, why))?;
        let mut out = Vec::new();
        match message {
            ClientMessage::Init(payload) => {
                if self.init_seen {
                    return Err(Close::With(
                        TOO_MANY_INITS,
                        "Too many initialisation requests".into(),
                    ));
                }
                self.init_seen = true;
                return Ok(Received::Init(payload));
            }
            ClientMessage::Ping => out.push(self.flavor.pong()),
            ClientMessage::Pong => {}
            ClientMessage::Terminate => return Err(Close::With(NORMAL, String::new())),
            ClientMessage::Complete { id } => {
                if let Some(running) = self.running.remove(&id) {
                    running.abort();
                }
            }
            ClientMessage::Subscribe {
                id,
                request,
                document_id,
            } => {
                let Some(signed_in) = &self.signed_in else {
                    return Err(Close::With(UNAUTHORIZED, "Unauthorized".into()));
                };
                if self.running.contains_key(&id) {
                    let why = format!(
                        "Subscriber for {} already exists",
                        super::protocol::clip(&id, 80)
                    );
                    return Err(Close::With(SUBSCRIBER_EXISTS, why));
                }
                if self.running.len() >= self.max_running {
                    let max = self.max_running;
                    let lang = signed_in.operations.lang;
                    let message = msg!("error-ws-too-many-subscriptions", max = max).render(lang);
                    let error = refusal("RATE_LIMITED", None, &message);
                    out.extend(self.flavor.error(&id, vec![error]));
                    return Ok(Received::Send(out));
                }
                let replies = signed_in.operations.start(*request, document_id);
                let (handle, registration) = AbortHandle::new_pair();
                let tag = id.clone();
                let tagged = Abortable::new(
                    replies
                        .map(Some)
                        .chain(futures::stream::once(async { None })),
                    registration,
                )
                .map(move |reply| (tag.clone(), reply));
                self.running.insert(id, handle);
                self.replies.push(tagged.boxed());
            }
        }
        Ok(Received::Send(out))
    }

    /// What to send for one reply of operation `id` (`None`: it ended).
    pub fn reply(&mut self, id: &str, reply: Option<Reply>) -> Outgoing {
        match reply {
            Some(Reply::Next(response)) => vec![self.flavor.next(id, &response)],
            Some(Reply::Error(errors)) => {
                if let Some(running) = self.running.remove(id) {
                    running.abort();
                }
                self.flavor.error(id, errors)
            }
            None => match self.running.remove(id) {
                Some(_) => vec![self.flavor.complete(id)],
                None => Vec::new(),
            },
        }
    }
}

/// What a client frame asks for.
pub enum Received {
    /// Send these messages.
    Send(Outgoing),
    /// Check this `connection_init` payload.
    Init(serde_json::Map<String, serde_json::Value>),
}
