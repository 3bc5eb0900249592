//! A trusted document: a GraphQL document clients may name by its SHA-256 instead of
//! sending its text (`api::trusted_documents`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trusted_documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// `sha256:<64 lowercase hex digits>` of `document`, what requests send.
    #[sea_orm(unique)]
    pub document_id: String,
    pub document: String,
    /// `FILE` (the manifest file, written at start) or `API` (added by a platform
    /// administrator).
    pub source: String,
    /// The platform administrator who added it (none for the file).
    pub added_by_user_id: Option<i32>,
    pub added_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
