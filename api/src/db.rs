//! Database connection (SQLite file in embedded mode, PostgreSQL in production) and
//! migrations.

use crate::settings::Settings;
use migration::{Migrator, MigratorTrait};
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

pub async fn connect(settings: &Settings) -> Result<DatabaseConnection, DbSetupError> {
    if settings.is_embedded() {
        std::fs::create_dir_all(&settings.data_dir).map_err(|source| DbSetupError::DataDir {
            path: settings.data_dir.display().to_string(),
            source,
        })?;
    }
    let max = if settings.is_embedded() { 8 } else { 20 };
    migration::database::connect(&settings.database_url(), max)
        .await
        .map_err(DbSetupError::Connect)
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbSetupError> {
    Migrator::up(db, None).await.map_err(DbSetupError::Migrate)
}
