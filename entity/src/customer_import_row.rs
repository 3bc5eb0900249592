//! One data row of a customer import: its columns as uploaded (JSON) and its outcome.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A row's outcome so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum RowStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// Checked and good (a dry run's, or REJECT_EVERYTHING's first pass).
    #[sea_orm(string_value = "VALID")]
    Valid,
    #[sea_orm(string_value = "CREATED")]
    Created,
    #[sea_orm(string_value = "FAILED")]
    Failed,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customer_import_rows")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub import_id: i32,
    /// 0-based data row.
    pub row_index: i32,
    /// 1-based line of the file (the header is line 1).
    pub line: i32,
    pub data: String,
    pub status: RowStatus,
    pub customer_id: Option<i32>,
    pub errors: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
