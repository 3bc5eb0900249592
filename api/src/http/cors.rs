//! Cross-origin browser apps (a frontend served from another origin, e.g. a Vite or Next.js
//! dev server): `CORS__ALLOWED_ORIGINS` lists the exact origins allowed, comma-separated;
//! nothing is allowed by default. Only what the API uses is allowed: `GET` and `POST`, the
//! headers clients send (`authorization`, `content-type`, `accept-language` and the Apollo
//! preflight headers), `x-request-id` exposed; no cookies (tokens travel in a header); the
//! preflight answer is cached for ten minutes.

use axum::http::{HeaderName, HeaderValue, Method, header};
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};

#[derive(Debug, thiserror::Error)]
#[error("CORS__ALLOWED_ORIGINS: {0:?} is not an origin like https://app.example.com")]
pub struct BadOrigin(String);

/// The exact origins of a comma-separated list (`scheme://host[:port]`, nothing more).
pub fn origins(list: &str) -> Result<Vec<HeaderValue>, BadOrigin> {
    list.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|origin| {
            let parsed = url::Url::parse(origin).map_err(|_| BadOrigin(origin.to_owned()))?;
            let exact = matches!(parsed.scheme(), "http" | "https")
                && parsed.host_str().is_some()
                && parsed.path() == "/"
                && !origin.ends_with('/')
                && parsed.query().is_none()
                && parsed.username().is_empty();
            if !exact {
                return Err(BadOrigin(origin.to_owned()));
            }
            HeaderValue::from_str(origin).map_err(|_| BadOrigin(origin.to_owned()))
        })
        .collect()
}

pub fn layer(allowed: Vec<HeaderValue>) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
            HeaderName::from_static("apollo-require-preflight"),
            HeaderName::from_static("x-apollo-operation-name"),
            HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([HeaderName::from_static("x-request-id")])
        .max_age(Duration::from_secs(600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_origins() {
        let ok = origins(" http://localhost:5173, https://app.example.com ").unwrap();
        assert_eq!(ok.len(), 2);
        assert!(origins("").unwrap().is_empty());
        for bad in [
            "localhost:5173",
            "https://app.example.com/",
            "https://app.example.com/path",
            "*",
            "ftp://x.example",
        ] {
            assert!(origins(bad).is_err(), "{bad}");
        }
    }
}
