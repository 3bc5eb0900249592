//! Rate limits shared by every API replica: sign-in guessing, enrollment (which tells
//! whether an email has an account) and emails sent on an organization's behalf.
//!
//! An attempt is *reserved* before the work it limits: its row is inserted first, then the
//! rows of the window are counted, and the attempt proceeds only if the count (its own row
//! included) is within the limit. Whatever the interleaving, the last of the proceeding
//! attempts to count sees every proceeding attempt's row, so no more than `limit` proceed
//! per window, however many arrive at once. A refused attempt withdraws its row, so being
//! refused does not extend the wait.

use crate::error::{ApiError, ApiResult};
use chrono::{Duration, Utc};
use entity::rate_limit_hit::{self, Column};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

/// One limit: at most `limit` attempts per `window` for `key` in `bucket`.
#[derive(Debug, Clone, Copy)]
pub struct Limit<'a> {
    pub bucket: &'static str,
    pub key: &'a str,
    pub limit: u64,
    pub window: Duration,
}

/// Attempts that were let through; `release` forgets them (e.g. a sign-in that succeeded).
#[must_use]
pub struct Reservation {
    ids: Vec<i64>,
}

/// Reserves one attempt against every limit, or refuses with `RATE_LIMITED`.
pub async fn reserve<C: ConnectionTrait>(db: &C, limits: &[Limit<'_>]) -> ApiResult<Reservation> {
    let now = Utc::now();
    let mut ids = Vec::with_capacity(limits.len());
    for limit in limits {
        let row = rate_limit_hit::ActiveModel {
            bucket: Set(limit.bucket.to_owned()),
            key: Set(truncated(limit.key)),
            at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        ids.push(row.id);
    }
    let mut retry_after = None;
    for limit in limits {
        let used = rate_limit_hit::Entity::find()
            .filter(Column::Bucket.eq(limit.bucket))
            .filter(Column::Key.eq(truncated(limit.key)))
            .filter(Column::At.gt(now - limit.window))
            .count(db)
            .await?;
        if used > limit.limit {
            retry_after = Some(limit.window.num_seconds());
            tracing::warn!(bucket = limit.bucket, used, "rate limit reached");
            break;
        }
    }
    let reservation = Reservation { ids };
    match retry_after {
        None => Ok(reservation),
        Some(retry_after_seconds) => {
            release(db, reservation).await?;
            Err(ApiError::RateLimited {
                retry_after_seconds,
            })
        }
    }
}

/// Forgets the attempts of a reservation.
pub async fn release<C: ConnectionTrait>(db: &C, reservation: Reservation) -> ApiResult<()> {
    if !reservation.ids.is_empty() {
        rate_limit_hit::Entity::delete_many()
            .filter(Column::Id.is_in(reservation.ids))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Forgets every attempt of `key` in `bucket` (a successful sign-in clears the account's
/// failures).
pub async fn clear<C: ConnectionTrait>(db: &C, bucket: &'static str, key: &str) -> ApiResult<()> {
    rate_limit_hit::Entity::delete_many()
        .filter(Column::Bucket.eq(bucket))
        .filter(Column::Key.eq(truncated(key)))
        .exec(db)
        .await?;
    Ok(())
}

/// Keys are emails and addresses typed by strangers: bounded, like the column.
fn truncated(key: &str) -> String {
    key.chars().take(255).collect()
}

/// An email about to be sent on an organization's behalf (invitations, relationship
/// requests): free text from the platform's address to any address, so it is limited per
/// organization.
pub async fn organization_email<C: ConnectionTrait>(
    db: &C,
    limits: &crate::settings::RateLimitSettings,
    partner_id: i32,
) -> ApiResult<()> {
    let key = partner_id.to_string();
    let _counted = reserve(
        db,
        &[Limit {
            bucket: "email.organization",
            key: &key,
            limit: limits.emails_per_organization,
            window: Duration::minutes(limits.window_minutes),
        }],
    )
    .await?;
    Ok(())
}
