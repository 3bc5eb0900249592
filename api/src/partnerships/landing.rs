//! `GET /invitations/accept?token=…`: the page the email links to. A reseller sees who
//! invites it, signs in, and accepts or declines; the page talks to `/graphql` like any
//! other client. The token never leaves the browser except in GraphQL calls. The page is in
//! the reader's language (`?lang=` or `Accept-Language`, see `pages`).

use crate::pages::{self, PageQuery, Reader};
use axum::http::HeaderMap;
use axum::response::Response;

pub async fn page(query: PageQuery, headers: HeaderMap) -> Response {
    let reader = Reader::of("/invitations/accept", query, &headers);
    pages::with_token_headers(pages::render_for(
        &reader,
        "invitation.html",
        minijinja::Value::UNDEFINED,
    ))
}
