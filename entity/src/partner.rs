//! A partner organization of the program: an indirect provider or an indirect reseller.

use crate::enums::{EnrollmentStatus, PartnerKind};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partners")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub kind: PartnerKind,
    pub company_name: String,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
    /// The program-wide partner id shown on invitations and in the directory (7 digits).
    #[sea_orm(unique)]
    pub partner_network_id: String,
    pub enrollment_status: EnrollmentStatus,
    pub created_at: DateTimeUtc,
    pub approved_at: Option<DateTimeUtc>,
    /// Set by an ADMIN: every user of the organization must hold a second factor; until
    /// one enrolls, only enrolment and a few exempt fields answer (`api::mfa::gate`).
    pub mfa_required: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::user::Entity")]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
