//! How many bytes a request body may have. An upload (a `multipart/form-data` GraphQL
//! request: a customer import, a logo) may be larger than any other body
//! (`GRAPHQL__MAX_UPLOAD_BYTES` beside `GRAPHQL__MAX_BODY_BYTES`): a 10,000-row import file
//! with resellers and subscriptions is several megabytes, while a JSON document has no
//! reason to be. A body over its bound is refused by its `Content-Length` before it is
//! read, and cut off at the bound when it is streamed; either way the answer is 413 in the
//! GraphQL error shape (`problem::json_payload_too_large`).

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use futures::{Stream, StreamExt};
use std::time::Duration;

/// How long the rest of a refused body is read before the answer goes out anyway.
pub const DISCARD_WITHIN: Duration = Duration::from_secs(5);

/// Reads the rest of a refused request's body and drops it. A server that answers with
/// bytes of the request unread closes on them, the kernel then resets the connection, and
/// a client still writing may see the reset instead of the answer (a "broken pipe"
/// instead of a 400), or meet it on its next request. Bounded by the body's byte bound
/// (applied beneath, [`limit_body`]): reading stops at the first error, which is what the
/// bound answers from then on; and by [`DISCARD_WITHIN`], after which the answer goes
/// out over what is left, as before.
pub async fn discard<E>(body: impl Stream<Item = Result<Bytes, E>> + Unpin) {
    read_within(body, DISCARD_WITHIN).await;
}

/// Reads `body` to its end or first error, for at most `within`.
async fn read_within<E>(mut body: impl Stream<Item = Result<Bytes, E>> + Unpin, within: Duration) {
    let read = async { while let Some(Ok(_)) = body.next().await {} };
    let _ = tokio::time::timeout(within, read).await;
}

/// The two bounds, from `GraphqlSettings`.
#[derive(Clone, Copy)]
pub struct BodyLimits {
    pub body: usize,
    pub upload: usize,
}

impl BodyLimits {
    /// The bound of this request, by its content type.
    fn of(&self, request: &Request) -> usize {
        let media_type = super::security::media_type(request.headers());
        if media_type.as_deref() == Some("multipart/form-data") {
            self.upload.max(self.body)
        } else {
            self.body
        }
    }
}

pub async fn limit_body(
    State(limits): State<BodyLimits>,
    request: Request,
    next: Next,
) -> Response {
    let limit = limits.of(&request);
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return super::problem::too_large(crate::language::of_headers(request.headers()));
    }
    let request = request.map(|body| Body::new(http_body_util::Limited::new(body, limit)));
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client that stops sending does not hold the answer past the time bound (here
    /// none: a body that never yields is given up at once).
    #[tokio::test]
    async fn a_stalled_body_is_given_up_after_the_time_bound() {
        let stalled = futures::stream::pending::<Result<Bytes, std::io::Error>>();
        read_within(stalled, Duration::ZERO).await;
    }
}
