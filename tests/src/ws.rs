//! A real GraphQL-over-WebSocket client (`graphql-transport-ws`) for the tests.

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub struct WsClient {
    socket: Socket,
}

/// How a connection ended, as the client saw it.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    Closed { code: u16, reason: String },
    Dropped,
}

impl WsClient {
    /// Connects to `/graphql/ws` of `http_address` with the `graphql-transport-ws` protocol.
    pub async fn connect(http_address: &str) -> Self {
        Self::connect_with(http_address, "graphql-transport-ws").await
    }

    /// Connects with this subprotocol (`graphql-ws` is the legacy one).
    pub async fn connect_with(http_address: &str, protocol: &str) -> Self {
        let url = format!("{}/graphql/ws", http_address.replacen("http", "ws", 1));
        let mut request = url.into_client_request().unwrap();
        request
            .headers_mut()
            .insert("sec-websocket-protocol", protocol.parse().unwrap());
        let (socket, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("WebSocket handshake");
        assert_eq!(response.headers()["sec-websocket-protocol"], protocol);
        Self { socket }
    }

    /// Connects and signs in with `connection_init`; panics unless acknowledged.
    pub async fn signed_in(http_address: &str, token: &str) -> Self {
        let mut client = Self::connect(http_address).await;
        client
            .send(json!({ "type": "connection_init",
                          "payload": { "Authorization": format!("Bearer {token}") } }))
            .await;
        let ack = client
            .next_json()
            .await
            .expect("an answer to connection_init");
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        client
    }

    /// Sends `connection_init` with this payload; `Ok` on `connection_ack`, else how the
    /// server ended the connection.
    pub async fn init(&mut self, payload: Value) -> Result<(), Ended> {
        self.send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        loop {
            let message = tokio::time::timeout(Duration::from_secs(20), self.socket.next())
                .await
                .expect("an answer to connection_init within 20 s");
            match message {
                Some(Ok(Message::Text(text))) => {
                    let value: Value = serde_json::from_str(&text).unwrap();
                    assert_eq!(value["type"], "connection_ack", "{value}");
                    return Ok(());
                }
                Some(Ok(Message::Close(Some(frame)))) => {
                    return Err(Ended::Closed {
                        code: frame.code.into(),
                        reason: frame.reason.to_string(),
                    });
                }
                Some(Ok(Message::Close(None))) | None | Some(Err(_)) => {
                    return Err(Ended::Dropped);
                }
                Some(Ok(_)) => {}
            }
        }
    }

    /// Connects and sends `connection_init` with `token`: the client if acknowledged, else
    /// how the server ended the connection.
    pub async fn try_sign_in(http_address: &str, token: &str) -> Result<Self, Ended> {
        let mut client = Self::connect(http_address).await;
        client
            .init(json!({ "Authorization": format!("Bearer {token}") }))
            .await?;
        Ok(client)
    }

    /// Closes the connection from the client side (a normal close, as a browser tab does).
    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
        // Read until the server's answering close frame, so the server has seen the end.
        while let Ok(Some(Ok(_))) =
            tokio::time::timeout(Duration::from_secs(5), self.socket.next()).await
        {}
    }

    pub async fn send_text(&mut self, text: String) {
        self.socket.send(Message::Text(text.into())).await.unwrap();
    }

    pub async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .unwrap();
    }

    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({ "id": id, "type": "subscribe",
                          "payload": { "query": query, "variables": variables } }))
            .await;
    }

    /// The next JSON message (pings are answered), or `None` when the connection ended.
    pub async fn next_json(&mut self) -> Option<Value> {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(20), self.socket.next())
                .await
                .expect("a message within 20 s")?;
            match message.ok()? {
                Message::Text(text) => {
                    let value: Value = serde_json::from_str(&text).unwrap();
                    if value["type"] == "ping" {
                        self.send(json!({ "type": "pong" })).await;
                        continue;
                    }
                    return Some(value);
                }
                Message::Close(_) => return None,
                _ => {}
            }
        }
    }

    /// The payload of the next `next` message of subscription `id`.
    pub async fn next_data(&mut self, id: &str) -> Value {
        loop {
            let message = self.next_json().await.expect("connection open");
            if message["id"] == id && message["type"] == "next" {
                return message["payload"].clone();
            }
            assert_ne!(message["type"], "error", "{message}");
        }
    }

    /// The next message about subscription `id`, whatever its type (`next`, `error`,
    /// `complete`).
    pub async fn message_for(&mut self, id: &str) -> Value {
        loop {
            let message = self.next_json().await.expect("connection open");
            if message["id"] == id {
                return message;
            }
        }
    }

    /// The event of the next `next` message of an `events` subscription `id`.
    pub async fn next_event(&mut self, id: &str) -> Value {
        let payload = self.next_data(id).await;
        assert!(payload.get("errors").is_none(), "{payload}");
        payload["data"]["events"].clone()
    }

    /// Reads until the server ends the connection; returns how.
    pub async fn ended(&mut self) -> Ended {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(20), self.socket.next())
                .await
                .expect("the connection ends within 20 s");
            match message {
                Some(Ok(Message::Close(Some(frame)))) => {
                    return Ended::Closed {
                        code: frame.code.into(),
                        reason: frame.reason.to_string(),
                    };
                }
                Some(Ok(Message::Close(None))) | None | Some(Err(_)) => return Ended::Dropped,
                Some(Ok(_)) => {}
            }
        }
    }
}
