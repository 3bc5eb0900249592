//! An invitation from an indirect provider to a reseller email to form a partnership.
//! The personalized link carries a token of which only the SHA-256 is stored.

use crate::enums::InvitationStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partnership_invitations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub provider_id: i32,
    /// Lower-cased address the invitation was sent to.
    pub reseller_email: String,
    /// Hex SHA-256 of the current token; a resend replaces it, killing the old link.
    #[sea_orm(unique)]
    pub token_hash: String,
    pub status: InvitationStatus,
    /// The email text as the provider approved it; the personalized link appears as the
    /// placeholder `{link}` (the token itself is never stored).
    pub subject: String,
    pub body: String,
    pub created_by_user_id: i32,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub responded_at: Option<DateTimeUtc>,
    /// The reseller that accepted or declined.
    pub responded_by_partner_id: Option<i32>,
    /// The latest email sent for this invitation; none when only the draft was asked for.
    pub outbound_email_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::partner::Entity",
        from = "Column::ProviderId",
        to = "super::partner::Column::Id"
    )]
    Provider,
}

impl Related<super::partner::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Provider.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
