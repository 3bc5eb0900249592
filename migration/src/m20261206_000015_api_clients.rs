//! API clients (issue 22): an organization's machine credentials (client id, a hashed
//! secret, scopes, expiry), the short-lived access tokens issued for them at
//! `POST /oauth/token` (hashed like sessions), and the client named as the actor of audit
//! entries it causes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Clients::Table)
                    .col(pk_auto(Clients::Id))
                    .col(integer(Clients::PartnerId))
                    .col(string_len_uniq(Clients::ClientId, 64))
                    .col(string_len(Clients::Name, 200))
                    .col(string_len(Clients::Scopes, 500))
                    .col(string_len(Clients::SecretHash, 64))
                    .col(integer(Clients::CreatedByUserId))
                    .col(timestamp_with_time_zone(Clients::CreatedAt))
                    .col(timestamp_with_time_zone_null(Clients::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Clients::LastUsedAt))
                    .col(timestamp_with_time_zone_null(Clients::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Clients::Table, Clients::PartnerId)
                            .to(Alias::new("partners"), Alias::new("id")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Clients::Table, Clients::CreatedByUserId)
                            .to(Alias::new("users"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_api_clients_partner")
                    .table(Clients::Table)
                    .col(Clients::PartnerId)
                    .col(Clients::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Tokens::Table)
                    .col(pk_auto(Tokens::Id))
                    .col(integer(Tokens::ApiClientId))
                    .col(string_len_uniq(Tokens::TokenHash, 64))
                    .col(string_len(Tokens::Scopes, 500))
                    .col(timestamp_with_time_zone(Tokens::CreatedAt))
                    .col(timestamp_with_time_zone(Tokens::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Tokens::Table, Tokens::ApiClientId)
                            .to(Clients::Table, Clients::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Audit::Table)
                    .add_column(integer_null(Audit::ActorApiClientId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Audit::Table)
                    .drop_column(Audit::ActorApiClientId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Tokens::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Clients::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Clients {
    #[sea_orm(iden = "api_clients")]
    Table,
    Id,
    PartnerId,
    ClientId,
    Name,
    Scopes,
    SecretHash,
    CreatedByUserId,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Tokens {
    #[sea_orm(iden = "api_client_tokens")]
    Table,
    Id,
    ApiClientId,
    TokenHash,
    Scopes,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Audit {
    #[sea_orm(iden = "audit_entries")]
    Table,
    ActorApiClientId,
}
