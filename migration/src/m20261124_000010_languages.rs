//! Languages (issue 14): a user's preferred language, and what the worker needs to render an
//! email at send time in its reader's language (the language and the email's content as
//! JSON; rows written before this keep their stored bodies).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in [
            "ALTER TABLE users ADD COLUMN preferred_language VARCHAR(35) NOT NULL DEFAULT 'en'",
            "ALTER TABLE outbound_emails ADD COLUMN language VARCHAR(35)",
            "ALTER TABLE outbound_emails ADD COLUMN content TEXT",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the languages migration is not reversible".into(),
        ))
    }
}
