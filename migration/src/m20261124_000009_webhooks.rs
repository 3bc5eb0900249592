//! Events and webhooks (issue 12): endpoints per organization and the delivery outbox.
//! Deliveries are queued in the transaction of the change (see `entity::audit_entry`) and
//! claimed by workers through `idx_webhook_deliveries_due`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Endpoints::Table)
                    .col(pk_auto(Endpoints::Id))
                    .col(integer(Endpoints::PartnerId))
                    .col(string_len(Endpoints::Url, 2048))
                    .col(string_len_null(Endpoints::Description, 500))
                    .col(text(Endpoints::EventTypes))
                    .col(string_len(Endpoints::Secret, 128))
                    .col(string_len_null(Endpoints::PreviousSecret, 128))
                    .col(timestamp_with_time_zone_null(
                        Endpoints::PreviousSecretExpiresAt,
                    ))
                    .col(boolean(Endpoints::Enabled))
                    .col(string_len_null(Endpoints::DisabledReason, 500))
                    .col(timestamp_with_time_zone_null(Endpoints::FailingSince))
                    .col(integer(Endpoints::CreatedByUserId))
                    .col(timestamp_with_time_zone(Endpoints::CreatedAt))
                    .col(timestamp_with_time_zone(Endpoints::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Endpoints::Table, Endpoints::PartnerId)
                            .to(Alias::new("partners"), Alias::new("id")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Endpoints::Table, Endpoints::CreatedByUserId)
                            .to(Alias::new("users"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_endpoints_partner")
                    .table(Endpoints::Table)
                    .col(Endpoints::PartnerId)
                    .col(Endpoints::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Deliveries::Table)
                    .col(pk_auto(Deliveries::Id))
                    .col(integer(Deliveries::EndpointId))
                    .col(integer(Deliveries::AuditEntryId))
                    .col(string_len(Deliveries::Status, 16))
                    .col(integer(Deliveries::Attempts))
                    .col(integer_null(Deliveries::ResponseStatus))
                    .col(string_len_null(Deliveries::LastError, 1000))
                    .col(timestamp_with_time_zone(Deliveries::CreatedAt))
                    .col(timestamp_with_time_zone(Deliveries::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(Deliveries::LockedUntil))
                    .col(string_len_null(Deliveries::ClaimId, 36))
                    .col(timestamp_with_time_zone_null(Deliveries::DeliveredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Deliveries::Table, Deliveries::EndpointId)
                            .to(Endpoints::Table, Endpoints::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Deliveries::Table, Deliveries::AuditEntryId)
                            .to(Alias::new("audit_entries"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            // One delivery per event and endpoint: fan-out is idempotent.
            (
                "uq_webhook_deliveries_event",
                vec![Deliveries::EndpointId, Deliveries::AuditEntryId],
                true,
            ),
            (
                "idx_webhook_deliveries_due",
                vec![Deliveries::Status, Deliveries::NextAttemptAt],
                false,
            ),
            (
                "idx_webhook_deliveries_endpoint",
                vec![Deliveries::EndpointId, Deliveries::Id],
                false,
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Deliveries::Table);
            for col in cols {
                index.col(col);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Deliveries::Table.into_iden(), Endpoints::Table.into_iden()] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Endpoints {
    #[sea_orm(iden = "webhook_endpoints")]
    Table,
    Id,
    PartnerId,
    Url,
    Description,
    EventTypes,
    Secret,
    PreviousSecret,
    PreviousSecretExpiresAt,
    Enabled,
    DisabledReason,
    FailingSince,
    CreatedByUserId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Deliveries {
    #[sea_orm(iden = "webhook_deliveries")]
    Table,
    Id,
    EndpointId,
    AuditEntryId,
    Status,
    Attempts,
    ResponseStatus,
    LastError,
    CreatedAt,
    NextAttemptAt,
    LockedUntil,
    ClaimId,
    DeliveredAt,
}
