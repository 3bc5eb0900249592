//! `/assets/{name}`: the stylesheet and scripts of the server's own pages, compiled into the
//! binary. Pages load them from here so their Content-Security-Policy needs no inline code.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// (name, content type, bytes).
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "pages.css",
        "text/css; charset=utf-8",
        include_str!("../../static/pages.css"),
    ),
    (
        "invitation.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/invitation.js"),
    ),
    (
        "sign-in.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/sign-in.js"),
    ),
    (
        "account-security.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/account-security.js"),
    ),
    (
        "relationship.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/relationship.js"),
    ),
    (
        "admin_relationship.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/admin_relationship.js"),
    ),
];

pub async fn handler(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, content_type, body)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                // Short: a new release may change a page and its script together.
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
