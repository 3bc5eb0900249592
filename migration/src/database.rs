//! Opening the database the same way in every process (API and worker): SQLite in WAL mode
//! with a busy timeout so writers queue instead of failing, or a PostgreSQL pool whose
//! connections plan each prepared statement once (`PLAN_CACHE_MODE`).

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use sea_orm_migration::sea_orm;
use std::time::Duration;

/// PostgreSQL: every statement is prepared once per connection (sqlx caches them) and, with
/// this, also planned once. Left to itself PostgreSQL plans the product's keyset pages
/// anew on every run (their custom plans look cheaper than the generic one, and are the
/// same plan); planning was about 0.28 ms of the read page's 1.68 ms of database CPU
/// (BENCHMARKS.md, round 3). A `DATABASE_URL` that names `plan_cache_mode` itself
/// (`?options=-c%20plan_cache_mode%3Dauto`), or a `PGOPTIONS` that does, keeps its own.
/// It is sent as a startup parameter (`options`): a pooler in between must accept it
/// (PgBouncer refuses unknown startup parameters unless told to ignore them, and then the
/// mode is PostgreSQL's default).
const PLAN_CACHE_MODE: &str = "plan_cache_mode";

pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    let own_mode = url.to_ascii_lowercase().contains(PLAN_CACHE_MODE)
        || std::env::var("PGOPTIONS")
            .is_ok_and(|o| o.to_ascii_lowercase().contains(PLAN_CACHE_MODE));
    if !own_mode {
        options.map_sqlx_postgres_opts(|o| o.options([(PLAN_CACHE_MODE, "force_generic_plan")]));
    }
    Database::connect(options).await
}

/// Any number for the advisory lock, the same in every process of the product.
const MIGRATION_LOCK: i64 = 7_270_736_900;

/// Applies pending migrations. On PostgreSQL it holds an advisory lock on a dedicated
/// connection, so replicas starting together migrate one after the other.
pub async fn migrate(url: &str) -> Result<(), DbErr> {
    use sea_orm::ConnectionTrait;
    use sea_orm_migration::MigratorTrait;
    let conn = connect(url, 1).await?;
    let postgres = conn.get_database_backend() == sea_orm::DbBackend::Postgres;
    if postgres {
        conn.execute_unprepared(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
            .await?;
    }
    let result = crate::Migrator::up(&conn, None).await;
    if postgres {
        let _ = conn
            .execute_unprepared(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
            .await;
    }
    let _ = conn.close().await;
    result
}

/// Begins a transaction that writes, in every process of the product. On SQLite it takes
/// the write lock at `BEGIN IMMEDIATE`: a transaction that reads, checks and then writes
/// waits its turn instead of failing with a busy snapshot when another write commits in
/// between, and writers run one at a time (SQLite has no row locks; `FOR UPDATE` is
/// dropped there). On PostgreSQL it is a plain `BEGIN`; transactions that check and then
/// write lock the rows they depend on.
pub async fn begin_write<C>(db: &C) -> Result<sea_orm::DatabaseTransaction, DbErr>
where
    C: sea_orm::TransactionTrait<Transaction = sea_orm::DatabaseTransaction>,
{
    db.begin_with_options(sea_orm::TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}
