//! `node(id:)` and `nodes(ids:)`: fetch any object by global id with the same tenant checks
//! as every other path. A foreign id answers `NOT_FOUND` exactly like a missing one.

use super::{db, ids};
use crate::accounts::{User, members};
use crate::auth;
use crate::catalog::{Offer, service as catalog};
use crate::customers::access;
use crate::customers::graphql::{Customer, Order, Subscription};
use crate::customers::relationship_api::CustomerRelationshipRequest;
use crate::customers::relationships;
use crate::directory::{ProfileChangeRequest, requests as profile_requests};
use crate::error::{ApiError, ApiResult};
use crate::events::audience::Viewer;
use crate::events::graphql::{self as events, Event};
use crate::partners::{Partner, service as partners};
use crate::partnerships::graphql::{Partnership, PartnershipInvitation};
use crate::partnerships::{invitations, service as partnerships};
use crate::webhooks::graphql::{self as webhooks, WebhookDelivery, WebhookEndpoint};
use async_graphql::{Context, ID, Interface, Object, Result};
use worker::msg;

/// An object with a global id: fetch any of them again with `node(id:)`.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "The object's global id: an opaque string, stable over time. Store it as is; \
            do not parse it."
))]
pub enum Node {
    Partner(Partner),
    User(User),
    Offer(Offer),
    PartnershipInvitation(PartnershipInvitation),
    Partnership(Partnership),
    Customer(Customer),
    Subscription(Subscription),
    Order(Order),
    CustomerRelationshipRequest(CustomerRelationshipRequest),
    ProfileChangeRequest(ProfileChangeRequest),
    Event(Event),
    WebhookEndpoint(WebhookEndpoint),
    WebhookDelivery(WebhookDelivery),
    AdminRelationship(crate::admin_relationships::graphql::AdminRelationship),
    ApiClient(crate::api_clients::ApiClient),
    PriceList(crate::price_lists::PriceList),
    CustomerImport(crate::customer_imports::CustomerImport),
}

/// Any object by global id, with the same tenant checks as every other path.
pub async fn load(ctx: &Context<'_>, id: &ID) -> ApiResult<Node> {
    let actor = auth::actor(ctx)?;
    let db = db(ctx);
    let decoded = ids::decode(id)?;
    // An API client reads an object only with its domain's read scope (one table).
    if let Some(client) = actor.client() {
        super::policy::admit_node(client, decoded.0)?;
    }
    Ok(match decoded {
        (ids::NodeType::Partner, raw) => {
            Node::Partner(Partner(partners::find_visible(db, actor, raw).await?))
        }
        (ids::NodeType::User, raw) => {
            Node::User(User(members::find_visible(db, actor, raw).await?))
        }
        (ids::NodeType::Offer, raw) => Node::Offer(Offer(catalog::find(db, raw).await?)),
        (ids::NodeType::PartnershipInvitation, raw) => Node::PartnershipInvitation(
            PartnershipInvitation(invitations::find_visible(db, actor, raw).await?),
        ),
        (ids::NodeType::Partnership, raw) => Node::Partnership(Partnership(
            partnerships::find_visible(db, actor, raw).await?,
        )),
        (ids::NodeType::Customer, raw) => {
            Node::Customer(Customer(access::find_customer(db, actor, raw).await?.0))
        }
        (ids::NodeType::Subscription, raw) => Node::Subscription(Subscription(
            access::find_subscription(db, actor, raw).await?.0,
        )),
        (ids::NodeType::Order, raw) => {
            Node::Order(Order(access::find_order(db, actor, raw).await?))
        }
        (ids::NodeType::CustomerRelationshipRequest, raw) => Node::CustomerRelationshipRequest(
            CustomerRelationshipRequest(relationships::find_visible(db, actor, raw).await?),
        ),
        (ids::NodeType::ProfileChangeRequest, raw) => Node::ProfileChangeRequest(
            ProfileChangeRequest(profile_requests::find_visible(db, actor, raw).await?),
        ),
        (ids::NodeType::Event, raw) => {
            Node::Event(events::find_visible(db, Viewer::of(actor)?, raw).await?)
        }
        (ids::NodeType::WebhookEndpoint, raw) => {
            Node::WebhookEndpoint(webhooks::find_endpoint(db, actor, raw).await?)
        }
        (ids::NodeType::WebhookDelivery, raw) => {
            Node::WebhookDelivery(webhooks::find_delivery(db, actor, raw).await?)
        }
        (ids::NodeType::AdminRelationship, raw) => {
            Node::AdminRelationship(crate::admin_relationships::graphql::AdminRelationship(
                crate::admin_relationships::service::find_visible(db, actor, raw).await?,
            ))
        }
        (ids::NodeType::ApiClient, raw) => {
            Node::ApiClient(crate::api_clients::graphql::find(db, actor, raw).await?)
        }
        (ids::NodeType::PriceList, raw) => {
            Node::PriceList(crate::price_lists::graphql::find(db, actor, raw).await?)
        }
        (ids::NodeType::CustomerImport, raw) => {
            Node::CustomerImport(crate::customer_imports::graphql::find(db, actor, raw).await?)
        }
    })
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any signed-in user: any object by its global id, with the same visibility rules as
    /// every other path. `NOT_FOUND` for an id that does not exist, does not decode, or
    /// names an object the caller may not see (they are indistinguishable).
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id from any `id` field.")] id: ID,
    ) -> Result<Option<Node>> {
        Ok(Some(load(ctx, &id).await?))
    }

    /// Any signed-in user: several objects by global id, in the order given (at most 100;
    /// more answer `BAD_USER_INPUT`). If any id is not found, the whole field answers
    /// `NOT_FOUND`.
    #[graphql(complexity = "ids.len() * child_complexity")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids, at most 100.")] ids: Vec<ID>,
    ) -> Result<Vec<Node>> {
        if ids.len() > super::connection::MAX_PAGE_SIZE as usize {
            return Err(ApiError::BadUserInput(msg!("error-too-many-ids", max = 100)).into());
        }
        let mut nodes = Vec::with_capacity(ids.len());
        for id in &ids {
            nodes.push(load(ctx, id).await?);
        }
        Ok(nodes)
    }
}
