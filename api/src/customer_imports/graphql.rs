//! GraphQL of imports: `CustomerImport` (a `Node`) and `CustomerImportRow`. An import is
//! its provider's: another organization's id answers as a missing one (also via `node`).

use super::service;
use crate::auth::Actor;
use crate::customers::graphql::Customer;
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::{self, Key, Page, PageArgs};
use crate::graphql::db;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::user_error::{UserError, UserErrorCode};
use async_graphql::resolver_utils::EnumType;
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use entity::customer_import::{self, CredentialsState, ErrorPolicy, ImportStatus};
use entity::{customer, customer_import_row};
use sea_orm::EntityTrait;

/// A provider's import.
pub struct CustomerImport(pub customer_import::Model);

/// Which rows to list.
#[derive(InputObject, Default)]
pub struct CustomerImportRowFilter {
    /// Only rows that failed (with their `userErrors`).
    #[graphql(default)]
    failed_only: bool,
}

/// A bulk customer import: a job the worker runs, readable while it runs.
#[Object]
impl CustomerImport {
    /// The import's global id (opaque).
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::CustomerImport, self.0.id)
    }
    /// QUEUED, RUNNING, then SUCCEEDED, PARTIALLY_SUCCEEDED, FAILED, or VALIDATED (dry run).
    async fn status(&self) -> ImportStatus {
        self.0.status
    }
    /// What a failing row does to the others.
    async fn error_policy(&self) -> ErrorPolicy {
        self.0.error_policy
    }
    /// True when the rows are only checked against the database, nothing written.
    async fn dry_run(&self) -> bool {
        self.0.dry_run
    }
    /// Data rows in the upload.
    async fn total_rows(&self) -> i32 {
        self.0.total_rows
    }
    /// Rows done so far (checked, created or failed).
    async fn processed(&self) -> i32 {
        self.0.processed
    }
    /// Rows whose customer was created (a dry run: would be created).
    async fn succeeded(&self) -> i32 {
        self.0.succeeded
    }
    /// Rows that failed (see their `userErrors`).
    async fn failed(&self) -> i32 {
        self.0.failed
    }
    /// When it was uploaded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the import ended; null while it runs.
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
    /// True while the created admins' temporary passwords wait for their one download
    /// (`GET /imports/{id}/credentials.csv` by the importing user).
    async fn credentials_available(&self) -> bool {
        self.0.credentials == CredentialsState::Available
    }
    /// The rows in file order.
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn rows(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which rows.")] filter: Option<CustomerImportRowFilter>,
        #[graphql(desc = "Items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Items before this cursor (a `startCursor` or edge `cursor`).")]
        before: Option<String>,
        #[graphql(desc = "The first n items, 0 to 100. Give `first` or `last` (not both).")]
        first: Option<i32>,
        #[graphql(desc = "The last n items, 0 to 100. Give `first` or `last` (not both).")]
        last: Option<i32>,
    ) -> Result<Page<CustomerImportRow>> {
        let args = PageArgs::new(after, before, first, last)?;
        let failed_only = filter.unwrap_or_default().failed_only;
        Ok(connection::paginate(
            db(ctx),
            service::rows(self.0.id, failed_only),
            &[Key::Asc(customer_import_row::Column::RowIndex)],
            args,
            CustomerImportRow,
        )
        .await?)
    }
}

/// One data row of an import and its outcome.
pub struct CustomerImportRow(pub customer_import_row::Model);

/// A data row of an import: the customer it became, or why not.
#[Object]
impl CustomerImportRow {
    /// 0-based data row.
    async fn index(&self) -> i32 {
        self.0.row_index
    }
    /// 1-based line of the file (the header is line 1; JSON rows count as if after one).
    async fn line(&self) -> i32 {
        self.0.line
    }
    /// The customer created from this row (and the rows of the same customer); null until
    /// then, on failure, and in a dry run.
    async fn customer(&self, ctx: &Context<'_>) -> Result<Option<Customer>> {
        let Some(id) = self.0.customer_id else {
            return Ok(None);
        };
        let found = customer::Entity::find_by_id(id)
            .one(db(ctx))
            .await
            .map_err(ApiError::from)?;
        Ok(found.map(Customer))
    }
    /// Why the row failed: each with `field` `["rows", index, column]`; empty otherwise.
    async fn user_errors(&self) -> Vec<UserError> {
        stored_errors(self.0.errors.as_deref())
    }
}

/// Row errors as stored by the worker (`store::errors_json`).
fn stored_errors(stored: Option<&str>) -> Vec<UserError> {
    let Some(list) = stored.and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok()) else {
        return Vec::new();
    };
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let code = e.get("code")?.as_str()?;
            let code = UserErrorCode::items()
                .iter()
                .find(|item| item.name == code)?
                .value;
            let message = worker::i18n::message_of_stored(e.get("message")?.as_str()?)?;
            let field = e.get("field").and_then(|f| {
                f.as_array().map(|parts| {
                    parts
                        .iter()
                        .filter_map(|p| p.as_str().map(str::to_owned))
                        .collect()
                })
            });
            Some(UserError {
                field,
                message,
                code,
            })
        })
        .collect()
}

/// `node(id:)` of a `CustomerImport`: its provider's users only.
pub async fn find<C: sea_orm::ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i32,
) -> ApiResult<CustomerImport> {
    let provider = service::provider_of(actor).map_err(|_| ApiError::NotFound)?;
    Ok(CustomerImport(service::own(db, provider, id).await?))
}
