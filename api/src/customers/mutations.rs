//! Customer and subscription mutations: `createCustomer` (the wizard's submit), `placeOrder`,
//! and the subscription changes.

use super::graphql::{Customer, Order, Subscription};
use super::onboarding::{self, NewCustomer};
use super::ordering::OrderLine;
use super::pricing::LineRequest;
use super::{designations, subscriptions};
use crate::auth;
use crate::error::ApiResult;
use crate::graphql::payload::split;
use crate::graphql::user_error::UserError;
use crate::graphql::{db, ids};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

#[derive(InputObject)]
pub struct AddressInput {
    line1: String,
    line2: Option<String>,
    city: String,
    postal_code: String,
}

#[derive(InputObject)]
pub struct BillingContactInput {
    name: String,
    email: String,
    phone: Option<String>,
}

#[derive(InputObject)]
pub struct NewSubscriptionLineInput {
    offer_id: ID,
    /// Number of licenses.
    quantity: i32,
    /// The reseller credited for incentives on this subscription.
    partner_of_record_id: Option<ID>,
}

#[derive(InputObject)]
pub struct CreateCustomerInput {
    company_name: String,
    /// The customer's domain; its admin account becomes `admin@<domain>`.
    domain: String,
    /// ISO 3166-1 alpha-2.
    country: String,
    address: AddressInput,
    billing_contact: BillingContactInput,
    /// BCP 47, e.g. "en-US".
    #[graphql(default = "en-US")]
    language: String,
    /// An ACTIVE partner reseller to administer the customer (delegated administration).
    indirect_reseller_id: Option<ID>,
    lines: Vec<NewSubscriptionLineInput>,
    /// The same key for retries of one submit: a retry returns the first result.
    idempotency_key: String,
}

/// Shown once: the new customer's admin account and temporary password.
#[derive(SimpleObject)]
pub struct SetupInfo {
    pub admin_user_name: String,
    /// Only in the response that created the customer (null on a replayed retry); it is
    /// never stored in plain text and cannot be read again.
    pub temporary_password: Option<String>,
}

#[derive(SimpleObject)]
pub struct CreateCustomerPayload {
    customer: Option<Customer>,
    order: Option<Order>,
    setup_info: Option<SetupInfo>,
    /// True when this is the result of an earlier submit with the same idempotency key.
    replayed: bool,
    user_errors: Vec<UserError>,
}

fn decode_partner(id: Option<&ID>) -> ApiResult<Option<i32>> {
    id.map(|id| ids::decode_as(ids::NodeType::Partner, id))
        .transpose()
}

#[derive(InputObject)]
pub struct PlaceOrderLineInput {
    /// A new subscription to this offer...
    offer_id: Option<ID>,
    /// ...or more licenses for this subscription.
    subscription_id: Option<ID>,
    /// Licenses for the new subscription, or licenses to add.
    quantity: i32,
    partner_of_record_id: Option<ID>,
}

#[derive(InputObject)]
pub struct PlaceOrderInput {
    customer_id: ID,
    lines: Vec<PlaceOrderLineInput>,
}

#[derive(SimpleObject)]
pub struct OrderPayload {
    order: Option<Order>,
    user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct SubscriptionIdInput {
    subscription_id: ID,
}

#[derive(InputObject)]
pub struct UpdateSubscriptionQuantityInput {
    subscription_id: ID,
    /// The new total number of licenses.
    quantity: i32,
}

#[derive(InputObject)]
pub struct UpgradeSubscriptionInput {
    subscription_id: ID,
    /// One of the current offer's `upgradeTargets`.
    target_offer_id: ID,
}

#[derive(InputObject)]
pub struct SetSubscriptionPartnerOfRecordInput {
    subscription_id: ID,
    /// An ACTIVE partner reseller; null removes the credit.
    partner_of_record_id: Option<ID>,
}

#[derive(InputObject)]
pub struct SetSubscriptionSupportContactInput {
    subscription_id: ID,
    /// An ACTIVE partner reseller, or null (or the provider's own id) for the provider.
    support_contact_id: Option<ID>,
}

#[derive(SimpleObject)]
pub struct SubscriptionPayload {
    subscription: Option<Subscription>,
    /// The order recording the change, when the change is an order (quantity, upgrade).
    order: Option<Order>,
    user_errors: Vec<UserError>,
}

fn subscription_payload(
    result: ApiResult<(entity::subscription::Model, Option<entity::order::Model>)>,
) -> Result<SubscriptionPayload> {
    let (done, user_errors) = split(result)?;
    let (subscription, order) = match done {
        Some((s, o)) => (Some(Subscription(s)), o.map(Order)),
        None => (None, None),
    };
    Ok(SubscriptionPayload {
        subscription,
        order,
        user_errors,
    })
}

fn subscription_id(id: &ID) -> ApiResult<i32> {
    ids::decode_as(ids::NodeType::Subscription, id)
}

#[derive(InputObject)]
pub struct GrantAzureTenantOwnerInput {
    customer_id: ID,
}

#[derive(SimpleObject)]
pub struct CustomerPayload {
    customer: Option<Customer>,
    user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct CustomerMutation;

#[Object]
impl CustomerMutation {
    /// Provider ADMIN or SALES_AGENT: the New customer wizard's submit. Creates the customer,
    /// its admin user, the order and its subscriptions atomically, optionally delegated to
    /// a reseller. Returns `setupInfo` once.
    async fn create_customer(
        &self,
        ctx: &Context<'_>,
        input: CreateCustomerInput,
    ) -> Result<CreateCustomerPayload> {
        let actor = auth::actor(ctx)?;
        let mut lines = Vec::with_capacity(input.lines.len());
        for line in &input.lines {
            lines.push(LineRequest {
                offer_id: ids::decode_as(ids::NodeType::Offer, &line.offer_id)?,
                quantity: line.quantity,
                partner_of_record_id: decode_partner(line.partner_of_record_id.as_ref())?,
            });
        }
        let new = NewCustomer {
            company_name: input.company_name,
            domain: input.domain,
            country: input.country,
            address_line1: input.address.line1,
            address_line2: input.address.line2,
            city: input.address.city,
            postal_code: input.address.postal_code,
            billing_contact_name: input.billing_contact.name,
            billing_contact_email: input.billing_contact.email,
            billing_contact_phone: input.billing_contact.phone,
            language: input.language,
            reseller_id: decode_partner(input.indirect_reseller_id.as_ref())?,
            lines,
            idempotency_key: input.idempotency_key,
        };
        let (created, user_errors) = split(
            onboarding::create(db(ctx), &crate::audit::Who::of(ctx, actor), actor, new).await,
        )?;
        Ok(match created {
            Some(c) => CreateCustomerPayload {
                setup_info: Some(SetupInfo {
                    admin_user_name: c.admin_user_name,
                    temporary_password: c.temporary_password,
                }),
                customer: Some(Customer(c.customer)),
                order: c.order.map(Order),
                replayed: c.replayed,
                user_errors,
            },
            None => CreateCustomerPayload {
                customer: None,
                order: None,
                setup_info: None,
                replayed: false,
                user_errors,
            },
        })
    }

    /// Provider ADMIN or SALES_AGENT: new subscriptions or more licenses for a customer.
    async fn place_order(&self, ctx: &Context<'_>, input: PlaceOrderInput) -> Result<OrderPayload> {
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

    /// Provider or delegated reseller: the new total of licenses (within the offer's limits;
    /// not on suspended or cancelled subscriptions).
    async fn update_subscription_quantity(
        &self,
        ctx: &Context<'_>,
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
        )
        .await;
        subscription_payload(result.map(|(s, o)| (s, Some(o))))
    }

    /// Provider or delegated reseller: moves the licenses to an upgrade target; the source is
    /// cancelled. The payload's subscription is the new one.
    async fn upgrade_subscription(
        &self,
        ctx: &Context<'_>,
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

    /// Provider or delegated reseller: ACTIVE -> SUSPENDED.
    async fn suspend_subscription(
        &self,
        ctx: &Context<'_>,
        input: SubscriptionIdInput,
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

    /// Provider or delegated reseller: SUSPENDED -> ACTIVE.
    async fn reactivate_subscription(
        &self,
        ctx: &Context<'_>,
        input: SubscriptionIdInput,
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

    /// Provider: gives an ACTIVE partner reseller credit for incentives on the subscription.
    async fn set_subscription_partner_of_record(
        &self,
        ctx: &Context<'_>,
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

    /// Provider: gives the customer's associated reseller the tenant-owner role on its Azure
    /// tenant (the customer must hold an Azure subscription).
    async fn grant_azure_tenant_owner(
        &self,
        ctx: &Context<'_>,
        input: GrantAzureTenantOwnerInput,
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

    /// Provider: the "Designated support contact" of the subscription.
    async fn set_subscription_support_contact(
        &self,
        ctx: &Context<'_>,
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
