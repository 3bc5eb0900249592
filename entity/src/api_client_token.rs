//! An access token issued at `POST /oauth/token` to an API client. Only the SHA-256 of the
//! token is stored, as for sessions.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_client_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub api_client_id: i32,
    /// Hex SHA-256 of the token handed to the client.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// The scopes granted to this token (a subset of the client's), dotted, space-separated.
    pub scopes: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::api_client::Entity",
        from = "Column::ApiClientId",
        to = "super::api_client::Column::Id",
        on_delete = "Cascade"
    )]
    ApiClient,
}

impl Related<super::api_client::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApiClient.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
