//! Expiry and extension: one `UPDATE … RETURNING` per step with a guard that a row changed
//! by a concurrent runner no longer matches (PostgreSQL re-checks it after waiting for the
//! row; SQLite runs one writer at a time), and the audit entries of exactly the returned
//! rows, in the same transaction.

use super::customers;
use crate::i18n::{Lang, Message};
use chrono::{DateTime, Utc};
use entity::audit_entry;
use entity::event_type::EventType;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryResult, Statement, Value,
};

/// A changed row: what its audit entry and its customer need.
pub struct Changed {
    pub id: i32,
    pub customer_id: i32,
    pub provider_id: i32,
    pub reseller_id: i32,
}

fn changed(row: &QueryResult) -> Result<Changed, DbErr> {
    Ok(Changed {
        id: row.try_get("", "id")?,
        customer_id: row.try_get("", "customer_id")?,
        provider_id: row.try_get("", "provider_id")?,
        reseller_id: row.try_get("", "reseller_id")?,
    })
}

fn placeholders(backend: DbBackend, n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| match backend {
            DbBackend::Postgres => format!("${i}"),
            _ => "?".to_owned(),
        })
        .collect()
}

/// Runs `sql` (an UPDATE … RETURNING id, customer_id, provider_id, reseller_id).
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    sql: String,
    values: Vec<Value>,
) -> Result<Vec<Changed>, DbErr> {
    db.query_all_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await?
    .iter()
    .map(changed)
    .collect()
}

/// One audit entry per changed row (the provider acting, the reseller its subject, as for
/// every transition of a relationship), and their webhook deliveries.
pub async fn audit<C: ConnectionTrait>(
    db: &C,
    rows: &[Changed],
    action: EventType,
    summary: &Message,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let english = summary.render(Lang::En);
    let stored = summary.stored();
    for batch in rows.chunks(1000) {
        let entries = batch.iter().map(|r| audit_entry::ActiveModel {
            occurred_at: Set(now),
            request_id: Set("worker".into()),
            actor_user_id: Set(None),
            actor_partner_id: Set(Some(r.provider_id)),
            action: Set(action.dotted().into()),
            target_type: Set("AdminRelationship".into()),
            target_id: Set(audit_entry::global_id("AdminRelationship", r.id)),
            summary: Set(english.clone()),
            summary_message: Set(Some(stored.clone())),
            subject_partner_id: Set(Some(r.reseller_id)),
            ..Default::default()
        });
        let insert = audit_entry::Entity::insert_many(entries);
        let mut query = sea_orm::QueryTrait::into_query(insert);
        query.returning_col(audit_entry::Column::Id);
        let backend = db.get_database_backend();
        let ids: Vec<i32> = db
            .query_all_raw(backend.build(&query))
            .await?
            .iter()
            .map(|row| row.try_get::<i32>("", "id"))
            .collect::<Result<_, _>>()?;
        if ids.is_empty() {
            continue;
        }
        audit_entry::fan_out_of(db, &ids).await?;
    }
    Ok(())
}

/// What is due for expiry, with two time placeholders (`$n`).
const DUE: &str = "((status = 'PENDING_APPROVAL' AND approval_expires_at <= $n) \
    OR (status = 'ACTIVE' AND auto_extend = FALSE AND ends_at <= $n))";

/// PostgreSQL: one statement, all inside the database (as the invitation expiry does): the
/// expired rows feed their audit entries, which feed their webhook deliveries; returns the
/// count and the customers concerned. The global id is base64url("AdminRelationship:id")
/// without padding, as `audit_entry::global_id`.
async fn expire_postgres<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<(u64, Vec<i32>), DbErr> {
    let summary = Message::new("audit-admin-relationship-expired");
    let sql = format!(
        "WITH expired AS ( \
           UPDATE admin_relationships SET status = 'EXPIRED', token_hash = NULL \
           WHERE {due} RETURNING id, customer_id, provider_id, reseller_id), \
         audited AS ( \
           INSERT INTO audit_entries (occurred_at, request_id, actor_user_id, actor_partner_id, \
             action, target_type, target_id, summary, summary_message, subject_partner_id) \
           SELECT $1::timestamptz, 'worker', NULL::int, provider_id, $2::text, \
             'AdminRelationship', translate(encode(convert_to('AdminRelationship:' || id, \
             'UTF8'), 'base64'), '+/=', '-_'), $3::text, $4::text, reseller_id \
           FROM expired RETURNING *), \
         delivered AS ({fan_out} RETURNING 1), \
         counted AS (SELECT count(*) AS n FROM audited) \
         SELECT (SELECT n FROM counted) AS n, customer_id FROM expired GROUP BY customer_id \
         UNION ALL SELECT (SELECT n FROM counted), NULL WHERE NOT EXISTS (SELECT 1 FROM expired)",
        due = DUE.replace("$n", "$1::timestamptz"),
        fan_out = audit_entry::fan_out_insert(DbBackend::Postgres, "audited", "TRUE"),
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            [
                Value::from(now),
                EventType::AdminRelationshipExpired.dotted().into(),
                summary.render(Lang::En).into(),
                summary.stored().into(),
            ],
        ))
        .await?;
    let mut expired = 0;
    let mut customer_ids = Vec::new();
    for row in rows {
        expired = row.try_get::<i64>("", "n")? as u64;
        if let Some(id) = row.try_get::<Option<i32>>("", "customer_id")? {
            customer_ids.push(id);
        }
    }
    Ok((expired, customer_ids))
}

/// PENDING_APPROVAL past its approval window and ACTIVE past its end without
/// auto-extension → EXPIRED; returns how many.
pub async fn expire(db: &sea_orm::DatabaseConnection, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let txn = migration::database::begin_write(db).await?;
    let backend = txn.get_database_backend();
    if backend == DbBackend::Postgres {
        let (expired, customer_ids) = expire_postgres(&txn, now).await?;
        txn.commit().await?;
        after_expiry(db, &customer_ids, now).await?;
        return Ok(expired);
    }
    let p = placeholders(backend, 2);
    let sql = format!(
        "UPDATE admin_relationships SET status = 'EXPIRED', token_hash = NULL \
         WHERE {DUE} RETURNING id, customer_id, provider_id, reseller_id",
    )
    .replacen("$n", &p[0], 1)
    .replacen("$n", &p[1], 1);
    let rows = claim(&txn, sql, vec![now.into(), now.into()]).await?;
    audit(
        &txn,
        &rows,
        EventType::AdminRelationshipExpired,
        &Message::new("audit-admin-relationship-expired"),
        now,
    )
    .await?;
    let mut customer_ids: Vec<i32> = rows.iter().map(|r| r.customer_id).collect();
    customer_ids.sort_unstable();
    customer_ids.dedup();
    txn.commit().await?;
    after_expiry(db, &customer_ids, now).await?;
    Ok(rows.len() as u64)
}

/// The customers of expired relationships, in a transaction of their own: the API locks a
/// customer before its relationships (`api::customers::access`), so changing customers in
/// the transaction that holds the relationship rows could deadlock with a reseller's write.
/// Both steps are idempotent; access never depended on them (the relationship's status and
/// end decide it).
async fn after_expiry(
    db: &sea_orm::DatabaseConnection,
    customer_ids: &[i32],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if customer_ids.is_empty() {
        return Ok(());
    }
    let txn = migration::database::begin_write(db).await?;
    customers::revoke_unbacked_owners(&txn, customer_ids, now).await?;
    customers::refresh_reseller(&txn, customer_ids).await?;
    txn.commit().await
}

/// ACTIVE auto-extending relationships at their end get 180 more days; returns how many.
pub async fn extend(db: &sea_orm::DatabaseConnection, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let txn = migration::database::begin_write(db).await?;
    let backend = txn.get_database_backend();
    let p = placeholders(backend, 2);
    // The new end is computed here, per row, from the old one (both backends' date
    // arithmetic differ): read the due rows, then extend each with a guard on its old end.
    let due_sql = format!(
        "SELECT id, ends_at FROM admin_relationships \
         WHERE status = 'ACTIVE' AND auto_extend = TRUE AND ends_at <= {}",
        p[0]
    );
    let due = txn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            due_sql,
            [Value::from(now)],
        ))
        .await?;
    let mut rows = Vec::new();
    for row in due {
        let id: i32 = row.try_get("", "id")?;
        let ends: DateTime<Utc> = row.try_get("", "ends_at")?;
        let mut next = ends;
        while next <= now {
            next += chrono::Duration::days(180);
        }
        let sql = format!(
            "UPDATE admin_relationships SET ends_at = {a}, reminded_days = NULL \
             WHERE id = {id} AND status = 'ACTIVE' AND auto_extend = TRUE AND ends_at <= {b} \
             RETURNING id, customer_id, provider_id, reseller_id",
            a = p[0],
            b = p[1],
        );
        rows.extend(claim(&txn, sql, vec![next.into(), now.into()]).await?);
    }
    audit(
        &txn,
        &rows,
        EventType::AdminRelationshipExtended,
        &Message::new("audit-admin-relationship-extended"),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(rows.len() as u64)
}
