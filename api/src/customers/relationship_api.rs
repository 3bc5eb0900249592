//! GraphQL surface of customer reseller-relationship requests.

use super::graphql::Customer;
use super::relationships;
use crate::auth;
use crate::graphql::payload::split;
use crate::graphql::user_error::UserError;
use crate::graphql::{db, ids};
use crate::jobs::Dispatcher;
use crate::partners::Partner;
use crate::partners::graphql::named_partner;
use crate::partnerships::graphql::link_settings;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::customer_relationship_request as request;
use entity::enums::InvitationStatus;

/// A provider's request that a customer accept a reseller as its delegated administrator.
pub struct CustomerRelationshipRequest(pub request::Model);

/// A provider's request that a customer accept a reseller as its delegated administrator.
/// Visible to the provider's users and the customer's admin; others get `NOT_FOUND`.
#[Object]
impl CustomerRelationshipRequest {
    /// The request's global id (opaque).
    pub async fn id(&self) -> ID {
        ids::encode(ids::NodeType::CustomerRelationshipRequest, self.0.id)
    }
    /// PENDING past its expiry reads EXPIRED even before the expiry job runs.
    async fn status(&self) -> InvitationStatus {
        if self.0.status == InvitationStatus::Pending && self.0.expires_at <= Utc::now() {
            InvitationStatus::Expired
        } else {
            self.0.status
        }
    }
    /// When the link stops working (30 days after the request by default).
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    /// When the customer accepted; null while unanswered.
    async fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.0.responded_at
    }
    /// The reseller proposed as delegated administrator.
    async fn reseller(&self, ctx: &Context<'_>) -> Result<Partner> {
        named_partner(ctx, self.0.reseller_id).await
    }
    /// The customer asked.
    async fn customer(&self, ctx: &Context<'_>) -> Result<Customer> {
        let actor = auth::actor(ctx)?;
        Ok(Customer(
            super::access::find_customer(db(ctx), actor, self.0.customer_id)
                .await?
                .0,
        ))
    }
}

/// Input of `requestCustomerResellerRelationship`.
#[derive(InputObject)]
pub struct RequestCustomerResellerRelationshipInput {
    /// The provider's customer.
    customer_id: ID,
    /// An ACTIVE partner reseller.
    indirect_reseller_id: ID,
    /// The language of the email (BCP 47, e.g. `zh-TW`) when its recipient, the customer's
    /// admin, has not chosen one; else the requester's. `INVALID` for a malformed tag.
    language: Option<String>,
}

/// Result of `requestCustomerResellerRelationship`.
#[derive(SimpleObject)]
pub struct RequestCustomerResellerRelationshipPayload {
    /// The PENDING request; null on failure.
    request: Option<CustomerRelationshipRequest>,
    /// The single-use link emailed to the customer's admin; shown only here.
    link: Option<String>,
    /// Business-rule failures; see the mutation for the codes.
    user_errors: Vec<UserError>,
}

/// Input of `acceptCustomerResellerRelationship`.
#[derive(InputObject)]
pub struct AcceptCustomerResellerRelationshipInput {
    /// The `token` parameter of the emailed link.
    token: String,
}

/// Result of `acceptCustomerResellerRelationship`.
#[derive(SimpleObject)]
pub struct AcceptCustomerResellerRelationshipPayload {
    /// The customer with its new `indirectReseller`; null on failure.
    customer: Option<Customer>,
    /// Why the link cannot be accepted; see the mutation for the codes.
    user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct RelationshipMutation;

#[Object]
impl RelationshipMutation {
    /// Provider ADMIN or SALES_AGENT (enrollment ACTIVE): emails the customer's admin
    /// (`admin@<domain>`) a single-use link to accept an ACTIVE partner reseller as
    /// delegated administrator. The link expires like a partnership invitation's (30 days
    /// by default). Emails sent on an organization's behalf are rate-limited.
    ///
    /// userErrors: `PROVIDER_NOT_ACTIVE`, `INVALID_STATE` (the reseller already administers
    /// the customer), `RESELLER_NOT_PARTNER` (also for an id no organization has, as on every
    /// field that names a reseller). Top-level: `NOT_FOUND` (customer), `FORBIDDEN` (reason
    /// `PROVIDER_ONLY` or `SALES_ONLY`), `RATE_LIMITED`.
    async fn request_customer_reseller_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer and the reseller to propose.")]
        input: RequestCustomerResellerRelationshipInput,
    ) -> Result<RequestCustomerResellerRelationshipPayload> {
        let actor = auth::actor(ctx)?;
        let customer_id = ids::decode_as(ids::NodeType::Customer, &input.customer_id)?;
        let reseller_id = ids::decode_as(ids::NodeType::Partner, &input.indirect_reseller_id)?;
        let links = link_settings(ctx);
        let result = relationships::request(
            db(ctx),
            &links,
            &crate::audit::Who::of(ctx, actor),
            actor,
            customer_id,
            reseller_id,
            input.language.as_deref(),
        )
        .await;
        let (requested, user_errors) = split(result)?;
        let Some(requested) = requested else {
            return Ok(RequestCustomerResellerRelationshipPayload {
                request: None,
                link: None,
                user_errors,
            });
        };
        ctx.data_unchecked::<Dispatcher>().email(requested.email_id);
        Ok(RequestCustomerResellerRelationshipPayload {
            request: Some(CustomerRelationshipRequest(requested.request)),
            link: Some(requested.link),
            user_errors,
        })
    }

    /// The customer's signed-in admin: accepts with the link's token; the reseller becomes the
    /// customer's delegated administrator (a different reseller than before also loses the
    /// Azure tenant-owner role). Of concurrent accepts exactly one wins.
    ///
    /// userErrors: `INVITATION_NOT_FOUND` (unknown token, or another customer's),
    /// `INVITATION_EXPIRED`, `INVITATION_ALREADY_USED`, `RESELLER_NOT_PARTNER` (the
    /// partnership ended or the reseller was suspended meanwhile), `PROVIDER_NOT_ACTIVE`.
    /// Top-level: `FORBIDDEN` (reason `CUSTOMER_ADMIN_ONLY`).
    async fn accept_customer_reseller_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The link's token.")] input: AcceptCustomerResellerRelationshipInput,
    ) -> Result<AcceptCustomerResellerRelationshipPayload> {
        let actor = auth::actor(ctx)?;
        let (customer, user_errors) = split(
            relationships::accept(
                db(ctx),
                &crate::audit::Who::of(ctx, actor),
                actor,
                &input.token,
            )
            .await,
        )?;
        Ok(AcceptCustomerResellerRelationshipPayload {
            customer: customer.map(Customer),
            user_errors,
        })
    }
}
