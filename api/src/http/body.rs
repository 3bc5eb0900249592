//! The GraphQL request of an HTTP request, with the GraphQL over HTTP spec's `documentId`
//! (a trusted document's id, `trusted_documents`), which async-graphql's own extractor does
//! not read: from a JSON body (one request or a batch) and from GET's query string.
//! Other bodies (multipart uploads) carry no `documentId`; they go to async-graphql's
//! extractor, their parts counted on the way, and what it leaves of a body it refuses is
//! read before the answer (`multipart_parts`).

use super::rejection::Rejection;
use async_graphql::{BatchRequest, ParseRequestError};
use async_graphql_axum::GraphQLBatchRequest;
use axum::extract::{FromRequest, Request};
use axum::http::{Method, StatusCode, header};
use serde::Deserialize;

/// The batch, and the `documentId` of each of its requests.
pub struct Incoming {
    pub batch: BatchRequest,
    pub document_ids: Vec<Option<String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
#[allow(clippy::large_enum_variant)]
enum WireBatch {
    Single(Wire),
    Batch(Vec<Wire>),
}

#[derive(Deserialize)]
struct Wire {
    #[serde(flatten)]
    request: async_graphql::Request,
    #[serde(rename = "documentId", default)]
    document_id: Option<String>,
}

impl<S: Send + Sync> FromRequest<S> for Incoming {
    type Rejection = Rejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if req.method() == Method::GET {
            let document_id = req.uri().query().and_then(|query| {
                url::form_urlencoded::parse(query.as_bytes())
                    .find(|(key, _)| key == "documentId")
                    .map(|(_, value)| value.into_owned())
            });
            let batch = GraphQLBatchRequest::<Rejection>::from_request(req, state).await?;
            return Ok(Self {
                batch: batch.into_inner(),
                document_ids: vec![document_id],
            });
        }
        // By the media type alone: a multipart boundary may contain "json" too.
        let json = super::security::media_type(req.headers()).is_none_or(|m| m.contains("json"));
        if !json {
            // A multipart body's parts are counted as it streams, and what the parser
            // leaves of a body it refuses is read before the answer (`multipart_parts`).
            let boundary = req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .and_then(super::multipart_parts::boundary);
            let (parts, body) = req.into_parts();
            let (body, rest) = super::multipart_parts::watched(body, boundary.as_deref());
            let req = Request::from_parts(parts, body);
            let batch = match GraphQLBatchRequest::<Rejection>::from_request(req, state).await {
                Ok(batch) => batch.into_inner(),
                Err(rejection) => {
                    rest.discard().await;
                    return Err(rejection);
                }
            };
            let document_ids = vec![None; batch.iter().count()];
            return Ok(Self {
                batch,
                document_ids,
            });
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ParseRequestError::PayloadTooLarge
                } else {
                    ParseRequestError::Io(std::io::Error::other(rejection.body_text()))
                }
            })?;
        let wire: WireBatch = serde_json::from_slice(&bytes)
            .map_err(|e| ParseRequestError::InvalidRequest(Box::new(e)))?;
        Ok(match wire {
            WireBatch::Single(one) => Self {
                batch: BatchRequest::Single(one.request),
                document_ids: vec![one.document_id],
            },
            WireBatch::Batch(many) => {
                let (requests, document_ids) = many
                    .into_iter()
                    .map(|wire| (wire.request, wire.document_id))
                    .unzip();
                Self {
                    batch: BatchRequest::Batch(requests),
                    document_ids,
                }
            }
        })
    }
}
