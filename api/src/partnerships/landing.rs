//! `GET /invitations/accept?token=…`: the page the email links to. A reseller sees who
//! invites it, signs in, and accepts or declines; the page talks to `/graphql` like any
//! other client. The token never leaves the browser except in GraphQL calls.

use axum::http::header;
use axum::response::{Html, IntoResponse};

const PAGE: &str = include_str!("landing.html");

pub async fn page() -> impl IntoResponse {
    html_page(PAGE)
}

/// A page carrying a token in its URL, served so the token stays out of Referer headers and
/// caches.
pub fn html_page(html: &'static str) -> impl IntoResponse {
    (
        [
            // The token is in the URL: keep it out of Referer headers and caches.
            (header::REFERRER_POLICY, "no-referrer"),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_FRAME_OPTIONS, "DENY"),
        ],
        Html(html),
    )
}
