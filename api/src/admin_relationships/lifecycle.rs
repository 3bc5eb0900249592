//! What every transition of an admin relationship shares: its audit entry (one per
//! transition, seen by the provider and the reseller), and the consequences of an end for
//! the customer (`worker::delegation::customers`, the same SQL the worker runs).

use crate::audit::{self, Change, Who};
use crate::error::ApiResult;
use crate::graphql::ids::NodeType;
use chrono::{DateTime, Utc};
use entity::admin_relationship::Model;
use entity::event_type::EventType;
use sea_orm::ConnectionTrait;
use worker::delegation::customers;
use worker::i18n::Message;

/// One audit entry for a transition. The entry names the provider as the acting
/// organization when the customer's admin acts (customer users have no organization and
/// read no log; the customer is the provider's tenant), so provider and reseller both see it.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    who: &Who,
    rel: &Model,
    action: EventType,
    summary: Message,
) -> ApiResult<()> {
    audit::record_all(db, vec![change(who, rel, action, summary)]).await
}

/// The audit entry of [`record`], for a caller that records many at once.
pub fn change(who: &Who, rel: &Model, action: EventType, summary: Message) -> (Who, Change) {
    let acting = who.partner_id.or(Some(rel.provider_id));
    let subject = if acting == Some(rel.reseller_id) {
        rel.provider_id
    } else {
        rel.reseller_id
    };
    let who = Who {
        partner_id: acting,
        ..who.clone()
    };
    let change = Change {
        action,
        target: NodeType::AdminRelationship,
        target_id: rel.id,
        summary,
        subject_partner_id: Some(subject),
    };
    (who, change)
}

/// After relationships of `customer_ids` ended: revokes the tenant ownerships they backed
/// (returns those customers) and points the cached reseller at the newest ACTIVE one.
pub async fn after_end<C: ConnectionTrait>(
    db: &C,
    customer_ids: &[i32],
    now: DateTime<Utc>,
) -> ApiResult<Vec<i32>> {
    let revoked = customers::revoke_unbacked_owners(db, customer_ids, now).await?;
    customers::refresh_reseller(db, customer_ids).await?;
    Ok(revoked)
}

/// The cached reseller of `customer_ids` (see `worker::delegation::customers`).
pub async fn refresh_reseller<C: ConnectionTrait>(db: &C, customer_ids: &[i32]) -> ApiResult<()> {
    customers::refresh_reseller(db, customer_ids).await?;
    Ok(())
}

/// Runs `update` with `RETURNING *` and reads the changed rows, on both backends (SeaORM's
/// own `exec_with_returning` is off for SQLite in this build; SQLite has RETURNING since
/// 3.35).
pub async fn update_returning<E, C>(
    db: &C,
    update: sea_orm::UpdateMany<E>,
) -> ApiResult<Vec<E::Model>>
where
    E: sea_orm::EntityTrait,
    C: ConnectionTrait,
{
    use sea_orm::QueryTrait;
    let mut query = update.into_query();
    query.returning_all();
    let statement = db.get_database_backend().build(&query);
    Ok(E::find().from_raw_sql(statement).all(db).await?)
}
