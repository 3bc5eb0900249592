//! The worker's part: takes one unfinished import whose lease is free (QUEUED, or RUNNING
//! under a lapsed lease: its worker died), and works through its customers in batches
//! (`batches`). A killed worker's batch rolls back whole; the next holder starts after the
//! last committed one, so no row is done twice. Also erases temporary passwords nobody
//! downloaded in time.

mod batches;

use super::ImportSettings;
use crate::error::{ApiError, ApiResult};
use crate::mfa::Clock;
use chrono::{Duration, Utc};
use entity::customer_import::{self, ImportStatus};
use futures::future::BoxFuture;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use worker::signal::EventSignal;

pub struct Runner {
    db: DatabaseConnection,
    settings: ImportSettings,
    signal: EventSignal,
    /// The credentials' lifetime is measured on this clock (tests move it).
    clock: Clock,
    /// This process's name on the leases it holds.
    owner: String,
    /// When expired credentials were last looked for.
    swept: std::sync::Mutex<Option<std::time::Instant>>,
}

impl Runner {
    pub fn new(
        db: DatabaseConnection,
        settings: ImportSettings,
        signal: EventSignal,
        clock: Clock,
    ) -> Self {
        Self {
            db,
            settings,
            signal,
            clock,
            owner: format!("worker-{}", uuid::Uuid::new_v4().simple()),
            swept: std::sync::Mutex::new(None),
        }
    }

    fn lease_end(&self) -> chrono::DateTime<Utc> {
        Utc::now() + Duration::seconds(self.settings.lease_seconds.max(1))
    }

    /// Takes the oldest unfinished import whose lease is free (or already this process's).
    async fn claim(&self) -> ApiResult<Option<customer_import::Model>> {
        let now = Utc::now();
        let free = Condition::any()
            .add(customer_import::Column::LeaseExpiresAt.is_null())
            .add(customer_import::Column::LeaseExpiresAt.lt(now))
            .add(customer_import::Column::LeaseOwner.eq(self.owner.clone()));
        let open = [ImportStatus::Queued, ImportStatus::Running];
        let Some(id) = customer_import::Entity::find()
            .select_only()
            .column(customer_import::Column::Id)
            .filter(customer_import::Column::Status.is_in(open))
            .filter(free.clone())
            .order_by_asc(customer_import::Column::Id)
            .into_tuple::<i32>()
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        // The conditions again in the update: of two workers that picked the same import,
        // the second finds the lease taken (PostgreSQL re-reads the row it waited for).
        let taken = customer_import::Entity::update_many()
            .col_expr(
                customer_import::Column::LeaseOwner,
                Expr::value(self.owner.clone()),
            )
            .col_expr(
                customer_import::Column::LeaseExpiresAt,
                Expr::value(self.lease_end()),
            )
            .col_expr(
                customer_import::Column::Status,
                Expr::value(ImportStatus::Running),
            )
            .filter(customer_import::Column::Id.eq(id))
            .filter(customer_import::Column::Status.is_in(open))
            .filter(free)
            .exec(&self.db)
            .await?;
        if taken.rows_affected != 1 {
            return Ok(None);
        }
        Ok(customer_import::Entity::find_by_id(id)
            .one(&self.db)
            .await?)
    }

    /// Temporary passwords nobody downloaded in time are erased.
    async fn erase_expired(&self) -> ApiResult<bool> {
        {
            let mut swept = self.swept.lock().unwrap_or_else(|e| e.into_inner());
            let every = std::time::Duration::from_secs(self.settings.sweep_interval_seconds);
            if swept.is_some_and(|at| at.elapsed() < every) {
                return Ok(false);
            }
            *swept = Some(std::time::Instant::now());
        }
        super::credentials::erase_expired(
            &self.db,
            self.clock.now() - Duration::hours(self.settings.credentials_ttl_hours),
        )
        .await
    }
}

impl worker::runtime::extension::Extension for Runner {
    fn name(&self) -> &'static str {
        "customer-imports"
    }

    fn idle(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.settings.poll_interval_ms.max(10))
    }

    fn woken(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.settings.wake.notified())
    }

    fn pass(&self) -> BoxFuture<'_, anyhow::Result<bool>> {
        Box::pin(async move {
            let erased = self.erase_expired().await.map_err(anyhow_of)?;
            let Some(import) = self.claim().await.map_err(anyhow_of)? else {
                return Ok(erased);
            };
            tracing::info!(import = import.id, "customer import taken");
            self.run(import).await.map_err(anyhow_of)?;
            Ok(true)
        })
    }
}

fn anyhow_of(e: ApiError) -> anyhow::Error {
    match e {
        ApiError::Internal(e) => e,
        other => anyhow::anyhow!("{other:?}"),
    }
}
