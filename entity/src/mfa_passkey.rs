//! A passkey (WebAuthn credential) a user registered as a second factor.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mfa_passkeys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    /// The user's own name for it ("Laptop", "YubiKey").
    pub name: String,
    /// Base64url credential id (unique program-wide).
    #[sea_orm(unique)]
    pub credential_id: String,
    /// The server library's serialized credential (public key, counter).
    pub passkey: String,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
