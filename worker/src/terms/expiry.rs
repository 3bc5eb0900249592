//! Term ends without renewal: an ACTIVE subscription whose automatic renewal is off, or a
//! SUSPENDED one (a suspended subscription does not renew), becomes CANCELLED at its term's
//! end, its designations ended as `cancelSubscription` ends them (no partner of record, the
//! provider as support contact). One `UPDATE … RETURNING` per batch; its guard repeats the
//! due condition, so a row another runner already ended is not returned again.

use super::{BATCH, audit, placeholder};
use crate::i18n::Message;
use chrono::{DateTime, Utc};
use entity::event_type::EventType;
use sea_orm::{ConnectionTrait, DbErr, Statement, Value};

/// What is due, with the time as `{now}`.
const DUE: &str = "((status = 'ACTIVE' AND auto_renew = FALSE) OR status = 'SUSPENDED') \
    AND term_ends_at <= {now}";

/// Ends every subscription due at `now`; returns how many.
pub async fn expire(db: &sea_orm::DatabaseConnection, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let mut total = 0;
    loop {
        let ended = expire_batch(db, now).await?;
        total += ended;
        if ended < BATCH as u64 {
            return Ok(total);
        }
    }
}

async fn expire_batch(db: &sea_orm::DatabaseConnection, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let txn = migration::database::begin_write(db).await?;
    let backend = txn.get_database_backend();
    let (a, b, c) = (
        placeholder(backend, 1),
        placeholder(backend, 2),
        placeholder(backend, 3),
    );
    let sql = format!(
        "UPDATE subscriptions SET status = 'CANCELLED', partner_of_record_id = NULL, \
           support_contact_partner_id = (SELECT c.provider_id FROM customers c \
             WHERE c.id = subscriptions.customer_id), updated_at = {a} \
         WHERE id IN (SELECT id FROM subscriptions WHERE {due_inner} ORDER BY id LIMIT {BATCH}) \
           AND {due_outer} \
         RETURNING id, customer_id",
        due_inner = DUE.replace("{now}", &b),
        due_outer = DUE.replace("{now}", &c),
    );
    let rows = txn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [Value::from(now), Value::from(now), Value::from(now)],
        ))
        .await?;
    let mut ended = Vec::with_capacity(rows.len());
    for row in &rows {
        ended.push((
            row.try_get::<i32>("", "id")?,
            row.try_get::<i32>("", "customer_id")?,
        ));
    }
    let customers = audit::customers(&txn, ended.iter().map(|(_, c)| *c)).await?;
    let entries = ended
        .iter()
        .filter_map(|(id, c)| {
            let cust = customers.get(c)?;
            Some((*id, cust, Message::new("audit-subscription-expired")))
        })
        .collect();
    audit::record(&txn, EventType::SubscriptionExpired, entries, now).await?;
    txn.commit().await?;
    Ok(ended.len() as u64)
}
