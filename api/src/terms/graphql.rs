//! `setSubscriptionAutoRenew`: a thin resolver over `service::set_auto_renew`.

use super::service;
use crate::auth;
use crate::customers::graphql::Subscription;
use crate::graphql::payload::split;
use crate::graphql::user_error::UserError;
use crate::graphql::{db, ids};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

/// Input of `setSubscriptionAutoRenew`.
#[derive(InputObject)]
pub struct SetSubscriptionAutoRenewInput {
    /// An ACTIVE or SUSPENDED subscription the caller administers.
    subscription_id: ID,
    /// Renew at the end of the term (true), or let the subscription end then (false).
    auto_renew: bool,
}

/// Result of `setSubscriptionAutoRenew`.
#[derive(SimpleObject)]
pub struct SetSubscriptionAutoRenewPayload {
    /// The subscription after the change; null on failure.
    subscription: Option<Subscription>,
    /// Business-rule failures: `INVALID_STATE` (cancelled).
    user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct TermsMutation;

#[Object]
impl TermsMutation {
    /// The provider, or a reseller whose relationships grant `SUBSCRIPTION_MANAGER` (ADMIN
    /// or SALES_AGENT) — whoever may change the subscription's licenses: turns automatic
    /// renewal at the term's end on or off (event `SUBSCRIPTION_AUTO_RENEW_SET`). Off, the
    /// subscription ends (CANCELLED) at `termEndsAt`; this is possible after the
    /// cancellation window too.
    ///
    /// userErrors: `INVALID_STATE` (cancelled). Top-level: `NOT_FOUND` (also a subscription
    /// of another tenant), `FORBIDDEN` (`CANNOT_ADMINISTER`, or `MISSING_ADMIN_ROLE` with
    /// `requiredRole`).
    async fn set_subscription_auto_renew(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The subscription and whether it renews.")]
        input: SetSubscriptionAutoRenewInput,
    ) -> Result<SetSubscriptionAutoRenewPayload> {
        let actor = auth::actor(ctx)?;
        let id = ids::decode_as(ids::NodeType::Subscription, &input.subscription_id)?;
        let now = crate::graphql::settings(ctx).clock.now();
        let (sub, user_errors) = split(
            service::set_auto_renew(
                db(ctx),
                &crate::audit::Who::of(ctx, actor),
                actor,
                id,
                input.auto_renew,
                now,
            )
            .await,
        )?;
        Ok(SetSubscriptionAutoRenewPayload {
            subscription: sub.map(Subscription),
            user_errors,
        })
    }
}
