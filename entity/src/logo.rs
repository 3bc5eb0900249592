//! An uploaded logo: bytes whose type was checked from their content, served at `/logos/{id}`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "logos")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// `image/png`, `image/jpeg` or `image/svg+xml`, from the bytes, never the file name.
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// Hex SHA-256 of the bytes: the ETag.
    pub sha256: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
