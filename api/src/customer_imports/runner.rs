//! The worker's part: takes one unfinished import whose lease is free (QUEUED, or RUNNING
//! under a lapsed lease: its worker died), and works through its customers in batches.
//! Each batch is one transaction that first renews the lease (so a worker that lost it
//! writes nothing), then creates each customer in a savepoint and records its rows, the
//! counters and a `CUSTOMER_IMPORT_PROGRESS` event. A killed worker's batch rolls back
//! whole; the next holder starts after the last committed one, so no row is done twice.
//!
//! REJECT_EVERYTHING and dry runs first check every customer (writing only the rows'
//! outcomes); REJECT_EVERYTHING then creates all customers in one transaction, so that a
//! customer failing at that point (a domain taken meanwhile) leaves nothing created.

use super::ImportSettings;
use super::process::{self, Group, Outcome, Ready, Row};
use super::store::{self, Counts};
use crate::audit::Who;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::mfa::Clock;
use chrono::{Duration, Utc};
use entity::customer_import::{self, ErrorPolicy, ImportStatus};
use entity::customer_import_row::{self, RowStatus};
use entity::{partner, user};
use futures::future::BoxFuture;
use migration::database::begin_write;
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

    /// One import, from where it stands to its end.
    async fn run(&self, import: customer_import::Model) -> ApiResult<()> {
        let rows: Vec<Row> = customer_import_row::Entity::find()
            .filter(customer_import_row::Column::ImportId.eq(import.id))
            .order_by_asc(customer_import_row::Column::RowIndex)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|model| Row {
                data: serde_json::from_str(&model.data).unwrap_or_default(),
                model,
            })
            .collect();
        let (actor, who) = self.actor(&import).await?;
        let groups = process::groups(&rows);
        let mut counts = Counts::of(&rows);
        let check_first = import.dry_run || import.error_policy == ErrorPolicy::RejectEverything;
        let pending: Vec<Group> = groups
            .into_iter()
            .filter(|g| rows[g.start].model.status == RowStatus::Pending)
            .collect();
        let batch_rows = self.settings.batch_rows.max(1);
        let mut batch: Vec<Group> = Vec::new();
        let mut size = 0;
        for (n, group) in pending.iter().enumerate() {
            batch.push(*group);
            size += group.end - group.start;
            if size >= batch_rows || n + 1 == pending.len() {
                self.batch(
                    &import,
                    &actor,
                    &who,
                    &rows,
                    &batch,
                    check_first,
                    &mut counts,
                )
                .await?;
                batch.clear();
                size = 0;
                if self.settings.batch_pause_ms > 0 {
                    tokio::time::sleep(std::time::Duration::from_millis(
                        self.settings.batch_pause_ms,
                    ))
                    .await;
                }
            }
        }
        let status = if import.dry_run {
            ImportStatus::Validated
        } else if import.error_policy == ErrorPolicy::RejectEverything {
            if counts.failed > 0 {
                // Nothing was created: only the bad rows count, as failed.
                counts.succeeded = 0;
                ImportStatus::Failed
            } else {
                return self.create_all(&import, &actor, &who, &rows, counts).await;
            }
        } else if counts.failed == 0 {
            ImportStatus::Succeeded
        } else if counts.succeeded == 0 {
            ImportStatus::Failed
        } else {
            ImportStatus::PartiallySucceeded
        };
        self.end(&import, &who, status, counts).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn batch(
        &self,
        import: &customer_import::Model,
        actor: &Actor,
        who: &Who,
        rows: &[Row],
        batch: &[Group],
        check_only: bool,
        counts: &mut Counts,
    ) -> ApiResult<()> {
        let txn = begin_write(&self.db).await?;
        if !store::renew(&txn, import.id, &self.owner, self.lease_end(), *counts).await? {
            return Err(lost_lease());
        }
        let mut next = *counts;
        for group in batch {
            let outcome =
                match process::check(&txn, import.provider_id, import.id, rows, *group).await? {
                    Ready::Failed(outcome) => outcome,
                    Ready::Replay(customer_id) => replayed(customer_id),
                    Ready::New(_) if check_only => Outcome::Valid,
                    Ready::New(prepared) => {
                        process::create(&txn, who, actor, rows, *group, &prepared).await?
                    }
                };
            store::outcome(&txn, import.id, *group, &outcome, &mut next).await?;
        }
        store::renew(&txn, import.id, &self.owner, self.lease_end(), next).await?;
        store::event(&txn, who, import, next, None).await?;
        txn.commit().await?;
        *counts = next;
        self.signal.notify();
        Ok(())
    }

    /// REJECT_EVERYTHING after every customer checked good: all of them, or none.
    async fn create_all(
        &self,
        import: &customer_import::Model,
        actor: &Actor,
        who: &Who,
        rows: &[Row],
        counts: Counts,
    ) -> ApiResult<()> {
        let groups = process::groups(rows);
        let txn = begin_write(&self.db).await?;
        if !store::renew(&txn, import.id, &self.owner, self.lease_end(), counts).await? {
            return Err(lost_lease());
        }
        let mut done = Counts::default();
        for group in &groups {
            let outcome =
                match process::check(&txn, import.provider_id, import.id, rows, *group).await? {
                    Ready::New(prepared) => {
                        process::create(&txn, who, actor, rows, *group, &prepared).await?
                    }
                    Ready::Replay(customer_id) => replayed(customer_id),
                    Ready::Failed(outcome) => outcome,
                };
            if let Outcome::Failed(_) = outcome {
                // Something changed since the check: nothing of this import is kept.
                drop(txn);
                let txn = begin_write(&self.db).await?;
                let mut failed = Counts {
                    processed: counts.processed - (group.end - group.start) as i32,
                    ..Counts::default()
                };
                store::outcome(&txn, import.id, *group, &outcome, &mut failed).await?;
                store::renew(&txn, import.id, &self.owner, self.lease_end(), failed).await?;
                txn.commit().await?;
                return self.end(import, who, ImportStatus::Failed, failed).await;
            }
            store::outcome(&txn, import.id, *group, &outcome, &mut done).await?;
        }
        store::renew(&txn, import.id, &self.owner, self.lease_end(), done).await?;
        store::event(&txn, who, import, done, Some(ImportStatus::Succeeded)).await?;
        store::finish(&txn, import.id, ImportStatus::Succeeded, self.clock.now()).await?;
        txn.commit().await?;
        self.signal.notify();
        Ok(())
    }

    async fn end(
        &self,
        import: &customer_import::Model,
        who: &Who,
        status: ImportStatus,
        counts: Counts,
    ) -> ApiResult<()> {
        let txn = begin_write(&self.db).await?;
        if !store::renew(&txn, import.id, &self.owner, self.lease_end(), counts).await? {
            return Err(lost_lease());
        }
        store::event(&txn, who, import, counts, Some(status)).await?;
        store::finish(&txn, import.id, status, self.clock.now()).await?;
        txn.commit().await?;
        self.signal.notify();
        tracing::info!(import = import.id, ?status, "customer import finished");
        Ok(())
    }

    /// The importing user as the caller of `createCustomer` (its organization as it is
    /// now: a provider suspended meanwhile gets `PROVIDER_NOT_ACTIVE` on every row).
    async fn actor(&self, import: &customer_import::Model) -> ApiResult<(Actor, Who)> {
        let user = user::Entity::find_by_id(import.user_id)
            .one(&self.db)
            .await?
            .ok_or(ApiError::NotFound)?;
        let partner = partner::Entity::find_by_id(import.provider_id)
            .one(&self.db)
            .await?;
        let who = Who {
            user_id: import.api_client_id.is_none().then_some(import.user_id),
            partner_id: Some(import.provider_id),
            request_id: format!("customer-import-{}", import.id),
            api_client_id: import.api_client_id,
        };
        let actor = Actor {
            user,
            partner,
            session_id: 0,
            session_expires_at: Utc::now(),
            client: None,
        };
        Ok((actor, who))
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

/// A customer this import created before (its key found): its rows are done.
fn replayed(customer_id: i32) -> Outcome {
    Outcome::Created {
        customer_id,
        credential: None,
        company_name: String::new(),
        domain: String::new(),
    }
}

fn lost_lease() -> ApiError {
    ApiError::Internal(anyhow::anyhow!(
        "the import's lease passed to another worker"
    ))
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
