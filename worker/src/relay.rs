//! The outbox relay: finds emails still unsent after their due time (never enqueued because
//! Redis was down, lost with a crashed worker, or waiting for a retry) and enqueues them.
//!
//! Each row is taken with a compare-and-set on `next_attempt_at`, so relays running in
//! several workers at once enqueue a row once; a duplicate job would be harmless anyway
//! (see `delivery`).

use crate::settings::JobSettings;
use chrono::{Duration, Utc};
use entity::enums::DeliveryStatus;
use entity::outbound_email::{self, Column};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// Rows handled per relay run; the next run takes the rest.
const BATCH: u64 = 500;

/// Takes the due rows for enqueueing: each returned id has had its `next_attempt_at` pushed
/// `relay_after_ms` into the future by this caller alone (a conditional update on "still
/// due" is the compare-and-set).
pub async fn take_due<C: ConnectionTrait>(
    db: &C,
    settings: &JobSettings,
) -> Result<Vec<i32>, DbErr> {
    let now = Utc::now();
    let due: Vec<i32> = outbound_email::Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::Status.eq(DeliveryStatus::Queued))
        .filter(Column::NextAttemptAt.lte(now))
        .filter(
            Condition::any()
                .add(Column::LockedUntil.is_null())
                .add(Column::LockedUntil.lt(now)),
        )
        .filter(
            Condition::any()
                .add(Column::RetryAfter.is_null())
                .add(Column::RetryAfter.lte(now)),
        )
        .order_by_asc(Column::NextAttemptAt)
        .limit(BATCH)
        .into_tuple()
        .all(db)
        .await?;
    let later = now + Duration::milliseconds(settings.relay_after_ms as i64);
    let mut taken = Vec::with_capacity(due.len());
    for id in due {
        // Still due means no other relay took it since we looked.
        let won = outbound_email::Entity::update_many()
            .col_expr(Column::NextAttemptAt, Expr::value(later))
            .filter(Column::Id.eq(id))
            .filter(Column::NextAttemptAt.lte(now))
            .filter(Column::Status.eq(DeliveryStatus::Queued))
            .exec(db)
            .await?
            .rows_affected
            == 1;
        if won {
            taken.push(id);
        }
    }
    Ok(taken)
}
