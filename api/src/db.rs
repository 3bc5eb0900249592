//! Database connection (SQLite file in embedded mode, PostgreSQL in production) and
//! migrations.

use crate::settings::Settings;
use sea_orm::{DatabaseConnection, DbErr};

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("creating the data directory {path}")]
    DataDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("connecting to the database")]
    Connect(#[source] DbErr),
    #[error("running migrations")]
    Migrate(#[source] DbErr),
}

/// Embedded mode keeps its SQLite file in `data_dir`: make sure it exists.
fn ensure_data_dir(settings: &Settings) -> Result<(), DbSetupError> {
    if settings.is_embedded() {
        std::fs::create_dir_all(&settings.data_dir).map_err(|source| DbSetupError::DataDir {
            path: settings.data_dir.display().to_string(),
            source,
        })?;
    }
    Ok(())
}

pub async fn connect(settings: &Settings) -> Result<DatabaseConnection, DbSetupError> {
    ensure_data_dir(settings)?;
    let max = if settings.is_embedded() { 8 } else { 20 };
    migration::database::connect(&settings.database_url(), max)
        .await
        .map_err(DbSetupError::Connect)
}

pub async fn migrate(settings: &Settings) -> Result<(), DbSetupError> {
    ensure_data_dir(settings)?;
    migration::database::migrate(&settings.database_url())
        .await
        .map_err(DbSetupError::Migrate)
}

/// Inserts `rows` in one statement and reads them back in their order, on both backends
/// (`RETURNING *`; SeaORM's own returning is off for SQLite in this build). One statement
/// takes ids row by row in VALUES order, so the rows sorted by `id` are in `rows`' order
/// (Django's `bulk_create` relies on the same).
pub async fn insert_many_returning<A, C>(
    db: &C,
    rows: Vec<A>,
    id: impl Fn(&<A::Entity as sea_orm::EntityTrait>::Model) -> i32,
) -> Result<Vec<<A::Entity as sea_orm::EntityTrait>::Model>, DbErr>
where
    A: sea_orm::ActiveModelTrait,
    C: sea_orm::ConnectionTrait,
{
    use sea_orm::{EntityTrait, QueryTrait};
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut insert = A::Entity::insert_many(rows).into_query();
    insert.returning_all();
    let statement = db.get_database_backend().build(&insert);
    let mut models = A::Entity::find().from_raw_sql(statement).all(db).await?;
    models.sort_by_key(|m| id(m));
    Ok(models)
}
