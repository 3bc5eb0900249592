//! One counted attempt against a rate limit (a sign-in, an enrollment, an email sent to
//! someone): rows of one `bucket` and `key` inside a sliding window are the count. Kept in
//! the database so every API replica counts the same attempts.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rate_limit_hits")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// What is limited, e.g. `login.account`.
    pub bucket: String,
    /// Who is limited: an email, a client address, an organization id.
    pub key: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
