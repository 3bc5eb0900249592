//! Hardening (issues 10 and 11):
//! - `rate_limit_hits` replaces `login_failures`: one table for every rate limit;
//! - `outbound_emails.claim_id`: a sender's result is written only under its own claim;
//! - `users.deactivated_at`: a removed user keeps its row, so history stays attributable;
//! - lookup indexes for unfiltered partnership lists, session and email retention;
//! - foreign keys that were missing. PostgreSQL adds them in place; SQLite cannot add a
//!   foreign key to an existing table, so those tables are rebuilt with it (SQLite's
//!   documented twelve-step procedure, with foreign key enforcement off while it runs).

use sea_orm_migration::SchemaManagerConnection;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, column, referenced table) of each foreign key added.
const FOREIGN_KEYS: &[(&str, &str, &str)] = &[
    ("users", "customer_id", "customers"),
    ("orders", "on_behalf_of_reseller_id", "partners"),
    ("customers", "azure_tenant_owner_id", "partners"),
    ("customer_relationship_requests", "provider_id", "partners"),
    (
        "customer_relationship_requests",
        "created_by_user_id",
        "users",
    ),
];

const INDEXES: &[(&str, &str, &str)] = &[
    (
        "idx_partnerships_provider",
        "partnerships",
        "provider_id, id",
    ),
    ("idx_sessions_expires", "sessions", "expires_at"),
    (
        "idx_outbound_emails_sent",
        "outbound_emails",
        "status, sent_at",
    ),
    (
        "idx_rate_limit_hits",
        "rate_limit_hits",
        "bucket, \"key\", \"at\"",
    ),
    ("idx_rate_limit_hits_at", "rate_limit_hits", "\"at\""),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        let (id, timestamp) = if postgres {
            ("BIGSERIAL PRIMARY KEY", "TIMESTAMPTZ")
        } else {
            (
                "INTEGER PRIMARY KEY AUTOINCREMENT",
                "timestamp_with_timezone_text",
            )
        };
        db.execute_unprepared(&format!(
            "CREATE TABLE rate_limit_hits (id {id}, bucket VARCHAR(32) NOT NULL, \
             \"key\" VARCHAR(255) NOT NULL, \"at\" {timestamp} NOT NULL)"
        ))
        .await?;
        db.execute_unprepared("DROP TABLE login_failures").await?;
        db.execute_unprepared("ALTER TABLE outbound_emails ADD COLUMN claim_id VARCHAR(36)")
            .await?;
        db.execute_unprepared(&format!(
            "ALTER TABLE users ADD COLUMN deactivated_at {timestamp}"
        ))
        .await?;
        for (name, table, columns) in INDEXES {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON {table} ({columns})"))
                .await?;
        }
        if postgres {
            for (table, column, target) in FOREIGN_KEYS {
                db.execute_unprepared(&format!(
                    "ALTER TABLE {table} ADD CONSTRAINT fk_{table}_{column} \
                     FOREIGN KEY ({column}) REFERENCES {target} (id)"
                ))
                .await?;
            }
        } else {
            sqlite_add_foreign_keys(db).await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the hardening migration is not reversible".into(),
        ))
    }
}

/// Rebuilds each SQLite table of [`FOREIGN_KEYS`] with its foreign keys added to its own
/// `CREATE TABLE` text, copying the rows and re-creating its indexes.
async fn sqlite_add_foreign_keys(db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    // Off while tables are dropped and renamed, or dropping one would cascade into others.
    db.execute_unprepared("PRAGMA foreign_keys = OFF").await?;
    let mut tables: Vec<&str> = FOREIGN_KEYS.iter().map(|(t, _, _)| *t).collect();
    tables.dedup();
    let result = async {
        db.execute_unprepared("BEGIN").await?;
        for table in tables {
            let clauses: String = FOREIGN_KEYS
                .iter()
                .filter(|(t, _, _)| *t == table)
                .map(|(_, column, target)| {
                    format!(", FOREIGN KEY (\"{column}\") REFERENCES \"{target}\" (\"id\")")
                })
                .collect();
            let create = sqlite_schema(db, "table", table).await?;
            let create = create
                .first()
                .ok_or_else(|| DbErr::Migration(format!("no table {table}")))?;
            let close = create
                .rfind(')')
                .ok_or_else(|| DbErr::Migration(format!("unexpected schema of {table}")))?;
            let rebuilt = format!(
                "CREATE TABLE \"{table}__rebuilt\"{}{clauses})",
                &create[create.find('(').unwrap_or(0)..close]
            );
            let indexes = sqlite_schema(db, "index", table).await?;
            db.execute_unprepared(&rebuilt).await?;
            db.execute_unprepared(&format!(
                "INSERT INTO \"{table}__rebuilt\" SELECT * FROM \"{table}\""
            ))
            .await?;
            db.execute_unprepared(&format!("DROP TABLE \"{table}\""))
                .await?;
            db.execute_unprepared(&format!(
                "ALTER TABLE \"{table}__rebuilt\" RENAME TO \"{table}\""
            ))
            .await?;
            for index in indexes {
                db.execute_unprepared(&index).await?;
            }
        }
        let broken = db
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA foreign_key_check",
            ))
            .await?;
        if !broken.is_empty() {
            return Err(DbErr::Migration(format!(
                "{} rows break the new foreign keys",
                broken.len()
            )));
        }
        db.execute_unprepared("COMMIT").await?;
        Ok(())
    }
    .await;
    if result.is_err() {
        let _ = db.execute_unprepared("ROLLBACK").await;
    }
    db.execute_unprepared("PRAGMA foreign_keys = ON").await?;
    result
}

/// The `CREATE` statements of a table (`kind` "table") or of its explicit indexes
/// (`kind` "index").
async fn sqlite_schema(
    db: &SchemaManagerConnection<'_>,
    kind: &str,
    table: &str,
) -> Result<Vec<String>, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "SELECT sql FROM sqlite_master WHERE type = ? AND tbl_name = ? AND sql IS NOT NULL",
            [kind.into(), table.into()],
        ))
        .await?;
    rows.iter()
        .map(|row| row.try_get::<String>("", "sql"))
        .collect()
}
