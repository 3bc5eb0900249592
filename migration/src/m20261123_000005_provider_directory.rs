//! The public provider directory: logos, live provider profiles, and the profile change
//! (support) requests that alone change them.

use crate::m20261123_000001_accounts::{Partners, Users};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Logos::Table)
                    .col(pk_auto(Logos::Id))
                    .col(string_len(Logos::ContentType, 32))
                    .col(blob(Logos::Bytes))
                    .col(string_len(Logos::Sha256, 64))
                    .col(timestamp_with_time_zone(Logos::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Profiles::Table)
                    .col(integer(Profiles::PartnerId).primary_key())
                    .col(integer_null(Profiles::LogoId))
                    .col(timestamp_with_time_zone(Profiles::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Profiles::Table, Profiles::PartnerId)
                            .to(Partners::Table, Partners::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Profiles::Table, Profiles::LogoId)
                            .to(Logos::Table, Logos::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Locations::Table)
                    .col(integer(Locations::PartnerId))
                    .col(string_len(Locations::Country, 2))
                    .col(string_len(Locations::TargetUrl, 2048))
                    .primary_key(
                        Index::create()
                            .col(Locations::PartnerId)
                            .col(Locations::Country),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Locations::Table, Locations::PartnerId)
                            .to(Partners::Table, Partners::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_provider_locations_country")
                    .table(Locations::Table)
                    .col(Locations::Country)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Requests::Table)
                    .col(pk_auto(Requests::Id))
                    .col(integer(Requests::PartnerId))
                    .col(string_len(Requests::Status, 16))
                    .col(string(Requests::CompanyName))
                    .col(integer_null(Requests::LogoId))
                    .col(text(Requests::Locations))
                    .col(integer(Requests::SubmittedByUserId))
                    .col(timestamp_with_time_zone(Requests::SubmittedAt))
                    .col(timestamp_with_time_zone(Requests::DueBy))
                    .col(timestamp_with_time_zone_null(Requests::ResolvedAt))
                    .col(integer_null(Requests::ResolvedByUserId))
                    .col(text_null(Requests::RejectionReason))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Requests::Table, Requests::PartnerId)
                            .to(Partners::Table, Partners::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Requests::Table, Requests::SubmittedByUserId)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Requests::Table, Requests::LogoId)
                            .to(Logos::Table, Logos::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_profile_requests_queue")
                    .table(Requests::Table)
                    .col(Requests::Status)
                    .col(Requests::DueBy)
                    .to_owned(),
            )
            .await?;
        // At most one open request per provider, decided by the database.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_profile_requests_open ON profile_change_requests (partner_id) \
                 WHERE status IN ('SUBMITTED', 'IN_REVIEW')",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Requests::Table.into_iden(),
            Locations::Table.into_iden(),
            Profiles::Table.into_iden(),
            Logos::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Logos {
    Table,
    Id,
    ContentType,
    Bytes,
    Sha256,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Profiles {
    #[sea_orm(iden = "provider_profiles")]
    Table,
    PartnerId,
    LogoId,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Locations {
    #[sea_orm(iden = "provider_locations")]
    Table,
    PartnerId,
    Country,
    TargetUrl,
}

#[derive(DeriveIden)]
enum Requests {
    #[sea_orm(iden = "profile_change_requests")]
    Table,
    Id,
    PartnerId,
    Status,
    CompanyName,
    LogoId,
    Locations,
    SubmittedByUserId,
    SubmittedAt,
    DueBy,
    ResolvedAt,
    ResolvedByUserId,
    RejectionReason,
}
