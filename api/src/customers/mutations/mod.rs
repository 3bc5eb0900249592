//! Customer and subscription mutations: `createCustomer` (the wizard's submit, `create`),
//! `placeOrder`, and the subscription changes (their inputs and payloads: `inputs`).

mod create;
mod inputs;

pub use create::SetupInfo;

use create::{CreateCustomerInput, CreateCustomerPayload};
use inputs::*;

use super::graphql::{Customer, Order};
use super::ordering::OrderLine;
use super::{designations, subscriptions};
use crate::auth;
use crate::graphql::payload::split;
use crate::graphql::{db, ids};
use async_graphql::{Context, Object, Result};
use create::decode_partner;

#[derive(Default)]
pub struct CustomerMutation;

#[Object]
impl CustomerMutation {
    /// Provider ADMIN or SALES_AGENT (enrollment ACTIVE): the New customer wizard's submit.
    /// Creates the customer, its admin user, the order and its subscriptions atomically,
    /// optionally delegated to a reseller. Returns `setupInfo` once; a retry with the same
    /// `idempotencyKey` returns the first result with `replayed: true`.
    ///
    /// userErrors (the first problem found): `PROVIDER_NOT_ACTIVE`, `INVALID` (a field's
    /// format or length, the idempotency key, no lines, an unknown offer),
    /// `OFFER_NOT_AVAILABLE`, `OUT_OF_RANGE` (quantity outside the offer's limits, more
    /// than 100 lines), `DOMAIN_TAKEN`, `RESELLER_NOT_PARTNER`. Top-level: `FORBIDDEN`
    /// (reason `PROVIDER_ONLY` or `SALES_ONLY`), `NOT_FOUND` (an id of the wrong type).
    async fn create_customer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer, its first order and the idempotency key.")]
        input: CreateCustomerInput,
    ) -> Result<CreateCustomerPayload> {
        create::create_customer(ctx, input).await
    }

    /// Provider ADMIN or SALES_AGENT (enrollment ACTIVE): new subscriptions or more
    /// licenses for one of its customers, in one order, all or nothing.
    ///
    /// userErrors: `PROVIDER_NOT_ACTIVE`, `INVALID` (no lines; a line with both or neither
    /// of `offerId` and `subscriptionId`; a partner of record on an existing subscription;
    /// an unknown offer), `OFFER_NOT_AVAILABLE`, `OUT_OF_RANGE` (quantity, more than 100
    /// new lines), `INVALID_STATE` (licenses added to a subscription that is not ACTIVE or
    /// changed meanwhile), `RESELLER_NOT_PARTNER`. Top-level: `NOT_FOUND` (customer or
    /// subscription not visible), `FORBIDDEN` (reason `PROVIDER_ONLY` or `SALES_ONLY`).
    async fn place_order(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer and the lines to order.")] input: PlaceOrderInput,
    ) -> Result<OrderPayload> {
        let actor = auth::actor(ctx)?;
        let customer_id = ids::decode_as(ids::NodeType::Customer, &input.customer_id)?;
        let mut lines = Vec::with_capacity(input.lines.len());
        for line in &input.lines {
            lines.push(OrderLine {
                offer_id: line
                    .offer_id
                    .as_ref()
                    .map(|id| ids::decode_as(ids::NodeType::Offer, id))
                    .transpose()?,
                subscription_id: line
                    .subscription_id
                    .as_ref()
                    .map(subscription_id)
                    .transpose()?,
                quantity: line.quantity,
                partner_of_record_id: decode_partner(line.partner_of_record_id.as_ref())?,
                term: line.term,
                auto_renew: line.auto_renew,
            });
        }
        let (order, user_errors) = split(
            super::ordering::place_order(
                db(ctx),
                &crate::audit::Who::of(ctx, actor),
                actor,
                customer_id,
                lines,
            )
            .await,
        )?;
        Ok(OrderPayload {
            order: order.map(Order),
            user_errors,
        })
    }

    /// Provider or delegated reseller (ADMIN or SALES_AGENT): the new total of licenses
    /// (within the offer's limits; not on suspended or cancelled subscriptions). Recorded
    /// as an order with an ADD_QUANTITY or REMOVE_QUANTITY line.
    ///
    /// userErrors: `INVALID_STATE` (not ACTIVE), `OUT_OF_RANGE` (outside the offer's
    /// limits), `INVALID` (the same quantity), `CANCELLATION_WINDOW_CLOSED` (fewer licenses
    /// after the term's `cancellationWindowEndsAt`; more are always possible). Top-level: `NOT_FOUND`, `FORBIDDEN` (reason
    /// `CANNOT_ADMINISTER` for those who may only read it).
    async fn update_subscription_quantity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The subscription and its new number of licenses.")]
        input: UpdateSubscriptionQuantityInput,
    ) -> Result<SubscriptionPayload> {
        let actor = auth::actor(ctx)?;
        let id = subscription_id(&input.subscription_id)?;
        let result = subscriptions::update_quantity(
            db(ctx),
            &crate::audit::Who::of(ctx, actor),
            actor,
            id,
            input.quantity,
            crate::terms::service::Window::of(crate::graphql::settings(ctx)),
        )
        .await;
        subscription_payload(result.map(|(s, o)| (s, Some(o))))
    }

    /// Provider or delegated reseller (ADMIN or SALES_AGENT): moves the licenses to an
    /// upgrade target; the source is cancelled. The payload's subscription is the new one
    /// (same licenses and designations), and its order has an UPGRADE line.
    ///
    /// userErrors: `INVALID_STATE` (not ACTIVE, or changed meanwhile),
    /// `NOT_AN_UPGRADE_TARGET`, `OFFER_NOT_AVAILABLE` (target not sold in the customer's
    /// country), `OUT_OF_RANGE` (the licenses do not fit the target's limits). Top-level:
    /// `NOT_FOUND`, `FORBIDDEN` (reason `CANNOT_ADMINISTER`).
    async fn upgrade_subscription(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The subscription and the offer to upgrade to.")]
        input: UpgradeSubscriptionInput,
    ) -> Result<SubscriptionPayload> {
        let actor = auth::actor(ctx)?;
        let id = subscription_id(&input.subscription_id)?;
        let target = ids::decode_as(ids::NodeType::Offer, &input.target_offer_id)?;
        let result = subscriptions::upgrade(
            db(ctx),
            &crate::audit::Who::of(ctx, actor),
            actor,
            id,
            target,
        )
        .await;
        subscription_payload(result.map(|(s, o)| (s, Some(o))))
    }

    /// Provider or delegated reseller (ADMIN or SALES_AGENT): ACTIVE -> SUSPENDED.
    ///
    /// userErrors: `INVALID_STATE` (not ACTIVE). Top-level: `NOT_FOUND`, `FORBIDDEN`
    /// (reason `CANNOT_ADMINISTER`).
    async fn suspend_subscription(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The subscription to suspend.")] input: SubscriptionIdInput,
    ) -> Result<SubscriptionPayload> {
        let actor = auth::actor(ctx)?;
        let id = subscription_id(&input.subscription_id)?;
        subscription_payload(
            subscriptions::set_suspended(
                db(ctx),
                &crate::audit::Who::of(ctx, actor),
                actor,
                id,
                true,
            )
            .await
            .map(|s| (s, None)),
        )
    }

    /// Provider or delegated reseller (ADMIN or SALES_AGENT): SUSPENDED -> ACTIVE.
    ///
    /// userErrors: `INVALID_STATE` (not SUSPENDED). Top-level: `NOT_FOUND`, `FORBIDDEN`
    /// (reason `CANNOT_ADMINISTER`).
    async fn reactivate_subscription(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The subscription to reactivate.")] input: SubscriptionIdInput,
    ) -> Result<SubscriptionPayload> {
        let actor = auth::actor(ctx)?;
        let id = subscription_id(&input.subscription_id)?;
        subscription_payload(
            subscriptions::set_suspended(
                db(ctx),
                &crate::audit::Who::of(ctx, actor),
                actor,
                id,
                false,
            )
            .await
            .map(|s| (s, None)),
        )
    }

    /// Provider ADMIN or SALES_AGENT: gives an ACTIVE partner reseller credit for incentives
    /// on the subscription, or removes the credit.
    ///
    /// userErrors: `INVALID_STATE` (cancelled: designate on its successor),
    /// `RESELLER_NOT_PARTNER`. Top-level: `NOT_FOUND`, `FORBIDDEN` (reason
    /// `CANNOT_ADMINISTER`, or `PROVIDER_ONLY` for the delegated reseller).
    async fn set_subscription_partner_of_record(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The subscription and the reseller to credit.")]
        input: SetSubscriptionPartnerOfRecordInput,
    ) -> Result<SubscriptionPayload> {
        let actor = auth::actor(ctx)?;
        let id = subscription_id(&input.subscription_id)?;
        let reseller = decode_partner(input.partner_of_record_id.as_ref())?;
        subscription_payload(
            designations::set_partner_of_record(
                db(ctx),
                &crate::audit::Who::of(ctx, actor),
                actor,
                id,
                reseller,
            )
            .await
            .map(|s| (s, None)),
        )
    }

    /// Provider ADMIN or SALES_AGENT (enrollment ACTIVE): gives the customer's associated
    /// reseller the tenant-owner role on its Azure tenant (the customer must hold an Azure
    /// subscription that is not cancelled).
    ///
    /// userErrors: `PROVIDER_NOT_ACTIVE`, `NO_ASSOCIATED_RESELLER`, `RESELLER_NOT_PARTNER`,
    /// `NOT_AN_AZURE_CUSTOMER`. Top-level: `NOT_FOUND`, `FORBIDDEN` (reason `PROVIDER_ONLY`
    /// or `SALES_ONLY`).
    async fn grant_azure_tenant_owner(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer.")] input: GrantAzureTenantOwnerInput,
    ) -> Result<CustomerPayload> {
        let actor = auth::actor(ctx)?;
        let id = ids::decode_as(ids::NodeType::Customer, &input.customer_id)?;
        let (customer, user_errors) = split(
            designations::grant_azure_tenant_owner(
                db(ctx),
                &crate::audit::Who::of(ctx, actor),
                actor,
                id,
            )
            .await,
        )?;
        Ok(CustomerPayload {
            customer: customer.map(Customer),
            user_errors,
        })
    }

    /// Provider ADMIN or SALES_AGENT: the "Designated support contact" of the subscription,
    /// an ACTIVE partner reseller or the provider itself.
    ///
    /// userErrors: `INVALID_STATE` (cancelled: designate on its successor),
    /// `RESELLER_NOT_PARTNER`. Top-level: `NOT_FOUND`, `FORBIDDEN` (reason
    /// `CANNOT_ADMINISTER`, or `PROVIDER_ONLY` for the delegated reseller).
    async fn set_subscription_support_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The subscription and its support contact.")]
        input: SetSubscriptionSupportContactInput,
    ) -> Result<SubscriptionPayload> {
        let actor = auth::actor(ctx)?;
        let id = subscription_id(&input.subscription_id)?;
        let contact = decode_partner(input.support_contact_id.as_ref())?;
        subscription_payload(
            designations::set_support_contact(
                db(ctx),
                &crate::audit::Who::of(ctx, actor),
                actor,
                id,
                contact,
            )
            .await
            .map(|s| (s, None)),
        )
    }
}
