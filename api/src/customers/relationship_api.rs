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

#[Object]
impl CustomerRelationshipRequest {
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
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    async fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.0.responded_at
    }
    /// The reseller proposed as delegated administrator.
    async fn reseller(&self, ctx: &Context<'_>) -> Result<Partner> {
        named_partner(ctx, self.0.reseller_id).await
    }
    async fn customer(&self, ctx: &Context<'_>) -> Result<Customer> {
        let actor = auth::actor(ctx)?;
        Ok(Customer(
            super::access::find_customer(db(ctx), actor, self.0.customer_id)
                .await?
                .0,
        ))
    }
}

#[derive(InputObject)]
pub struct RequestCustomerResellerRelationshipInput {
    customer_id: ID,
    /// An ACTIVE partner reseller.
    indirect_reseller_id: ID,
}

#[derive(SimpleObject)]
pub struct RequestCustomerResellerRelationshipPayload {
    request: Option<CustomerRelationshipRequest>,
    /// The single-use link emailed to the customer's admin; shown only here.
    link: Option<String>,
    user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct AcceptCustomerResellerRelationshipInput {
    /// The `token` parameter of the emailed link.
    token: String,
}

#[derive(SimpleObject)]
pub struct AcceptCustomerResellerRelationshipPayload {
    customer: Option<Customer>,
    user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct RelationshipMutation;

#[Object]
impl RelationshipMutation {
    /// Provider ADMIN or SALES_AGENT: emails the customer's admin a single-use link to accept
    /// an ACTIVE partner reseller as delegated administrator.
    async fn request_customer_reseller_relationship(
        &self,
        ctx: &Context<'_>,
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
    /// customer's delegated administrator.
    async fn accept_customer_reseller_relationship(
        &self,
        ctx: &Context<'_>,
        input: AcceptCustomerResellerRelationshipInput,
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
