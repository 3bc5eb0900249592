//! An outbox row keeps the W3C `traceparent` of the request that wrote it, so an email the
//! outbox relay hands to the queue (the push after commit failed or was lost) continues
//! that request's trace as the pushed job would have. Nullable: rows written with traces
//! off, by the worker's own schedules, or before this column existed have none.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "outbound_emails";
const COLUMN: &str = "trace_parent";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new(TABLE))
                    .add_column(ColumnDef::new(Alias::new(COLUMN)).string_len(64).null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new(TABLE))
                    .drop_column(Alias::new(COLUMN))
                    .to_owned(),
            )
            .await
    }
}
