//! `createCustomer`'s input and payload, and the resolver's work: the input decoded into
//! a [`NewCustomer`], `onboarding::create`, and the payload (whose `customer.subscriptions`
//! answers from what the call wrote).

use crate::auth;
use crate::customers::graphql::{Customer, Order};
use crate::customers::onboarding::{self, NewCustomer};
use crate::customers::pricing::LineRequest;
use crate::error::ApiResult;
use crate::graphql::payload::split;
use crate::graphql::user_error::UserError;
use crate::graphql::{db, ids};
use async_graphql::{Context, ID, InputObject, Result, SimpleObject};
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

pub(super) fn decode_partner(id: Option<&ID>) -> ApiResult<Option<i32>> {
    id.map(|id| ids::decode_as(ids::NodeType::Partner, id))
        .transpose()
}

/// `createCustomer` (documented on `CustomerMutation`).
pub(super) async fn create_customer(
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
    let (created, user_errors) =
        split(onboarding::create(db(ctx), &crate::audit::Who::of(ctx, actor), actor, new).await)?;
    if let Some(c) = &created
        && let Some(subscriptions) = &c.subscriptions
    {
        // What the call wrote is what `customer.subscriptions` would read back now.
        crate::graphql::loaders::loaders(ctx)
            .feed_one(
                crate::graphql::loaders::SubscriptionsOf(c.customer.id),
                subscriptions.clone(),
            )
            .await;
    }
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
