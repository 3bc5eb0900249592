//! The audit log.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Audit::Table)
                    .col(pk_auto(Audit::Id))
                    .col(timestamp_with_time_zone(Audit::OccurredAt))
                    .col(string_len(Audit::RequestId, 64))
                    .col(integer_null(Audit::ActorUserId))
                    .col(integer_null(Audit::ActorPartnerId))
                    .col(string_len(Audit::Action, 64))
                    .col(string_len(Audit::TargetType, 64))
                    .col(string_len(Audit::TargetId, 128))
                    .col(text(Audit::Summary))
                    .col(integer_null(Audit::SubjectPartnerId))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_audit_actor_partner", Audit::ActorPartnerId),
            ("idx_audit_subject_partner", Audit::SubjectPartnerId),
            ("idx_audit_target", Audit::TargetId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Audit::Table)
                        .col(col)
                        .col(Audit::Id)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Audit::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Audit {
    #[sea_orm(iden = "audit_entries")]
    Table,
    Id,
    OccurredAt,
    RequestId,
    ActorUserId,
    ActorPartnerId,
    Action,
    TargetType,
    TargetId,
    Summary,
    SubjectPartnerId,
}
