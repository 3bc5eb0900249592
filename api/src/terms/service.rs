//! The window rule and automatic renewal, testable without HTTP.

use crate::audit::Who;
use crate::auth::Actor;
use crate::customers::subscriptions::{administered, audit_subscription, invalid_state};
use crate::error::{ApiError, ApiResult};
use crate::graphql::user_error::UserErrorCode;
use chrono::{DateTime, Duration, SubsecRound, Utc};
use entity::enums::SubscriptionStatus;
use entity::event_type::EventType;
use entity::subscription;
use migration::database::begin_write;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use worker::msg;

/// `at` to the whole millisecond: terms start there, so the clock tests move (which keeps
/// milliseconds) can stand exactly on a window's end.
pub fn whole_millis(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(3)
}

/// The moment a change is judged at and the window's length (from the settings).
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub now: DateTime<Utc>,
    pub days: i64,
}

impl Window {
    pub fn of(settings: &crate::Settings) -> Self {
        Self {
            now: settings.clock.now(),
            days: settings.subscriptions.cancellation_window_days,
        }
    }

    /// When the subscription's cancellation window closes: its current term's start
    /// (purchase or last renewal) plus the window.
    pub fn ends_at(days: i64, sub: &subscription::Model) -> DateTime<Utc> {
        sub.term_started_at + Duration::days(days)
    }

    /// `CANCELLATION_WINDOW_CLOSED` on `field` after the window (its end instant is still
    /// inside).
    pub fn require_open(&self, sub: &subscription::Model, field: &[&str]) -> ApiResult<()> {
        let ends = Self::ends_at(self.days, sub);
        if self.now <= ends {
            return Ok(());
        }
        Err(ApiError::user(
            UserErrorCode::CancellationWindowClosed,
            field,
            msg!(
                "error-cancellation-window-closed",
                date = ends.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                days = self.days
            ),
        ))
    }
}

/// Turns a subscription's automatic renewal on or off: whoever may change its licenses
/// (the provider, or a reseller whose relationships grant `SUBSCRIPTION_MANAGER`), for an
/// ACTIVE or SUSPENDED subscription. Setting the value it already has changes nothing and
/// records nothing.
pub async fn set_auto_renew(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    subscription_id: i32,
    auto_renew: bool,
    now: DateTime<Utc>,
) -> ApiResult<subscription::Model> {
    let txn = begin_write(db).await?;
    let (sub, cust, _) = administered(&txn, actor, subscription_id).await?;
    if sub.status == SubscriptionStatus::Cancelled {
        return Err(invalid_state(msg!("error-subscription-cancelled")));
    }
    if sub.auto_renew == auto_renew {
        txn.commit().await?;
        return Ok(sub);
    }
    subscription::Entity::update_many()
        .col_expr(subscription::Column::AutoRenew, Expr::value(auto_renew))
        .col_expr(subscription::Column::UpdatedAt, Expr::value(now))
        .filter(subscription::Column::Id.eq(sub.id))
        .exec(&txn)
        .await?;
    let summary = if auto_renew {
        msg!("audit-subscription-auto-renew-on")
    } else {
        msg!("audit-subscription-auto-renew-off")
    };
    audit_subscription(
        &txn,
        who,
        &cust,
        EventType::SubscriptionAutoRenewSet,
        sub.id,
        summary,
    )
    .await?;
    let updated = subscription::Entity::find_by_id(sub.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    txn.commit().await?;
    Ok(updated)
}
