//! GraphQL types and queries of admin relationships: `AdminRelationship`, the
//! `adminRelationships` list (each party sees its own), `adminRelationshipByToken` (the
//! approval page's preview) and `Customer.adminRelationships`.

use super::service;
use crate::auth::{self, Actor};
use crate::customers::access;
use crate::customers::graphql::Customer;
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::{self, Page, PageArgs};
use crate::graphql::{db, ids};
use crate::partners::Partner;
use crate::partners::graphql::named_partner;
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use entity::admin_relationship::{self as rel, Column, Entity};
use entity::enums::{AdminRelationshipStatus as Status, AdminRole};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, Select};

/// A granular, time-bound delegation of a customer's administration to a reseller.
pub struct AdminRelationship(pub rel::Model);

/// The status a relationship has now: ACTIVE past its end without auto-extension, or
/// PENDING_APPROVAL past the approval window, reads EXPIRED before the worker records it.
pub fn effective_status(model: &rel::Model, now: DateTime<Utc>) -> Status {
    match model.status {
        Status::Active if !model.auto_extend && model.ends_at.is_some_and(|e| e <= now) => {
            Status::Expired
        }
        Status::PendingApproval if model.approval_expires_at <= now => Status::Expired,
        other => other,
    }
}

/// Granular, time-bound delegated administration: the customer's provider asks on a
/// reseller's behalf for `roles` during `durationDays`; the customer's admin approves.
/// Visible to the provider, the reseller and the customer's users in every status.
#[Object]
impl AdminRelationship {
    /// The relationship's global id (opaque).
    pub async fn id(&self) -> ID {
        ids::encode(ids::NodeType::AdminRelationship, self.0.id)
    }
    /// The customer administered. A reseller without an ACTIVE relationship on it sees
    /// only its names.
    async fn customer(&self, ctx: &Context<'_>) -> Result<Customer> {
        let actor = auth::actor(ctx)?;
        match access::find_customer(db(ctx), actor, self.0.customer_id).await {
            Ok((found, _)) => Ok(Customer(found)),
            Err(ApiError::NotFound) => {
                let found = entity::customer::Entity::find_by_id(self.0.customer_id)
                    .one(db(ctx))
                    .await
                    .map_err(ApiError::from)?
                    .ok_or(ApiError::NotFound)?;
                Ok(Customer::names_only(found))
            }
            Err(e) => Err(e.into()),
        }
    }
    /// The reseller the roles are granted to.
    async fn reseller(&self, ctx: &Context<'_>) -> Result<Partner> {
        named_partner(ctx, self.0.reseller_id).await
    }
    /// The customer's provider, which asked for the relationship.
    async fn provider(&self, ctx: &Context<'_>) -> Result<Partner> {
        named_partner(ctx, self.0.provider_id).await
    }
    /// The roles granted; always includes `CUSTOMER_READER`.
    async fn roles(&self) -> Vec<AdminRole> {
        AdminRole::load(&self.0.roles)
    }
    /// Where the relationship stands now (see `AdminRelationshipStatus`).
    async fn status(&self) -> Status {
        effective_status(&self.0, Utc::now())
    }
    /// How long it lasts from approval, 1 to 730 days.
    async fn duration_days(&self) -> i32 {
        self.0.duration_days
    }
    /// Whether it extends by 180 days at each end (never with `TENANT_OWNER`).
    async fn auto_extend(&self) -> bool {
        self.0.auto_extend
    }
    /// When the provider asked for it.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the customer's admin approved it; null until then.
    async fn approved_at(&self) -> Option<DateTime<Utc>> {
        self.0.approved_at
    }
    /// When it ends (or ended); null while PENDING_APPROVAL.
    async fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.0.ends_at
    }
    /// When a party terminated (or the customer declined) it.
    async fn terminated_at(&self) -> Option<DateTime<Utc>> {
        self.0.terminated_at
    }
}

/// Narrows `adminRelationships`; every field given must match.
#[derive(InputObject, Default)]
pub struct AdminRelationshipFilter {
    /// Only this customer's.
    customer_id: Option<ID>,
    /// Only this reseller's (a `Partner` id).
    reseller_id: Option<ID>,
    /// Only relationships in this status (as `status` reads now).
    status: Option<Status>,
}

/// The relationships the caller is a party of, newest first.
pub fn visible(actor: &Actor) -> ApiResult<Select<Entity>> {
    if let Some(own) = actor.user.customer_id {
        return Ok(Entity::find().filter(Column::CustomerId.eq(own)));
    }
    let partner = actor
        .partner_id()
        .ok_or(ApiError::Forbidden("PARTNERS_ONLY"))?;
    Ok(Entity::find().filter(
        Condition::any()
            .add(Column::ProviderId.eq(partner))
            .add(Column::ResellerId.eq(partner)),
    ))
}

/// Relationships whose status reads `status` at `now` (see [`effective_status`]).
fn status_is(status: Status, now: DateTime<Utc>) -> Condition {
    let lapsed_active = Condition::all()
        .add(Column::Status.eq(Status::Active))
        .add(Column::AutoExtend.eq(false))
        .add(Column::EndsAt.lte(now));
    let lapsed_pending = Condition::all()
        .add(Column::Status.eq(Status::PendingApproval))
        .add(Column::ApprovalExpiresAt.lte(now));
    match status {
        Status::Active => super::access::in_force(now),
        Status::PendingApproval => Condition::all()
            .add(Column::Status.eq(Status::PendingApproval))
            .add(Column::ApprovalExpiresAt.gt(now)),
        Status::Expired => Condition::any()
            .add(Column::Status.eq(Status::Expired))
            .add(lapsed_active)
            .add(lapsed_pending),
        other => Condition::all().add(Column::Status.eq(other)),
    }
}

#[derive(Default)]
pub struct AdminRelationshipQuery;

#[Object]
impl AdminRelationshipQuery {
    /// The admin relationships the caller is a party of (the provider's, the reseller's, the
    /// customer's own), newest first. Platform administrators get `FORBIDDEN` (reason
    /// `PARTNERS_ONLY`).
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn admin_relationships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Customer, reseller and status to match.")] filter: Option<
            AdminRelationshipFilter,
        >,
        #[graphql(desc = "Items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Items before this cursor (a `startCursor` or edge `cursor`).")]
        before: Option<String>,
        #[graphql(desc = "The first n items, 0 to 100. Give `first` or `last` (not both).")]
        first: Option<i32>,
        #[graphql(desc = "The last n items, 0 to 100. Give `first` or `last` (not both).")]
        last: Option<i32>,
    ) -> Result<Page<AdminRelationship>> {
        let actor = auth::actor(ctx)?;
        let args = PageArgs::new(after, before, first, last)?;
        let filter = filter.unwrap_or_default();
        let mut select = visible(actor)?;
        if let Some(id) = filter.customer_id {
            let customer = ids::decode_as(ids::NodeType::Customer, &id)?;
            select = select.filter(Column::CustomerId.eq(customer));
        }
        if let Some(id) = filter.reseller_id {
            let reseller = ids::decode_as(ids::NodeType::Partner, &id)?;
            select = select.filter(Column::ResellerId.eq(reseller));
        }
        if let Some(status) = filter.status {
            select = select.filter(status_is(status, Utc::now()));
        }
        Ok(
            connection::paginate_by_key(db(ctx), select, Column::Id, args, AdminRelationship)
                .await?,
        )
    }

    /// The customer's signed-in admin: the PENDING_APPROVAL relationship an approval link's
    /// token names (what the approval page shows before approving). userErrors are not
    /// available on queries: a used, expired or foreign token answers `BAD_USER_INPUT`
    /// (reason `INVALID_TOKEN`).
    async fn admin_relationship_by_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The `token` parameter of the emailed link.")] token: String,
    ) -> Result<AdminRelationship> {
        let actor = auth::actor(ctx)?;
        Ok(AdminRelationship(
            service::by_token(db(ctx), actor, &token).await?,
        ))
    }
}

/// `Customer.adminRelationships`: the customer's relationships the caller is a party of,
/// newest first.
pub async fn of_customer(ctx: &Context<'_>, customer_id: i32) -> Result<Vec<AdminRelationship>> {
    use sea_orm::QueryOrder;
    let actor = auth::actor(ctx)?;
    Ok(visible(actor)?
        .filter(Column::CustomerId.eq(customer_id))
        .order_by_desc(Column::Id)
        .all(db(ctx))
        .await
        .map_err(ApiError::from)?
        .into_iter()
        .map(AdminRelationship)
        .collect())
}
