//! One import worked through, batch by batch. Each batch is one transaction that first
//! renews the lease (so a worker that lost it, or whose import was cancelled, writes
//! nothing), asks whether the one who started the import may still import
//! (`standing`), then creates each customer in a savepoint and records its rows, the
//! counters and a `CUSTOMER_IMPORT_PROGRESS` event.
//!
//! REJECT_EVERYTHING and dry runs first check every customer (writing only the rows'
//! outcomes); REJECT_EVERYTHING then creates all customers in one transaction, so that a
//! customer failing at that point (a domain taken meanwhile) leaves nothing created.

use super::Runner;
use crate::audit::Who;
use crate::auth::Actor;
use crate::customer_imports::creating;
use crate::customer_imports::process::{self, Group, Outcome, Ready, Row};
use crate::customer_imports::standing::{self, Standing};
use crate::customer_imports::store::{self, Counts};
use crate::customers::onboarding::Prepared;
use crate::error::ApiResult;
use entity::customer_import::{self, ErrorPolicy, ImportStatus};
use entity::customer_import_row::{self, RowStatus};
use migration::database::begin_write;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};

/// How a transaction of the holder ended.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    Done,
    /// The import is no longer this worker's to write: cancelled, stopped, or its lease
    /// taken over. Nothing more is written.
    Stopped,
}

impl Runner {
    /// One import, from where it stands to its end.
    pub(super) async fn run(&self, import: customer_import::Model) -> ApiResult<()> {
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
        let groups = process::groups(&rows);
        let mut counts = Counts::of(&rows);
        let check_first = import.dry_run || import.error_policy == ErrorPolicy::RejectEverything;
        let pending: Vec<Group> = groups
            .into_iter()
            .filter(|g| rows[g.start].model.status == RowStatus::Pending)
            .collect();
        for batch in batches(&pending, self.settings.rows_per_batch()) {
            let step = self
                .batch(&import, &rows, batch, check_first, &mut counts)
                .await?;
            if step == Step::Stopped {
                return Ok(());
            }
            if self.settings.batch_pause_ms > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(
                    self.settings.batch_pause_ms,
                ))
                .await;
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
                return self.create_all(&import, &rows, counts).await;
            }
        } else if counts.failed == 0 {
            ImportStatus::Succeeded
        } else if counts.succeeded == 0 {
            ImportStatus::Failed
        } else {
            ImportStatus::PartiallySucceeded
        };
        self.end(&import, status, counts).await
    }

    /// The start of each of the holder's transactions: the lease renewed, then the
    /// starter's standing. `None`: stop (the import ended as CANCELLED if the starter may
    /// no longer import).
    async fn open(
        &self,
        import: &customer_import::Model,
        counts: Counts,
    ) -> ApiResult<Option<(DatabaseTransaction, Box<Actor>, Who)>> {
        let txn = begin_write(&self.db).await?;
        if !store::renew(&txn, import.id, &self.owner, self.lease_end(), counts).await? {
            tracing::info!(
                import = import.id,
                "customer import cancelled or taken over: this worker stops"
            );
            return Ok(None);
        }
        match standing::now(&txn, import).await? {
            Standing::Allowed(actor, who) => Ok(Some((txn, actor, who))),
            Standing::Revoked => {
                tracing::info!(
                    import = import.id,
                    "the starter may no longer import: the import is cancelled"
                );
                let who = standing::who(import);
                store::cancel(&txn, &who, import, counts, self.clock.now()).await?;
                txn.commit().await?;
                self.signal.notify();
                Ok(None)
            }
        }
    }

    async fn batch(
        &self,
        import: &customer_import::Model,
        rows: &[Row],
        batch: &[Group],
        check_only: bool,
        counts: &mut Counts,
    ) -> ApiResult<Step> {
        let Some((txn, actor, who)) = self.open(import, *counts).await? else {
            return Ok(Step::Stopped);
        };
        let mut next = *counts;
        let checked =
            process::check_many(&txn, import.provider_id, import.id, rows, batch, check_only)
                .await?;
        let (mut outcomes, ready) = sorted(batch, checked, check_only);
        outcomes.extend(creating::create_many(&txn, &who, &actor, rows, ready).await?);
        outcomes.sort_by_key(|(group, _)| group.index);
        let recorded: Vec<(Group, &Outcome)> = outcomes.iter().map(|(g, o)| (*g, o)).collect();
        store::outcomes(&txn, import.id, &recorded, &mut next).await?;
        store::renew(&txn, import.id, &self.owner, self.lease_end(), next).await?;
        store::event(&txn, &who, import, next, None).await?;
        txn.commit().await?;
        *counts = next;
        self.signal.notify();
        Ok(Step::Done)
    }

    /// REJECT_EVERYTHING after every customer checked good: all of them, or none.
    async fn create_all(
        &self,
        import: &customer_import::Model,
        rows: &[Row],
        counts: Counts,
    ) -> ApiResult<()> {
        let groups = process::groups(rows);
        let Some((txn, actor, who)) = self.open(import, counts).await? else {
            return Ok(());
        };
        let mut done = Counts::default();
        for chunk in batches(&groups, self.settings.rows_per_batch()) {
            let checked =
                process::check_many(&txn, import.provider_id, import.id, rows, chunk, false)
                    .await?;
            let (mut outcomes, ready) = sorted(chunk, checked, false);
            outcomes.extend(creating::create_many(&txn, &who, &actor, rows, ready).await?);
            outcomes.sort_by_key(|(group, _)| group.index);
            if let Some((group, outcome)) = outcomes
                .iter()
                .find(|(_, o)| matches!(o, Outcome::Failed(_)))
            {
                // Something changed since the check: nothing of this import is kept.
                drop(txn);
                let mut failed = Counts {
                    processed: counts.processed - (group.end - group.start) as i32,
                    ..Counts::default()
                };
                let txn = begin_write(&self.db).await?;
                store::outcome(&txn, import.id, *group, outcome, &mut failed).await?;
                store::renew(&txn, import.id, &self.owner, self.lease_end(), failed).await?;
                txn.commit().await?;
                return self.end(import, ImportStatus::Failed, failed).await;
            }
            let recorded: Vec<(Group, &Outcome)> = outcomes.iter().map(|(g, o)| (*g, o)).collect();
            store::outcomes(&txn, import.id, &recorded, &mut done).await?;
        }
        store::renew(&txn, import.id, &self.owner, self.lease_end(), done).await?;
        store::event(&txn, &who, import, done, Some(ImportStatus::Succeeded)).await?;
        store::finish(&txn, import.id, ImportStatus::Succeeded, self.clock.now()).await?;
        txn.commit().await?;
        self.signal.notify();
        Ok(())
    }

    async fn end(
        &self,
        import: &customer_import::Model,
        status: ImportStatus,
        counts: Counts,
    ) -> ApiResult<()> {
        let Some((txn, _, who)) = self.open(import, counts).await? else {
            return Ok(());
        };
        store::event(&txn, &who, import, counts, Some(status)).await?;
        store::finish(&txn, import.id, status, self.clock.now()).await?;
        txn.commit().await?;
        self.signal.notify();
        tracing::info!(import = import.id, ?status, "customer import finished");
        Ok(())
    }
}

/// The checked customers of a batch: those whose outcome is known (failed, created by an
/// earlier run, or only checked), and those to create.
#[allow(clippy::type_complexity)]
fn sorted(
    groups: &[Group],
    checked: Vec<Ready>,
    check_only: bool,
) -> (Vec<(Group, Outcome)>, Vec<(Group, Box<Prepared>)>) {
    let mut outcomes = Vec::with_capacity(groups.len());
    let mut ready = Vec::new();
    for (group, answer) in groups.iter().zip(checked) {
        match answer {
            Ready::Failed(outcome) => outcomes.push((*group, outcome)),
            Ready::Replay(customer_id) => outcomes.push((*group, replayed(customer_id))),
            Ready::New(_) if check_only => outcomes.push((*group, Outcome::Valid)),
            Ready::New(prepared) => ready.push((*group, prepared)),
        }
    }
    (outcomes, ready)
}

/// Consecutive customers of about `rows` rows each (a customer's rows are never split).
fn batches(groups: &[Group], rows: usize) -> Vec<&[Group]> {
    let mut batches = Vec::new();
    let (mut start, mut size) = (0, 0);
    for (n, group) in groups.iter().enumerate() {
        size += group.end - group.start;
        if size >= rows || n + 1 == groups.len() {
            batches.push(&groups[start..=n]);
            start = n + 1;
            size = 0;
        }
    }
    batches
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

#[cfg(test)]
mod tests {
    use super::*;

    fn group(start: usize, end: usize, index: usize) -> Group {
        Group {
            start,
            end,
            index,
            first: index,
        }
    }

    #[test]
    fn batches_hold_about_their_rows_and_never_split_a_customer() {
        // Customers of 1, 3, 1, 1 and 2 rows.
        let groups = [
            group(0, 1, 0),
            group(1, 4, 1),
            group(4, 5, 2),
            group(5, 6, 3),
            group(6, 8, 4),
        ];
        let sizes =
            |rows| -> Vec<usize> { batches(&groups, rows).iter().map(|b| b.len()).collect() };
        assert_eq!(sizes(2), vec![2, 2, 1]);
        assert_eq!(sizes(1), vec![1, 1, 1, 1, 1]);
        assert_eq!(sizes(100), vec![5]);
        assert!(batches(&[], 10).is_empty());
    }

    #[test]
    fn rows_per_batch_stays_within_its_bounds() {
        let with = |batch_rows| crate::customer_imports::ImportSettings {
            batch_rows,
            ..Default::default()
        };
        assert_eq!(with(0).rows_per_batch(), 1);
        assert_eq!(with(250).rows_per_batch(), 250);
        assert_eq!(
            with(50_000).rows_per_batch(),
            crate::customer_imports::MAX_BATCH_ROWS
        );
    }
}
