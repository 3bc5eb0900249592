//! A bulk customer import (issue 25): a job the worker runs over its rows
//! (`customer_import_row`), with its counters, its lease (which worker holds it, until
//! when) and whether the created admins' temporary passwords can still be downloaded.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where an import is: QUEUED → RUNNING → SUCCEEDED | PARTIALLY_SUCCEEDED | FAILED, or
/// VALIDATED for a dry run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "graphql", graphql(name = "CustomerImportStatus"))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ImportStatus {
    /// Stored; no worker has started it yet.
    #[sea_orm(string_value = "QUEUED")]
    Queued,
    /// A worker is validating or creating its customers.
    #[sea_orm(string_value = "RUNNING")]
    Running,
    /// Every row was created.
    #[sea_orm(string_value = "SUCCEEDED")]
    Succeeded,
    /// Nothing was created: every row failed, or (REJECT_EVERYTHING) at least one did.
    #[sea_orm(string_value = "FAILED")]
    Failed,
    /// Some rows were created, others failed (REJECT_FAILED_ROWS).
    #[sea_orm(string_value = "PARTIALLY_SUCCEEDED")]
    PartiallySucceeded,
    /// A dry run checked every row against the database and wrote nothing.
    #[sea_orm(string_value = "VALIDATED")]
    Validated,
    /// Stopped before its end, by `cancelCustomerImport` or because the one who started it
    /// may no longer import; the customers created until then stay.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

impl ImportStatus {
    pub fn finished(self) -> bool {
        !matches!(self, Self::Queued | Self::Running)
    }
}

/// What a failing row does to the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "graphql", graphql(name = "CustomerImportErrorPolicy"))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ErrorPolicy {
    /// The good rows' customers are created; each bad row reports its errors.
    #[sea_orm(string_value = "REJECT_FAILED_ROWS")]
    RejectFailedRows,
    /// Nothing is created when any row fails.
    #[sea_orm(string_value = "REJECT_EVERYTHING")]
    RejectEverything,
}

/// Whether the created admins' temporary passwords can be downloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum CredentialsState {
    /// No admin was created (yet).
    #[sea_orm(string_value = "NONE")]
    None,
    /// Created and not downloaded yet.
    #[sea_orm(string_value = "AVAILABLE")]
    Available,
    /// Downloaded once: gone.
    #[sea_orm(string_value = "TAKEN")]
    Taken,
    /// Not downloaded in time: erased.
    #[sea_orm(string_value = "EXPIRED")]
    Expired,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customer_imports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub provider_id: i32,
    /// The importing user (an API client's creator when a client imported).
    pub user_id: i32,
    pub api_client_id: Option<i32>,
    pub idempotency_key: String,
    pub error_policy: ErrorPolicy,
    pub dry_run: bool,
    pub status: ImportStatus,
    pub total_rows: i32,
    pub processed: i32,
    pub succeeded: i32,
    pub failed: i32,
    pub credentials: CredentialsState,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
