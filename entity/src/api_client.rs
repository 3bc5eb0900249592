//! An organization's machine credential (`createApiClient`): a client id, the SHA-256 of
//! its secret (never the secret), the scopes it may use and when it stops working.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_clients")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The organization the client acts for.
    pub partner_id: i32,
    /// `pcc_…`, what the client sends as its OAuth `client_id` (not the global id).
    #[sea_orm(unique)]
    pub client_id: String,
    pub name: String,
    /// Dotted scope names separated by single spaces (`customers:read orders:write`).
    pub scopes: String,
    /// Hex SHA-256 of the current secret.
    pub secret_hash: String,
    /// The ADMIN who created it (recorded where a change needs a user, e.g. who placed an
    /// order).
    pub created_by_user_id: i32,
    pub created_at: DateTimeUtc,
    /// None: no expiry.
    pub expires_at: Option<DateTimeUtc>,
    /// Updated at most once a minute.
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
