//! Audit summaries in the reader's language (issue 14): an entry keeps its message id and
//! arguments beside the English text, and is written in the reader's language when read.
//! Entries written before this have none and read as they were written.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE audit_entries ADD COLUMN summary_message TEXT")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE audit_entries DROP COLUMN summary_message")
            .await?;
        Ok(())
    }
}
