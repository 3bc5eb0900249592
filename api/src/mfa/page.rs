//! `GET /account/security`: a user signs in (both steps, in the page), turns on
//! authenticator codes (the QR code is rendered here, server-side, as SVG), sees its
//! recovery codes once, and registers, names and removes passkeys. The page talks to
//! `/graphql` like any other client; it is in the reader's language.

use crate::pages::{self, PageQuery, Reader};
use axum::http::HeaderMap;
use axum::response::Response;
use qrcode::QrCode;
use qrcode::render::svg;

pub async fn page(query: PageQuery, headers: HeaderMap) -> Response {
    let reader = Reader::of("/account/security", query, &headers);
    pages::with_token_headers(pages::render_for(
        &reader,
        "account_security.html",
        minijinja::Value::UNDEFINED,
    ))
}

/// The QR code of an `otpauth://` URI as a standalone SVG document (no scripts, no
/// external references).
pub fn qr_svg(uri: &str) -> Option<String> {
    let code = QrCode::new(uri.as_bytes()).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}
