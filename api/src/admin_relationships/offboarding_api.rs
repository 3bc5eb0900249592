//! The ways out, in GraphQL: `offboardReseller`, `cancelSubscription`,
//! `revokeAzureTenantOwner`.

use super::offboarding;
use crate::audit::Who;
use crate::auth;
use crate::customers::graphql::{Customer, Subscription};
use crate::graphql::payload::split;
use crate::graphql::user_error::UserError;
use crate::graphql::{db, ids};
use crate::jobs::Dispatcher;
use crate::partnerships::graphql::Partnership;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

/// Input of `offboardReseller`.
#[derive(InputObject)]
pub struct OffboardResellerInput {
    /// The provider's ACTIVE partnership with the reseller to offboard.
    partnership_id: ID,
    /// Another ACTIVE partner reseller that takes over the designations; null clears them
    /// (a support contact falls back to the provider itself).
    reassign_to: Option<ID>,
}

/// Result of `offboardReseller`: what it changed.
#[derive(SimpleObject)]
pub struct OffboardResellerPayload {
    /// The ENDED partnership; null on failure.
    partnership: Option<Partnership>,
    /// Admin relationships terminated.
    relationships_terminated: i32,
    /// Partner-of-record and support-contact designations moved to `reassignTo`.
    designations_moved: i32,
    /// Designations cleared (partner of record removed, support back to the provider).
    designations_cleared: i32,
    /// Azure tenant ownerships revoked.
    tenant_ownerships_revoked: i32,
    /// Business-rule failures; see the mutation for the codes.
    user_errors: Vec<UserError>,
}

/// Input of `cancelSubscription`.
#[derive(InputObject)]
pub struct CancelSubscriptionInput {
    /// An ACTIVE or SUSPENDED subscription.
    subscription_id: ID,
}

/// Result of `cancelSubscription`.
#[derive(SimpleObject)]
pub struct CancelSubscriptionPayload {
    /// The CANCELLED subscription; null on failure.
    subscription: Option<Subscription>,
    /// Business-rule failures; see the mutation for the codes.
    user_errors: Vec<UserError>,
}

/// Input of `revokeAzureTenantOwner`.
#[derive(InputObject)]
pub struct RevokeAzureTenantOwnerInput {
    /// The provider's customer.
    customer_id: ID,
}

/// Result of `revokeAzureTenantOwner`.
#[derive(SimpleObject)]
pub struct RevokeAzureTenantOwnerPayload {
    /// The customer without a tenant owner; null on failure.
    customer: Option<Customer>,
    /// Business-rule failures; see the mutation for the codes.
    user_errors: Vec<UserError>,
}

fn count(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

#[derive(Default)]
pub struct OffboardingMutation;

#[Object]
impl OffboardingMutation {
    /// Provider ADMIN: in one transaction, terminates the reseller's admin relationships on
    /// the provider's customers, moves its partner-of-record and support-contact
    /// designations on the provider's live subscriptions to `reassignTo` (or clears them),
    /// revokes its tenant ownerships and ends the partnership; the reseller's ADMINs get an
    /// email. One audit entry per change.
    ///
    /// userErrors: `RESELLER_NOT_PARTNER` (reassignTo), `INVALID_STATE` (already ended).
    /// Top-level: `NOT_FOUND`, `FORBIDDEN` (`PROVIDER_ONLY`, `ADMIN_ONLY`).
    async fn offboard_reseller(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partnership and where the designations go.")]
        input: OffboardResellerInput,
    ) -> Result<OffboardResellerPayload> {
        let actor = auth::actor(ctx)?;
        let partnership_id = ids::decode_as(ids::NodeType::Partnership, &input.partnership_id)?;
        let reassign_to = input
            .reassign_to
            .as_ref()
            .map(|id| ids::decode_as(ids::NodeType::Partner, id))
            .transpose()?;
        let who = Who::of(ctx, actor);
        let relay = crate::graphql::settings(ctx).jobs.relay_after_ms;
        let (done, user_errors) = split(
            offboarding::offboard(db(ctx), &who, actor, partnership_id, reassign_to, relay).await,
        )?;
        let Some(done) = done else {
            return Ok(OffboardResellerPayload {
                partnership: None,
                relationships_terminated: 0,
                designations_moved: 0,
                designations_cleared: 0,
                tenant_ownerships_revoked: 0,
                user_errors,
            });
        };
        for email in &done.email_ids {
            ctx.data_unchecked::<Dispatcher>().email(*email);
        }
        Ok(OffboardResellerPayload {
            partnership: Some(Partnership(done.partnership)),
            relationships_terminated: count(done.relationships_terminated),
            designations_moved: count(done.designations_moved),
            designations_cleared: count(done.designations_cleared),
            tenant_ownerships_revoked: count(done.tenant_ownerships_revoked),
            user_errors,
        })
    }

    /// The provider, or a reseller whose relationships grant `SUBSCRIPTION_MANAGER` (ADMIN
    /// or SALES_AGENT): ACTIVE or SUSPENDED → CANCELLED. Its designations end with it (no
    /// partner of record; support back to the provider).
    ///
    /// userErrors: `INVALID_STATE` (already cancelled), `CANCELLATION_WINDOW_CLOSED` (after
    /// the term's `cancellationWindowEndsAt`; turn off `autoRenew` instead). Top-level: `NOT_FOUND`,
    /// `FORBIDDEN` (`CANNOT_ADMINISTER`, or `MISSING_ADMIN_ROLE` with `requiredRole`).
    async fn cancel_subscription(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The subscription.")] input: CancelSubscriptionInput,
    ) -> Result<CancelSubscriptionPayload> {
        let actor = auth::actor(ctx)?;
        let id = ids::decode_as(ids::NodeType::Subscription, &input.subscription_id)?;
        let who = Who::of(ctx, actor);
        let window = crate::terms::service::Window::of(crate::graphql::settings(ctx));
        let (sub, user_errors) =
            split(crate::customers::cancellation::cancel(db(ctx), &who, actor, id, window).await)?;
        Ok(CancelSubscriptionPayload {
            subscription: sub.map(Subscription),
            user_errors,
        })
    }

    /// Provider ADMIN or SALES_AGENT: the customer's Azure tenant owner loses the role.
    ///
    /// userErrors: `INVALID_STATE` (no tenant owner), `PROVIDER_NOT_ACTIVE`. Top-level:
    /// `NOT_FOUND`, `FORBIDDEN` (`PROVIDER_ONLY`, `SALES_ONLY`).
    async fn revoke_azure_tenant_owner(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer.")] input: RevokeAzureTenantOwnerInput,
    ) -> Result<RevokeAzureTenantOwnerPayload> {
        let actor = auth::actor(ctx)?;
        let id = ids::decode_as(ids::NodeType::Customer, &input.customer_id)?;
        let who = Who::of(ctx, actor);
        let (customer, user_errors) = split(
            crate::customers::designations::revoke_azure_tenant_owner(db(ctx), &who, actor, id)
                .await,
        )?;
        Ok(RevokeAzureTenantOwnerPayload {
            customer: customer.map(Customer),
            user_errors,
        })
    }
}
