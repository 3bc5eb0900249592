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
