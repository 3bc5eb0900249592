//! A provider's support request to change its directory profile: company name, logo and a
//! target URL per location. Due 21 days after submission.

use crate::enums::ProfileRequestStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "profile_change_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub partner_id: i32,
    pub status: ProfileRequestStatus,
    pub company_name: String,
    pub logo_id: Option<i32>,
    /// JSON array of `{"country", "targetUrl"}`.
    pub locations: String,
    pub submitted_by_user_id: i32,
    pub submitted_at: DateTimeUtc,
    pub due_by: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
    pub resolved_by_user_id: Option<i32>,
    pub rejection_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
