//! A user's authenticator-app (TOTP) secret: written by enrolment, in force once confirmed.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mfa_totp")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i32,
    /// Base32 (RFC 4648, no padding), as in the `otpauth://` URI. The server must compute
    /// codes from it, so it cannot be hashed.
    pub secret: String,
    /// Null while enrolment waits for its first code; set when TOTP is in force.
    pub confirmed_at: Option<DateTimeUtc>,
    /// The last 30-second step whose code was accepted: that step and earlier ones are
    /// refused from then on (a code is accepted once).
    pub last_used_step: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
