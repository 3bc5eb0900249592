//! A person who signs in: a platform admin or a member of one partner organization.

use crate::enums::UserRole;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Stored lower-cased; unique across the program.
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    /// argon2id PHC string.
    pub password_hash: String,
    pub role: UserRole,
    pub partner_id: Option<i32>,
    /// Set for a customer's own users (role CUSTOMER_ADMIN).
    pub customer_id: Option<i32>,
    /// Set for accounts created with a temporary password: everything but
    /// `changePassword` is refused until it is changed.
    pub must_change_password: bool,
    pub created_at: DateTimeUtc,
    /// Set when the user was removed from its organization: it can no longer sign in, its
    /// sessions are gone, and its row stays so orders, invitations and the audit log still
    /// name who acted.
    pub deactivated_at: Option<DateTimeUtc>,
    /// BCP 47 tag of the language the user reads (emails, drafts for it); `en` by default.
    pub preferred_language: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::partner::Entity",
        from = "Column::PartnerId",
        to = "super::partner::Column::Id"
    )]
    Partner,
    #[sea_orm(has_many = "super::session::Entity")]
    Session,
}

impl Related<super::partner::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Partner.def()
    }
}

impl Related<super::session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Session.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
