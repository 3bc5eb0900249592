//! A subscription's current term is required (issue 24's columns, added nullable because
//! SQLite cannot add a NOT NULL column without a constant default). The product always
//! writes them, but a row inserted by other means without them made every page showing
//! it answer INTERNAL. Rows left without a term get one as migration 000018 gave them;
//! then PostgreSQL refuses a missing term with NOT NULL, and SQLite with triggers (it
//! cannot add a constraint to an existing column).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: [&str; 2] = [
    "CREATE TRIGGER subscriptions_term_required_insert BEFORE INSERT ON subscriptions \
     WHEN NEW.term_started_at IS NULL OR NEW.term_ends_at IS NULL \
     BEGIN SELECT RAISE(ABORT, 'NOT NULL constraint failed: subscriptions.term_started_at, subscriptions.term_ends_at'); END",
    "CREATE TRIGGER subscriptions_term_required_update \
     BEFORE UPDATE OF term_started_at, term_ends_at ON subscriptions \
     WHEN NEW.term_started_at IS NULL OR NEW.term_ends_at IS NULL \
     BEGIN SELECT RAISE(ABORT, 'NOT NULL constraint failed: subscriptions.term_started_at, subscriptions.term_ends_at'); END",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        super::m20261206_000018_terms::fill_terms(db, true).await?;
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "ALTER TABLE subscriptions ALTER COLUMN term_started_at SET NOT NULL, \
                     ALTER COLUMN term_ends_at SET NOT NULL",
                )
                .await?;
            }
            _ => {
                for sql in SQLITE_UP {
                    db.execute_unprepared(sql).await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "ALTER TABLE subscriptions ALTER COLUMN term_started_at DROP NOT NULL, \
                     ALTER COLUMN term_ends_at DROP NOT NULL",
                )
                .await?;
            }
            _ => {
                for name in [
                    "subscriptions_term_required_insert",
                    "subscriptions_term_required_update",
                ] {
                    db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}"))
                        .await?;
                }
            }
        }
        Ok(())
    }
}
