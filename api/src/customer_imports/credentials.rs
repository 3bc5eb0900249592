//! `GET /imports/{id}/credentials.csv`: the created admins' temporary passwords, to the
//! importing user only (its bearer token; anyone else gets 404 as for a missing import),
//! once: the same transaction that reads them deletes them, and the next request gets
//! 410 Gone. Passwords nobody downloads are erased after `IMPORTS__CREDENTIALS_TTL_HOURS`.
//! They are never logged.

use crate::accounts::session;
use crate::error::ApiResult;
use crate::graphql::ids::{self, NodeType};
use crate::http::AppState;
use async_graphql::ID;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use entity::customer_import::{self, CredentialsState};
use entity::customer_import_credential;
use migration::database::begin_write;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

pub async fn download(
    State(state): State<AppState>,
    Path(file): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (id, name) = file;
    if name != "credentials.csv" {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Some(token) = crate::http::bearer(&headers) else {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response();
    };
    let actor = match session::resolve(&state.db, token).await {
        Ok(Some(actor)) => actor,
        Ok(None) => {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
            )
                .into_response();
        }
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    // The importing user, as a person: not an API client, not a colleague.
    let Ok(import_id) = ids::decode_as(NodeType::CustomerImport, &ID(id)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if actor.client().is_some() {
        return StatusCode::NOT_FOUND.into_response();
    }
    match take(&state.db, import_id, actor.user.id).await {
        Ok(Taken::Missing) => StatusCode::NOT_FOUND.into_response(),
        Ok(Taken::Gone) => StatusCode::GONE.into_response(),
        Ok(Taken::File(body)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"customer-import-{import_id}-credentials.csv\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = ?e, import = import_id, "credentials download failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

enum Taken {
    Missing,
    Gone,
    File(Vec<u8>),
}

/// Reads and deletes the passwords in one transaction; of two concurrent downloads the
/// one whose update comes second finds them TAKEN.
async fn take(db: &DatabaseConnection, import_id: i32, user_id: i32) -> ApiResult<Taken> {
    let txn = begin_write(db).await?;
    let won = customer_import::Entity::update_many()
        .col_expr(
            customer_import::Column::Credentials,
            Expr::value(CredentialsState::Taken),
        )
        .filter(customer_import::Column::Id.eq(import_id))
        .filter(customer_import::Column::UserId.eq(user_id))
        .filter(customer_import::Column::Credentials.eq(CredentialsState::Available))
        .exec(&txn)
        .await?;
    if won.rows_affected != 1 {
        drop(txn);
        let import = customer_import::Entity::find_by_id(import_id)
            .filter(customer_import::Column::UserId.eq(user_id))
            .one(db)
            .await?;
        return Ok(match import.map(|i| i.credentials) {
            Some(CredentialsState::Taken | CredentialsState::Expired) => Taken::Gone,
            _ => Taken::Missing,
        });
    }
    let rows = customer_import_credential::Entity::find()
        .filter(customer_import_credential::Column::ImportId.eq(import_id))
        .order_by_asc(customer_import_credential::Column::RowIndex)
        .all(&txn)
        .await?;
    customer_import_credential::Entity::delete_many()
        .filter(customer_import_credential::Column::ImportId.eq(import_id))
        .exec(&txn)
        .await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let written: Result<(), csv::Error> = (|| {
        out.write_record([
            "company_name",
            "domain",
            "admin_user_name",
            "temporary_password",
        ])?;
        for row in &rows {
            out.write_record([
                &row.company_name,
                &row.domain,
                &row.admin_user_name,
                &row.temporary_password,
            ])?;
        }
        Ok(())
    })();
    written.map_err(|e| crate::error::ApiError::internal("writing the credentials file", e))?;
    let body = out.into_inner().map_err(|e| {
        crate::error::ApiError::internal("writing the credentials file", e.into_error())
    })?;
    txn.commit().await?;
    Ok(Taken::File(body))
}

/// Erases the passwords of imports finished before `finished_before` that nobody
/// downloaded; true when there were some.
pub async fn erase_expired(
    db: &DatabaseConnection,
    finished_before: DateTime<Utc>,
) -> ApiResult<bool> {
    let txn = begin_write(db).await?;
    let stale = Query::select()
        .column(customer_import::Column::Id)
        .from(customer_import::Entity)
        .and_where(customer_import::Column::Credentials.eq(CredentialsState::Available))
        .and_where(customer_import::Column::FinishedAt.lt(finished_before))
        .to_owned();
    let erased = customer_import_credential::Entity::delete_many()
        .filter(customer_import_credential::Column::ImportId.in_subquery(stale))
        .exec(&txn)
        .await?;
    let expired = customer_import::Entity::update_many()
        .col_expr(
            customer_import::Column::Credentials,
            Expr::value(CredentialsState::Expired),
        )
        .filter(customer_import::Column::Credentials.eq(CredentialsState::Available))
        .filter(customer_import::Column::FinishedAt.lt(finished_before))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(erased.rows_affected + expired.rows_affected > 0)
}
