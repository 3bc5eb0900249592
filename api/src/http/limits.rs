//! How many bytes a request body may have. An upload (a `multipart/form-data` GraphQL
//! request: a customer import, a logo) may be larger than any other body
//! (`GRAPHQL__MAX_UPLOAD_BYTES` beside `GRAPHQL__MAX_BODY_BYTES`): a 10,000-row import file
//! with resellers and subscriptions is several megabytes, while a JSON document has no
//! reason to be. A body over its bound is refused by its `Content-Length` before it is
//! read, and cut off at the bound when it is streamed; either way the answer is 413 in the
//! GraphQL error shape (`problem::json_payload_too_large`).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

/// The two bounds, from `GraphqlSettings`.
#[derive(Clone, Copy)]
pub struct BodyLimits {
    pub body: usize,
    pub upload: usize,
}

impl BodyLimits {
    /// The bound of this request, by its content type.
    fn of(&self, request: &Request) -> usize {
        let multipart = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("multipart/form-data")
            });
        if multipart {
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
