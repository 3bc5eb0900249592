//! The outbox relay: finds emails still unsent after their due time (never enqueued because
//! Redis was down, lost with a crashed worker, or waiting for a retry) and enqueues them.
//!
//! Rows are taken with one conditional update that pushes their `next_attempt_at` forward
//! and returns their ids, so relays running in several workers at once enqueue a row once
//! per round; a duplicate job would be harmless anyway (see `delivery`).

use crate::settings::JobSettings;
use chrono::{Duration, Utc};
use entity::enums::DeliveryStatus;
use entity::outbound_email::{self, Column};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DbErr, Iden};

/// Takes up to `relay_batch` due rows for enqueueing (the next pass takes the rest), each
/// with the `traceparent` of the request that wrote it. Each returned id has had its
/// `next_attempt_at` pushed `relay_after_ms` into the future by this caller alone (the
/// update re-checks "still due" on each row it writes, which is the compare-and-set).
pub async fn take_due<C: ConnectionTrait>(
    db: &C,
    settings: &JobSettings,
) -> Result<Vec<(i32, Option<String>)>, DbErr> {
    let now = Utc::now();
    let later = now + Duration::milliseconds(settings.relay_after_ms as i64);
    let queued = || Expr::col(Column::Status).eq(DeliveryStatus::Queued);
    let due = Query::select()
        .column(Column::Id)
        .from(outbound_email::Entity)
        .and_where(queued())
        .and_where(Expr::col(Column::NextAttemptAt).lte(now))
        .and_where(
            Expr::col(Column::LockedUntil)
                .is_null()
                .or(Expr::col(Column::LockedUntil).lt(now)),
        )
        .and_where(
            Expr::col(Column::RetryAfter)
                .is_null()
                .or(Expr::col(Column::RetryAfter).lte(now)),
        )
        .order_by(Column::NextAttemptAt, Order::Asc)
        .limit(Ord::max(settings.relay_batch, 1))
        .to_owned();
    let take = Query::update()
        .table(outbound_email::Entity)
        .value(Column::NextAttemptAt, later)
        .and_where(Expr::col(Column::Id).in_subquery(due))
        .and_where(Expr::col(Column::NextAttemptAt).lte(now))
        .and_where(queued())
        .returning(Query::returning().columns([Column::Id, Column::TraceParent]))
        .to_owned();
    let rows = db.query_all(&take).await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get::<i32>("", &Column::Id.to_string())?,
                row.try_get::<Option<String>>("", &Column::TraceParent.to_string())?,
            ))
        })
        .collect()
}
