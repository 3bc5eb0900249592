//! Bulk customer import (issue 25): an import (a job the worker runs), its rows as uploaded
//! with each row's outcome, and the created admins' temporary passwords kept only until
//! their one download (or until `IMPORTS__CREDENTIALS_TTL_HOURS` pass).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Imports::Table)
                    .col(pk_auto(Imports::Id))
                    .col(integer(Imports::ProviderId))
                    // The importing user (for an API client: its creator) and the client.
                    .col(integer(Imports::UserId))
                    .col(integer_null(Imports::ApiClientId))
                    .col(string_len(Imports::IdempotencyKey, 128))
                    .col(string_len(Imports::ErrorPolicy, 32))
                    .col(boolean(Imports::DryRun))
                    .col(string_len(Imports::Status, 32))
                    .col(integer(Imports::TotalRows))
                    .col(integer(Imports::Processed))
                    .col(integer(Imports::Succeeded))
                    .col(integer(Imports::Failed))
                    // NONE (nothing to download), AVAILABLE, TAKEN, EXPIRED.
                    .col(string_len(Imports::Credentials, 16))
                    // The worker holding the import, until when (renewed at every batch).
                    .col(string_len_null(Imports::LeaseOwner, 64))
                    .col(timestamp_with_time_zone_null(Imports::LeaseExpiresAt))
                    .col(timestamp_with_time_zone(Imports::CreatedAt))
                    .col(timestamp_with_time_zone_null(Imports::FinishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Imports::Table, Imports::ProviderId)
                            .to(Alias::new("partners"), Alias::new("id")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Imports::Table, Imports::UserId)
                            .to(Alias::new("users"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        // A re-upload with the same key answers the first import.
        manager
            .create_index(
                Index::create()
                    .name("idx_customer_imports_key")
                    .table(Imports::Table)
                    .col(Imports::ProviderId)
                    .col(Imports::IdempotencyKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The worker's scan for work: few imports are ever unfinished.
        manager
            .create_index(
                Index::create()
                    .name("idx_customer_imports_status")
                    .table(Imports::Table)
                    .col(Imports::Status)
                    .col(Imports::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Rows::Table)
                    .col(pk_auto(Rows::Id))
                    .col(integer(Rows::ImportId))
                    .col(integer(Rows::RowIndex))
                    .col(integer(Rows::Line))
                    // The row's columns as uploaded (JSON object).
                    .col(text(Rows::Data))
                    // PENDING, VALID, CREATED, FAILED.
                    .col(string_len(Rows::Status, 16))
                    .col(integer_null(Rows::CustomerId))
                    // JSON array of {code, field, message} (message stored as in the audit log).
                    .col(text_null(Rows::Errors))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Rows::Table, Rows::ImportId)
                            .to(Imports::Table, Imports::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Per-row idempotency: one row per (import, index).
        manager
            .create_index(
                Index::create()
                    .name("idx_customer_import_rows_index")
                    .table(Rows::Table)
                    .col(Rows::ImportId)
                    .col(Rows::RowIndex)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Credentials::Table)
                    .col(pk_auto(Credentials::Id))
                    .col(integer(Credentials::ImportId))
                    .col(integer(Credentials::RowIndex))
                    .col(string_len(Credentials::CompanyName, 200))
                    .col(string_len(Credentials::Domain, 253))
                    .col(string_len(Credentials::AdminUserName, 320))
                    // Plain text until the one download (or the TTL) deletes the row.
                    .col(string_len(Credentials::TemporaryPassword, 64))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Credentials::Table, Credentials::ImportId)
                            .to(Imports::Table, Imports::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_customer_import_credentials_row")
                    .table(Credentials::Table)
                    .col(Credentials::ImportId)
                    .col(Credentials::RowIndex)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Credentials::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Rows::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Imports::Table).to_owned())
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Imports {
    #[sea_orm(iden = "customer_imports")]
    Table,
    Id,
    ProviderId,
    UserId,
    ApiClientId,
    IdempotencyKey,
    ErrorPolicy,
    DryRun,
    Status,
    TotalRows,
    Processed,
    Succeeded,
    Failed,
    Credentials,
    LeaseOwner,
    LeaseExpiresAt,
    CreatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum Rows {
    #[sea_orm(iden = "customer_import_rows")]
    Table,
    Id,
    ImportId,
    RowIndex,
    Line,
    Data,
    Status,
    CustomerId,
    Errors,
}

#[derive(DeriveIden)]
enum Credentials {
    #[sea_orm(iden = "customer_import_credentials")]
    Table,
    Id,
    ImportId,
    RowIndex,
    CompanyName,
    Domain,
    AdminUserName,
    TemporaryPassword,
}
