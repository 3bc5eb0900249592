//! The audit entries (events) of the worker's term changes: one per subscription, the
//! provider acting and the customer's reseller its subject (who reads them, and receives
//! them as events and webhooks, is decided as for every subscription change), written with
//! one multi-row insert per batch and their webhook deliveries with one more.

use crate::i18n::{Lang, Message};
use chrono::{DateTime, Utc};
use entity::event_type::EventType;
use entity::{audit_entry, customer};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use std::collections::HashMap;

/// The customers of `customer_ids`, by id (one query).
pub async fn customers<C: ConnectionTrait>(
    db: &C,
    customer_ids: impl IntoIterator<Item = i32>,
) -> Result<HashMap<i32, customer::Model>, DbErr> {
    let mut ids: Vec<i32> = customer_ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut found = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(super::BATCH) {
        for c in customer::Entity::find()
            .filter(customer::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            found.insert(c.id, c);
        }
    }
    Ok(found)
}

/// Records one entry per `(subscription id, customer, summary)`.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    action: EventType,
    entries: Vec<(i32, &customer::Model, Message)>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let mut entries = entries.into_iter().peekable();
    while entries.peek().is_some() {
        let batch: Vec<_> = entries.by_ref().take(super::BATCH).collect();
        let rows = batch.into_iter().map(|(id, cust, summary)| {
            let summary = summary.arg("customer", &cust.company_name);
            audit_entry::ActiveModel {
                occurred_at: Set(now),
                request_id: Set("worker".into()),
                actor_user_id: Set(None),
                actor_partner_id: Set(Some(cust.provider_id)),
                action: Set(action.dotted().into()),
                target_type: Set("Subscription".into()),
                target_id: Set(audit_entry::global_id("Subscription", id)),
                summary: Set(summary.render(Lang::En)),
                summary_message: Set(Some(summary.stored())),
                subject_partner_id: Set(cust.reseller_id),
                ..Default::default()
            }
        });
        let mut query = sea_orm::QueryTrait::into_query(audit_entry::Entity::insert_many(rows));
        query.returning_col(audit_entry::Column::Id);
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
