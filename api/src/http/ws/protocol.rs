//! The messages of the two subprotocols, read strictly and written in one place:
//! `graphql-transport-ws` (the graphql-ws library's protocol) and the legacy `graphql-ws`
//! (Apollo's subscriptions-transport-ws), which differ mostly in names.
//!
//! A frame that is not a message of the connection's protocol (not JSON, an unknown `type`,
//! a missing or mistyped field) is a [`BadMessage`]: the connection closes with 4400 and a
//! short reason, as graphql-transport-ws says.

use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// `graphql-transport-ws`.
    TransportWs,
    /// The legacy `graphql-ws` (subscriptions-transport-ws).
    Legacy,
}

impl Flavor {
    pub fn of_subprotocol(name: &str) -> Option<Self> {
        match name {
            "graphql-transport-ws" => Some(Self::TransportWs),
            "graphql-ws" => Some(Self::Legacy),
            _ => None,
        }
    }
}

/// A message from the client.
pub enum ClientMessage {
    /// `connection_init`, with its payload (an object; empty when absent).
    Init(Map<String, Value>),
    /// `subscribe` (legacy `start`).
    Subscribe {
        id: String,
        request: Box<async_graphql::Request>,
        /// The payload's `documentId` (a trusted document, instead of `query`).
        document_id: Option<String>,
    },
    /// `complete` (legacy `stop`).
    Complete {
        id: String,
    },
    Ping,
    Pong,
    /// Legacy `connection_terminate`.
    Terminate,
}

/// Why a frame is not a message: the reason of the 4400 close.
#[derive(Debug)]
pub struct BadMessage(pub String);

fn bad(why: impl std::fmt::Display) -> BadMessage {
    BadMessage(format!("Invalid message received: {why}"))
}

/// Reads one frame as a message of `flavor`.
pub fn parse(frame: &[u8], flavor: Flavor) -> Result<ClientMessage, BadMessage> {
    let value: Value = serde_json::from_slice(frame).map_err(bad)?;
    let Value::Object(mut message) = value else {
        return Err(bad("not an object"));
    };
    let kind = match message.remove("type") {
        Some(Value::String(kind)) => kind,
        _ => return Err(bad("no 'type' string")),
    };
    let payload = message.remove("payload");
    let id = || match message.get("id") {
        Some(Value::String(id)) if !id.is_empty() => Ok(id.clone()),
        _ => Err(bad("no 'id' string")),
    };
    use Flavor::{Legacy, TransportWs};
    Ok(match (kind.as_str(), flavor) {
        ("connection_init", _) => ClientMessage::Init(object_or_none(payload)?.unwrap_or_default()),
        ("ping", TransportWs) => {
            object_or_none(payload)?;
            ClientMessage::Ping
        }
        ("pong", TransportWs) => {
            object_or_none(payload)?;
            ClientMessage::Pong
        }
        ("subscribe", TransportWs) | ("start", Legacy) => {
            let (request, document_id) = request(payload)?;
            ClientMessage::Subscribe {
                id: id()?,
                request: Box::new(request),
                document_id,
            }
        }
        ("complete", TransportWs) | ("stop", Legacy) => ClientMessage::Complete { id: id()? },
        ("connection_terminate", Legacy) => ClientMessage::Terminate,
        _ => return Err(bad(format_args!("unknown type \"{}\"", clip(&kind, 32)))),
    })
}

/// A payload that must be an object when present (`null` counts as absent).
fn object_or_none(payload: Option<Value>) -> Result<Option<Map<String, Value>>, BadMessage> {
    match payload {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(bad("'payload' is not an object")),
    }
}

/// A subscribe payload: `query` a string, or instead a trusted document's `documentId`
/// (or Apollo's `extensions.persistedQuery`); `operationName`, `variables` and
/// `extensions` of their types or null.
fn request(payload: Option<Value>) -> Result<(async_graphql::Request, Option<String>), BadMessage> {
    let mut payload = object_or_none(payload)?.ok_or_else(|| bad("no 'payload' object"))?;
    let document_id = match payload.remove("documentId") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(id),
        Some(_) => return Err(bad("'documentId' is not a string")),
    };
    let persisted = payload
        .get("extensions")
        .and_then(|e| e.get("persistedQuery"))
        .is_some();
    let named = document_id.is_some() || persisted;
    match payload.get("query") {
        Some(Value::String(_)) => {}
        None | Some(Value::Null) if named => {
            payload.remove("query");
        }
        _ => return Err(bad("no 'query' string in the payload")),
    }
    let typed = |key: &str, ok: fn(&Value) -> bool| match payload.get(key) {
        None | Some(Value::Null) => true,
        Some(value) => ok(value),
    };
    if !typed("operationName", Value::is_string)
        || !typed("variables", Value::is_object)
        || !typed("extensions", Value::is_object)
    {
        return Err(bad("a payload field of the wrong type"));
    }
    let request = serde_json::from_value(Value::Object(payload)).map_err(bad)?;
    Ok((request, document_id))
}

/// At most `max` bytes of `text`, cut on a character boundary.
pub fn clip(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[derive(Serialize)]
struct Out<'a, P: Serialize> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payload: Option<P>,
}

fn text<P: Serialize>(kind: &str, id: Option<&str>, payload: Option<P>) -> String {
    serde_json::to_string(&Out { kind, id, payload }).unwrap_or_default()
}

/// The messages the server sends, in the connection's flavor.
impl Flavor {
    pub fn ack(self) -> String {
        text::<()>("connection_ack", None, None)
    }

    pub fn pong(self) -> String {
        text::<()>("pong", None, None)
    }

    /// Legacy only: a refused `connection_init` is said before the close.
    pub fn init_refused(self, message: &str) -> Option<String> {
        let payload = serde_json::json!({ "message": message });
        (self == Self::Legacy).then(|| text("connection_error", None, Some(payload)))
    }

    /// One result of an operation.
    pub fn next(self, id: &str, response: &async_graphql::Response) -> String {
        let kind = match self {
            Self::TransportWs => "next",
            Self::Legacy => "data",
        };
        text(kind, Some(id), Some(response))
    }

    /// Errors before execution: graphql-transport-ws's `error` message (which ends the
    /// operation); the legacy protocol carries them as a result, then `complete`.
    pub fn error(self, id: &str, errors: Vec<async_graphql::ServerError>) -> Vec<String> {
        match self {
            Self::TransportWs => vec![text("error", Some(id), Some(errors))],
            Self::Legacy => vec![
                self.next(id, &async_graphql::Response::from_errors(errors)),
                self.complete(id),
            ],
        }
    }

    pub fn complete(self, id: &str) -> String {
        text::<()>("complete", Some(id), None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(frame: &str) -> String {
        match parse(frame.as_bytes(), Flavor::TransportWs) {
            Err(BadMessage(reason)) => reason,
            Ok(_) => panic!("{frame} was accepted"),
        }
    }

    #[test]
    fn malformed_frames_are_bad_messages() {
        for frame in [
            "not json",
            "[]",
            r#"{"id":"1"}"#,
            r#"{"type":"nonsense"}"#,
            r#"{"type":"start","id":"1","payload":{"query":"{ a }"}}"#,
            r#"{"type":"subscribe","payload":{"query":"{ a }"}}"#,
            r#"{"type":"subscribe","id":"","payload":{"query":"{ a }"}}"#,
            r#"{"type":"subscribe","id":"1","payload":{}}"#,
            r#"{"type":"subscribe","id":"1","payload":{"query":"{ a }","variables":[]}}"#,
            r#"{"type":"connection_init","payload":"x"}"#,
            r#"{"type":"complete"}"#,
        ] {
            assert!(
                reason(frame).starts_with("Invalid message received"),
                "{frame}"
            );
        }
    }

    #[test]
    fn each_flavor_reads_its_own_names() {
        let start = r#"{"type":"start","id":"1","payload":{"query":"{ a }"}}"#;
        assert!(matches!(
            parse(start.as_bytes(), Flavor::Legacy),
            Ok(ClientMessage::Subscribe { .. })
        ));
        let subscribe =
            r#"{"type":"subscribe","id":"1","payload":{"query":"{ a }","variables":null}}"#;
        assert!(matches!(
            parse(subscribe.as_bytes(), Flavor::TransportWs),
            Ok(ClientMessage::Subscribe { .. })
        ));
        assert!(parse(subscribe.as_bytes(), Flavor::Legacy).is_err());
    }

    #[test]
    fn clip_cuts_on_a_character_boundary() {
        assert_eq!(clip("abc", 10), "abc");
        assert_eq!(clip("aé", 2), "a");
        assert_eq!(clip(&"é".repeat(100), 123).len(), 122);
    }
}
