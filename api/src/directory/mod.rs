//! The public provider directory and the profile change (support) requests that alone
//! change a provider's entry: company name, logo (served at `/logos/{id}`) and a target URL
//! per location.

pub mod graphql;
pub mod logo;
pub mod requests;

pub use graphql::{DirectoryMutation, DirectoryQuery, ProfileChangeRequest};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use entity::{logo as logo_row, provider_profile};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// `GET /logos/{id}`: a logo of a live directory profile, with its checked content type,
/// immutable caching (a new upload is a new id) and an ETag.
pub async fn logo_handler(
    State(state): State<crate::http::AppState>,
    Path(id): Path<i32>,
    headers: HeaderMap,
) -> Response {
    let live = provider_profile::Entity::find()
        .filter(provider_profile::Column::LogoId.eq(id))
        .count(&state.db)
        .await;
    let found = match live {
        Ok(n) if n > 0 => logo_row::Entity::find_by_id(id).one(&state.db).await,
        Ok(_) => Ok(None),
        Err(e) => Err(e),
    };
    let logo = match found {
        Ok(Some(logo)) => logo,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "loading a logo");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let etag = format!("\"{}\"", logo.sha256);
    let cache = [
        (
            header::CACHE_CONTROL,
            "public, max-age=31536000, immutable".to_owned(),
        ),
        (header::ETAG, etag.clone()),
    ];
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (
        cache,
        [
            (header::CONTENT_TYPE, logo.content_type.clone()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            // Even an SVG that slipped past the checks cannot run anything.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'".to_owned(),
            ),
        ],
        logo.bytes,
    )
        .into_response()
}
