//! Writing an import's progress: each customer's rows (one statement per customer that was
//! created or checked, one per failed row), the created admins' temporary passwords (until
//! their one download), the counters with the lease renewed, and the events.

use super::process::{Group, Outcome, Row};
use crate::audit::{self, Change, Who};
use crate::error::ApiResult;
use crate::graphql::ids::NodeType;
use crate::graphql::user_error::UserError;
use chrono::{DateTime, Utc};
use entity::customer_import::{self, CredentialsState, ImportStatus};
use entity::customer_import_credential;
use entity::customer_import_row::{self, RowStatus};
use entity::event_type::EventType;
use sea_orm::sea_query::{CaseStatement, Expr};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use worker::msg;

/// Rows processed, created and failed so far (in memory: only the lease holder writes).
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub processed: i32,
    pub succeeded: i32,
    pub failed: i32,
}

impl Counts {
    pub fn of(rows: &[Row]) -> Self {
        let mut counts = Self::default();
        for row in rows {
            match row.model.status {
                RowStatus::Pending => {}
                RowStatus::Valid | RowStatus::Created => {
                    counts.processed += 1;
                    counts.succeeded += 1;
                }
                RowStatus::Failed => {
                    counts.processed += 1;
                    counts.failed += 1;
                }
            }
        }
        counts
    }
}

/// Renews the lease (the first statement of every transaction of the holder: on PostgreSQL
/// it locks the import row until commit, so a worker taking a lapsed lease waits and then
/// finds what this one wrote) and writes the counters. False: the lease is someone else's,
/// or the import was cancelled.
pub async fn renew<C: ConnectionTrait>(
    db: &C,
    import_id: i32,
    owner: &str,
    until: DateTime<Utc>,
    counts: Counts,
) -> ApiResult<bool> {
    let done = customer_import::Entity::update_many()
        .col_expr(customer_import::Column::LeaseExpiresAt, Expr::value(until))
        .col_expr(
            customer_import::Column::Processed,
            Expr::value(counts.processed),
        )
        .col_expr(
            customer_import::Column::Succeeded,
            Expr::value(counts.succeeded),
        )
        .col_expr(customer_import::Column::Failed, Expr::value(counts.failed))
        .filter(customer_import::Column::Id.eq(import_id))
        .filter(customer_import::Column::LeaseOwner.eq(owner))
        .filter(customer_import::Column::Status.eq(ImportStatus::Running))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

fn errors_json(errors: &[&UserError]) -> String {
    let list: Vec<_> = errors
        .iter()
        .map(|e| {
            json!({
                "code": e.code.as_str(),
                "field": e.field,
                "message": e.message.stored(),
            })
        })
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// Records one customer's outcome on its rows; counts it.
pub async fn outcome<C: ConnectionTrait>(
    db: &C,
    import_id: i32,
    group: Group,
    outcome: &Outcome,
    counts: &mut Counts,
) -> ApiResult<()> {
    outcomes(db, import_id, &[(group, outcome)], counts).await
}

/// Records the outcomes of a batch's customers on their rows and counts them: one
/// statement for the valid, two for the created (their rows, their passwords), one per
/// failed row (each has its own errors).
pub async fn outcomes<C: ConnectionTrait>(
    db: &C,
    import_id: i32,
    outcomes: &[(Group, &Outcome)],
    counts: &mut Counts,
) -> ApiResult<()> {
    let rows_of = |kind: fn(&Outcome) -> bool| -> Vec<i32> {
        outcomes
            .iter()
            .filter(|(_, o)| kind(o))
            .flat_map(|(g, _)| (g.start as i32)..(g.end as i32))
            .collect()
    };
    let rows = |indexes: Vec<i32>| {
        customer_import_row::Entity::update_many()
            .filter(customer_import_row::Column::ImportId.eq(import_id))
            .filter(customer_import_row::Column::RowIndex.is_in(indexes))
    };
    let valid = rows_of(|o| matches!(o, Outcome::Valid));
    if !valid.is_empty() {
        rows(valid)
            .col_expr(
                customer_import_row::Column::Status,
                Expr::value(RowStatus::Valid),
            )
            .exec(db)
            .await?;
    }
    let created = rows_of(|o| matches!(o, Outcome::Created { .. }));
    if !created.is_empty() {
        let mut customer_of = CaseStatement::new();
        let mut credentials = Vec::new();
        for (group, outcome) in outcomes {
            let Outcome::Created {
                customer_id,
                credential,
                company_name,
                domain,
            } = outcome
            else {
                continue;
            };
            customer_of = customer_of.case(
                customer_import_row::Column::RowIndex
                    .between(group.start as i32, group.end as i32 - 1),
                *customer_id,
            );
            if let Some((admin, password)) = credential {
                credentials.push(customer_import_credential::ActiveModel {
                    import_id: Set(import_id),
                    row_index: Set(group.start as i32),
                    company_name: Set(company_name.clone()),
                    domain: Set(domain.clone()),
                    admin_user_name: Set(admin.clone()),
                    temporary_password: Set(password.clone()),
                    ..Default::default()
                });
            }
        }
        rows(created)
            .col_expr(
                customer_import_row::Column::Status,
                Expr::value(RowStatus::Created),
            )
            .col_expr(customer_import_row::Column::CustomerId, customer_of.into())
            .exec(db)
            .await?;
        if !credentials.is_empty() {
            customer_import_credential::Entity::insert_many(credentials)
                .exec_without_returning(db)
                .await?;
        }
    }
    for (group, outcome) in outcomes {
        let n = (group.end - group.start) as i32;
        counts.processed += n;
        let Outcome::Failed(errors) = outcome else {
            counts.succeeded += n;
            continue;
        };
        counts.failed += n;
        for i in group.start..group.end {
            let mine: Vec<&UserError> = errors
                .iter()
                .filter(|(r, _)| *r == i)
                .map(|(_, e)| e)
                .collect();
            customer_import_row::Entity::update_many()
                .col_expr(
                    customer_import_row::Column::Status,
                    Expr::value(RowStatus::Failed),
                )
                .col_expr(
                    customer_import_row::Column::Errors,
                    Expr::value(errors_json(&mine)),
                )
                .filter(customer_import_row::Column::ImportId.eq(import_id))
                .filter(customer_import_row::Column::RowIndex.eq(i as i32))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

/// The event of a batch or of the end.
pub async fn event<C: ConnectionTrait>(
    db: &C,
    who: &Who,
    import: &customer_import::Model,
    counts: Counts,
    finished: Option<ImportStatus>,
) -> ApiResult<()> {
    let (action, summary) = match finished {
        None => (
            EventType::CustomerImportProgress,
            msg!(
                "audit-customer-import-progress",
                processed = counts.processed,
                total = import.total_rows
            ),
        ),
        Some(status) => (
            EventType::CustomerImportFinished,
            msg!(
                "audit-customer-import-finished",
                status = status.to_value(),
                succeeded = counts.succeeded,
                failed = counts.failed
            ),
        ),
    };
    audit::record(
        db,
        who,
        Change {
            action,
            target: NodeType::CustomerImport,
            target_id: import.id,
            summary,
            subject_partner_id: None,
        },
    )
    .await
}

/// The end: status, time, whether passwords wait for download; the lease is released.
pub async fn finish<C: ConnectionTrait>(
    db: &C,
    import_id: i32,
    status: ImportStatus,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let waiting = customer_import_credential::Entity::find()
        .filter(customer_import_credential::Column::ImportId.eq(import_id))
        .one(db)
        .await?
        .is_some();
    let credentials = if waiting {
        CredentialsState::Available
    } else {
        CredentialsState::None
    };
    customer_import::Entity::update_many()
        .col_expr(customer_import::Column::Status, Expr::value(status))
        .col_expr(customer_import::Column::FinishedAt, Expr::value(now))
        .col_expr(
            customer_import::Column::Credentials,
            Expr::value(credentials),
        )
        .col_expr(
            customer_import::Column::LeaseOwner,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            customer_import::Column::LeaseExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(customer_import::Column::Id.eq(import_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The end of an import stopped before its end: CANCELLED, with its event. The caller has
/// already moved it out of QUEUED or RUNNING (or holds its lease).
pub async fn cancel<C: ConnectionTrait>(
    db: &C,
    who: &Who,
    import: &customer_import::Model,
    counts: Counts,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    event(db, who, import, counts, Some(ImportStatus::Cancelled)).await?;
    finish(db, import.id, ImportStatus::Cancelled, now).await
}
