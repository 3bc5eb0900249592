//! A short-lived, single-use challenge: between the password step and the second factor
//! (`SIGN_IN`), or between the two steps of registering a passkey (`PASSKEY_REGISTRATION`).
//! Only the SHA-256 of its token is stored.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mfa_challenges")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub user_id: i32,
    /// `SIGN_IN` or `PASSKEY_REGISTRATION`.
    pub purpose: String,
    /// The WebAuthn ceremony's server state (JSON), when a passkey ceremony began.
    pub state: Option<String>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
