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
use entity::terms::TermDuration;

/// A new customer's postal address (its country is `CreateCustomerInput.country`).
#[derive(InputObject)]
pub struct AddressInput {
    /// Street and number, 1 to 200 characters.
    line1: String,
    /// More of the address; blank for none.
    line2: Option<String>,
    /// City, 1 to 100 characters.
    city: String,
    /// Postal code, 1 to 32 characters.
    postal_code: String,
}

/// Who receives a new customer's invoices.
#[derive(InputObject)]
pub struct BillingContactInput {
    /// Full name, 1 to 200 characters.
    name: String,
    /// Email address.
    email: String,
    /// Phone number, at most 40 characters; blank for none.
    phone: Option<String>,
}

/// One new subscription of `createCustomer`.
#[derive(InputObject)]
pub struct NewSubscriptionLineInput {
    /// The offer to subscribe to; it must be sold in the customer's country.
    offer_id: ID,
    /// Number of licenses, within the offer's `minQuantity` and `maxQuantity`.
    quantity: i32,
    /// The reseller credited for incentives on this subscription: an ACTIVE partner
    /// reseller of the provider.
    partner_of_record_id: Option<ID>,
    /// The commitment term, one of the offer's `terms`; the offer's first when absent.
    term: Option<TermDuration>,
    /// Renew at the end of each term (default true); off, the subscription ends then.
    #[graphql(default = true)]
    auto_renew: bool,
}

/// Input of `createCustomer`: the New customer wizard's fields.
#[derive(InputObject)]
pub struct CreateCustomerInput {
    /// The customer's company name, 1 to 200 characters.
    company_name: String,
    /// The customer's domain (letters, digits, hyphens and dots, at most 253 characters),
    /// not used by another customer; its admin account becomes `admin@<domain>`.
    domain: String,
    /// ISO 3166-1 alpha-2.
    country: String,
    /// The postal address.
    address: AddressInput,
    /// Who receives the invoices.
    billing_contact: BillingContactInput,
    /// The customer's language, a BCP 47 tag of at most 16 characters, e.g. "en-US" or
    /// "zh-TW"; also the language of its admin account (`preferredLanguage`).
    #[graphql(default = "en-US")]
    language: String,
    /// An ACTIVE partner reseller to administer the customer (delegated administration):
    /// an ACTIVE admin relationship is created with the customer.
    indirect_reseller_id: Option<ID>,
    /// The roles of that relationship (default: every role but `TENANT_OWNER`;
    /// `CUSTOMER_READER` is always added).
    admin_roles: Option<Vec<entity::enums::AdminRole>>,
    /// Its duration in days, 1 to 730 (default 730).
    admin_duration_days: Option<i32>,
    /// The first order: at least one, at most 100 new subscriptions.
    lines: Vec<NewSubscriptionLineInput>,
    /// The same key for retries of one submit: a retry returns the first result. 1 to 128
    /// characters, unique per provider.
    idempotency_key: String,
}

/// Shown once: the new customer's admin account and temporary password.
#[derive(SimpleObject)]
pub struct SetupInfo {
    /// The admin account's sign-in name, `admin@<domain>`.
    pub admin_user_name: String,
    /// Only in the response that created the customer (null on a replayed retry); it is
    /// never stored in plain text and cannot be read again.
    pub temporary_password: Option<String>,
}

/// Result of `createCustomer`.
#[derive(SimpleObject)]
pub struct CreateCustomerPayload {
    /// The new customer (or, on a replay, the one created first); null on failure.
    customer: Option<Customer>,
    /// The order with a NEW line per subscription.
    order: Option<Order>,
    /// The admin account and, only the first time, its temporary password.
    setup_info: Option<SetupInfo>,
    /// True when this is the result of an earlier submit with the same idempotency key.
    replayed: bool,
    /// Business-rule failures; see `createCustomer` for the codes.
    user_errors: Vec<UserError>,
}

fn decode_partner(id: Option<&ID>) -> ApiResult<Option<i32>> {
    id.map(|id| ids::decode_as(ids::NodeType::Partner, id))
        .transpose()
}

/// One line of `placeOrder`: give either `offerId` or `subscriptionId`.
#[derive(InputObject)]
pub struct PlaceOrderLineInput {
    /// A new subscription to this offer...
    offer_id: Option<ID>,
    /// ...or more licenses for this subscription.
    subscription_id: Option<ID>,
    /// Licenses for the new subscription, or licenses to add (at least 1); the result must
    /// be within the offer's limits.
    quantity: i32,
    /// For a new subscription only: the reseller credited for incentives, an ACTIVE partner
    /// reseller of the provider.
    partner_of_record_id: Option<ID>,
    /// For a new subscription only: the commitment term, one of the offer's `terms`; the
    /// offer's first when absent.
    term: Option<TermDuration>,
    /// For a new subscription only: renew at the end of each term (default true).
    #[graphql(default = true)]
    auto_renew: bool,
}

/// Input of `placeOrder`.
#[derive(InputObject)]
pub struct PlaceOrderInput {
    /// The provider's customer to order for.
    customer_id: ID,
    /// What to order: at least one line (at most 100 new subscriptions).
    lines: Vec<PlaceOrderLineInput>,
}

/// Result of `placeOrder`.
#[derive(SimpleObject)]
pub struct OrderPayload {
    /// The order; null on failure (then nothing was ordered).
    order: Option<Order>,
    /// Business-rule failures; see `placeOrder` for the codes.
    user_errors: Vec<UserError>,
}

/// Names one subscription.
#[derive(InputObject)]
pub struct SubscriptionIdInput {
    /// The subscription's global id.
    subscription_id: ID,
}

/// Input of `updateSubscriptionQuantity`.
#[derive(InputObject)]
pub struct UpdateSubscriptionQuantityInput {
    /// An ACTIVE subscription the caller administers.
    subscription_id: ID,
    /// The new total number of licenses.
    quantity: i32,
}

/// Input of `upgradeSubscription`.
#[derive(InputObject)]
pub struct UpgradeSubscriptionInput {
    /// An ACTIVE subscription the caller administers.
    subscription_id: ID,
    /// One of the current offer's `upgradeTargets`.
    target_offer_id: ID,
}

/// Input of `setSubscriptionPartnerOfRecord`.
#[derive(InputObject)]
pub struct SetSubscriptionPartnerOfRecordInput {
    /// A subscription of the provider's customer, not cancelled.
    subscription_id: ID,
    /// An ACTIVE partner reseller; null removes the credit.
    partner_of_record_id: Option<ID>,
}

/// Input of `setSubscriptionSupportContact`.
#[derive(InputObject)]
pub struct SetSubscriptionSupportContactInput {
    /// A subscription of the provider's customer, not cancelled.
    subscription_id: ID,
    /// An ACTIVE partner reseller, or null (or the provider's own id) for the provider.
    support_contact_id: Option<ID>,
}

/// Result of the subscription mutations.
#[derive(SimpleObject)]
pub struct SubscriptionPayload {
    /// The subscription after the change (for an upgrade, the new one); null on failure.
    subscription: Option<Subscription>,
    /// The order recording the change, when the change is an order (quantity, upgrade).
    order: Option<Order>,
    /// Business-rule failures; see the mutation for the codes.
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

/// Input of `grantAzureTenantOwner`.
#[derive(InputObject)]
pub struct GrantAzureTenantOwnerInput {
    /// The provider's customer whose reseller becomes the tenant owner.
    customer_id: ID,
}

/// Result of `grantAzureTenantOwner`.
#[derive(SimpleObject)]
pub struct CustomerPayload {
    /// The customer with its new `azureTenantOwner`; null on failure.
    customer: Option<Customer>,
    /// Business-rule failures; see the mutation for the codes.
    user_errors: Vec<UserError>,
}

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
        let actor = auth::actor(ctx)?;
        let mut lines = Vec::with_capacity(input.lines.len());
        for line in &input.lines {
            lines.push(LineRequest {
                offer_id: ids::decode_as(ids::NodeType::Offer, &line.offer_id)?,
                quantity: line.quantity,
                partner_of_record_id: decode_partner(line.partner_of_record_id.as_ref())?,
                term: line.term,
                auto_renew: line.auto_renew,
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
            admin_roles: input.admin_roles,
            admin_duration_days: input.admin_duration_days,
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
