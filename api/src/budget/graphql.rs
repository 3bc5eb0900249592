//! `rateLimit`: the caller's budget, read without spending.

use super::{Budget, Caller};
use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The caller's cost budget (see `extensions.cost` on every response).
#[derive(SimpleObject)]
pub struct RateLimit {
    /// Points the bucket holds when full.
    limit: u64,
    /// Points left now.
    remaining: u64,
    /// Points given back per second.
    restore_rate: u64,
    /// When the bucket is full again (now when it is); null when nothing refills it.
    reset_at: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct BudgetQuery;

#[Object]
impl BudgetQuery {
    /// The caller's cost budget: every request costs its complexity (connections multiply
    /// by `first`, at least 1) from a bucket per API client, session or anonymous address,
    /// refilled at `restoreRate` per second. Asking costs nothing.
    async fn rate_limit(&self, ctx: &Context<'_>) -> Result<RateLimit> {
        let budget = ctx.data_opt::<Arc<Budget>>().filter(|b| b.enabled());
        let (Some(budget), Some(caller)) = (budget, ctx.data_opt::<Caller>()) else {
            let shape = crate::graphql::settings(ctx).rate_limits.cost_bucket;
            return Ok(RateLimit {
                limit: shape,
                remaining: shape,
                restore_rate: 0,
                reset_at: None,
            });
        };
        let report = budget.charge(&caller.key, 0).await;
        let shape = report.shape;
        let missing = shape.capacity as f64 - report.remaining;
        let reset_at = match shape.per_second {
            0 if missing > 0.0 => None,
            0 => Some(Utc::now()),
            rate => Some(
                Utc::now()
                    + chrono::Duration::milliseconds((missing * 1000.0 / rate as f64) as i64),
            ),
        };
        Ok(RateLimit {
            limit: shape.capacity,
            remaining: report.remaining.floor().max(0.0) as u64,
            restore_rate: shape.per_second,
            reset_at,
        })
    }
}
