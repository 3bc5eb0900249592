//! Creating the checked customers of a batch: all at once (`onboarding::write_many`), or
//! one by one, each in its own savepoint, when something changed since the check and the
//! batch as a whole is refused.

use super::process::{Group, Outcome, Row, failed, placed};
use crate::audit::Who;
use crate::auth::Actor;
use crate::customers::onboarding::{self, Prepared};
use crate::error::{ApiError, ApiResult};
use sea_orm::{DatabaseTransaction, TransactionTrait};

/// Writes a batch's checked customers in one go (`write_many`, a dozen statements for the
/// batch) in a savepoint of `txn`. When that is refused (something changed since the
/// check), it writes them one by one to find which fail, so the others are kept.
pub async fn create_many(
    txn: &DatabaseTransaction,
    who: &Who,
    actor: &Actor,
    rows: &[Row],
    ready: Vec<(Group, Box<Prepared>)>,
) -> ApiResult<Vec<(Group, Outcome)>> {
    if ready.is_empty() {
        return Ok(Vec::new());
    }
    let savepoint = txn.begin().await?;
    let prepared: Vec<&Prepared> = ready.iter().map(|(_, p)| p.as_ref()).collect();
    match onboarding::write_many(&savepoint, who, actor, &prepared).await {
        Ok(created) => {
            savepoint.commit().await?;
            Ok(ready
                .iter()
                .zip(created)
                .map(|((group, _), created)| (*group, created_outcome(created)))
                .collect())
        }
        Err(ApiError::User(_)) => {
            savepoint.rollback().await?;
            let mut outcomes = Vec::with_capacity(ready.len());
            for (group, prepared) in &ready {
                let outcome = create(txn, who, actor, rows, *group, prepared).await?;
                outcomes.push((*group, outcome));
            }
            Ok(outcomes)
        }
        Err(e) => Err(e),
    }
}

fn created_outcome(created: onboarding::Created) -> Outcome {
    Outcome::Created {
        customer_id: created.customer.id,
        credential: created
            .temporary_password
            .map(|p| (created.admin_user_name.clone(), p)),
        company_name: created.customer.company_name,
        domain: created.customer.domain,
    }
}

/// Writes a checked customer in a savepoint of `txn`, so that its failure (a domain taken
/// since, a reseller no longer a partner) leaves the batch's other customers.
pub async fn create(
    txn: &DatabaseTransaction,
    who: &Who,
    actor: &Actor,
    rows: &[Row],
    group: Group,
    prepared: &Prepared,
) -> ApiResult<Outcome> {
    let savepoint = txn.begin().await?;
    match onboarding::write(&savepoint, who, actor, prepared).await {
        Ok(created) => {
            savepoint.commit().await?;
            Ok(created_outcome(created))
        }
        Err(ApiError::User(e)) => {
            savepoint.rollback().await?;
            Ok(failed(rows, group, vec![placed(group, e)]))
        }
        Err(e) => Err(e),
    }
}
