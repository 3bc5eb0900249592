//! The inputs and payloads of `placeOrder`, the subscription changes and
//! `grantAzureTenantOwner` (`createCustomer`'s are in `create`).

use crate::customers::graphql::{Customer, Order, Subscription};
use crate::error::ApiResult;
use crate::graphql::ids;
use crate::graphql::payload::split;
use crate::graphql::user_error::UserError;
use async_graphql::{ID, InputObject, Result, SimpleObject};
use entity::terms::TermDuration;

/// One line of `placeOrder`: give either `offerId` or `subscriptionId`.
#[derive(InputObject)]
pub struct PlaceOrderLineInput {
    /// A new subscription to this offer...
    pub(super) offer_id: Option<ID>,
    /// ...or more licenses for this subscription.
    pub(super) subscription_id: Option<ID>,
    /// Licenses for the new subscription, or licenses to add (at least 1); the result must
    /// be within the offer's limits.
    pub(super) quantity: i32,
    /// For a new subscription only: the reseller credited for incentives, an ACTIVE partner
    /// reseller of the provider.
    pub(super) partner_of_record_id: Option<ID>,
    /// For a new subscription only: the commitment term, one of the offer's `terms`; the
    /// offer's first when absent.
    pub(super) term: Option<TermDuration>,
    /// For a new subscription only: renew at the end of each term (default true).
    #[graphql(default = true)]
    pub(super) auto_renew: bool,
}

/// Input of `placeOrder`.
#[derive(InputObject)]
pub struct PlaceOrderInput {
    /// The provider's customer to order for.
    pub(super) customer_id: ID,
    /// What to order: at least one line (at most 100 new subscriptions).
    pub(super) lines: Vec<PlaceOrderLineInput>,
}

/// Result of `placeOrder`.
#[derive(SimpleObject)]
pub struct OrderPayload {
    /// The order; null on failure (then nothing was ordered).
    pub(super) order: Option<Order>,
    /// Business-rule failures; see `placeOrder` for the codes.
    pub(super) user_errors: Vec<UserError>,
}

/// Names one subscription.
#[derive(InputObject)]
pub struct SubscriptionIdInput {
    /// The subscription's global id.
    pub(super) subscription_id: ID,
}

/// Input of `updateSubscriptionQuantity`.
#[derive(InputObject)]
pub struct UpdateSubscriptionQuantityInput {
    /// An ACTIVE subscription the caller administers.
    pub(super) subscription_id: ID,
    /// The new total number of licenses.
    pub(super) quantity: i32,
}

/// Input of `upgradeSubscription`.
#[derive(InputObject)]
pub struct UpgradeSubscriptionInput {
    /// An ACTIVE subscription the caller administers.
    pub(super) subscription_id: ID,
    /// One of the current offer's `upgradeTargets`.
    pub(super) target_offer_id: ID,
}

/// Input of `setSubscriptionPartnerOfRecord`.
#[derive(InputObject)]
pub struct SetSubscriptionPartnerOfRecordInput {
    /// A subscription of the provider's customer, not cancelled.
    pub(super) subscription_id: ID,
    /// An ACTIVE partner reseller; null removes the credit.
    pub(super) partner_of_record_id: Option<ID>,
}

/// Input of `setSubscriptionSupportContact`.
#[derive(InputObject)]
pub struct SetSubscriptionSupportContactInput {
    /// A subscription of the provider's customer, not cancelled.
    pub(super) subscription_id: ID,
    /// An ACTIVE partner reseller, or null (or the provider's own id) for the provider.
    pub(super) support_contact_id: Option<ID>,
}

/// Result of the subscription mutations.
#[derive(SimpleObject)]
pub struct SubscriptionPayload {
    /// The subscription after the change (for an upgrade, the new one); null on failure.
    pub(super) subscription: Option<Subscription>,
    /// The order recording the change, when the change is an order (quantity, upgrade).
    pub(super) order: Option<Order>,
    /// Business-rule failures; see the mutation for the codes.
    pub(super) user_errors: Vec<UserError>,
}

pub(super) fn subscription_payload(
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

pub(super) fn subscription_id(id: &ID) -> ApiResult<i32> {
    ids::decode_as(ids::NodeType::Subscription, id)
}

/// Input of `grantAzureTenantOwner`.
#[derive(InputObject)]
pub struct GrantAzureTenantOwnerInput {
    /// The provider's customer whose reseller becomes the tenant owner.
    pub(super) customer_id: ID,
}

/// Result of `grantAzureTenantOwner`.
#[derive(SimpleObject)]
pub struct CustomerPayload {
    /// The customer with its new `azureTenantOwner`; null on failure.
    pub(super) customer: Option<Customer>,
    /// Business-rule failures; see the mutation for the codes.
    pub(super) user_errors: Vec<UserError>,
}
