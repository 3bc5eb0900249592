//! What an ended relationship changes on its customer, for the API and the worker alike:
//! a tenant ownership goes with the last TENANT_OWNER relationship in force of its owner,
//! and the cached `customers.reseller_id` follows the newest ACTIVE relationship.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

fn id_list(ids: &[i32]) -> String {
    ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

/// Clears tenant ownerships no relationship in force backs any more, among `customer_ids`;
/// returns those customers' ids.
pub async fn revoke_unbacked_owners<C: ConnectionTrait>(
    db: &C,
    customer_ids: &[i32],
    now: DateTime<Utc>,
) -> Result<Vec<i32>, DbErr> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let p = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let mut revoked = Vec::new();
    for chunk in customer_ids.chunks(5000) {
        let sql = format!(
            "UPDATE customers SET azure_tenant_owner_id = NULL \
             WHERE id IN ({ids}) AND azure_tenant_owner_id IS NOT NULL AND NOT EXISTS ( \
               SELECT 1 FROM admin_relationships r WHERE r.customer_id = customers.id \
               AND r.reseller_id = customers.azure_tenant_owner_id \
               AND r.roles LIKE '%TENANT_OWNER%' AND r.status = 'ACTIVE' \
               AND (r.auto_extend = TRUE OR r.ends_at > {p})) \
             RETURNING id",
            ids = id_list(chunk)
        );
        for row in db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [Value::from(now)],
            ))
            .await?
        {
            revoked.push(row.try_get::<i32>("", "id")?);
        }
    }
    Ok(revoked)
}

/// `customers.reseller_id` := the reseller of the newest ACTIVE relationship, for
/// `customer_ids`.
pub async fn refresh_reseller<C: ConnectionTrait>(
    db: &C,
    customer_ids: &[i32],
) -> Result<(), DbErr> {
    for chunk in customer_ids.chunks(5000) {
        let sql = format!(
            "UPDATE customers SET reseller_id = ( \
               SELECT r.reseller_id FROM admin_relationships r \
               WHERE r.customer_id = customers.id AND r.status = 'ACTIVE' \
               ORDER BY r.approved_at DESC, r.id DESC LIMIT 1) \
             WHERE id IN ({})",
            id_list(chunk)
        );
        db.execute_raw(Statement::from_string(db.get_database_backend(), sql))
            .await?;
    }
    Ok(())
}
