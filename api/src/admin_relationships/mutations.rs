//! The admin relationship mutations: thin resolvers over `service`.

use super::graphql::AdminRelationship;
use super::service::{self, Request};
use crate::audit::Who;
use crate::auth;
use crate::graphql::payload::split;
use crate::graphql::user_error::UserError;
use crate::graphql::{db, ids};
use crate::jobs::Dispatcher;
use crate::partnerships::graphql::link_settings;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use entity::enums::AdminRole;

/// Input of `createAdminRelationship`.
#[derive(InputObject)]
pub struct CreateAdminRelationshipInput {
    /// The provider's customer.
    customer_id: ID,
    /// An ACTIVE partner reseller of the provider.
    reseller_id: ID,
    /// The roles to grant (at least one; `CUSTOMER_READER` is always added).
    roles: Vec<AdminRole>,
    /// 1 to 730 days, counted from approval.
    duration_days: i32,
    /// Extend by 180 days at each end (not with `TENANT_OWNER`). Default false.
    #[graphql(default)]
    auto_extend: bool,
    /// The language of the email (BCP 47) when the customer's admin has not chosen one.
    language: Option<String>,
}

/// Result of `createAdminRelationship`.
#[derive(SimpleObject)]
pub struct CreateAdminRelationshipPayload {
    /// The PENDING_APPROVAL relationship; null on failure.
    relationship: Option<AdminRelationship>,
    /// The single-use approval link emailed to the customer's admin; shown only here.
    link: Option<String>,
    /// Business-rule failures; see the mutation for the codes.
    user_errors: Vec<UserError>,
}

/// The payload of every other admin relationship mutation.
#[derive(SimpleObject)]
pub struct AdminRelationshipPayload {
    /// The relationship as it is now; null on failure.
    relationship: Option<AdminRelationship>,
    /// Business-rule failures; see the mutation for the codes.
    user_errors: Vec<UserError>,
}

fn payload(
    result: crate::error::ApiResult<entity::admin_relationship::Model>,
) -> Result<AdminRelationshipPayload> {
    let (relationship, user_errors) = split(result)?;
    Ok(AdminRelationshipPayload {
        relationship: relationship.map(AdminRelationship),
        user_errors,
    })
}

/// Input of `approveAdminRelationship` and `declineAdminRelationship`.
#[derive(InputObject)]
pub struct AdminRelationshipTokenInput {
    /// The `token` parameter of the emailed link.
    token: String,
}

/// Input of `terminateAdminRelationship`.
#[derive(InputObject)]
pub struct TerminateAdminRelationshipInput {
    /// The relationship to end.
    relationship_id: ID,
}

/// Input of `updateAdminRelationship`.
#[derive(InputObject)]
pub struct UpdateAdminRelationshipInput {
    /// The relationship to change.
    relationship_id: ID,
    /// Extend by 180 days at each end (not with `TENANT_OWNER`).
    auto_extend: bool,
}

#[derive(Default)]
pub struct AdminRelationshipMutation;

#[Object]
impl AdminRelationshipMutation {
    /// Provider ADMIN or SALES_AGENT (enrollment ACTIVE): asks the customer's admin
    /// (`admin@<domain>`) to approve `roles` for a partner reseller during `durationDays`,
    /// by email with a single-use link (valid 30 days). Emails are rate-limited.
    ///
    /// userErrors: `OUT_OF_RANGE` (durationDays), `INVALID` (no roles; autoExtend with
    /// TENANT_OWNER; language), `RESELLER_NOT_PARTNER`, `PROVIDER_NOT_ACTIVE`. Top-level:
    /// `NOT_FOUND` (customer), `FORBIDDEN` (`PROVIDER_ONLY`, `SALES_ONLY`), `RATE_LIMITED`.
    async fn create_admin_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Customer, reseller, roles and duration.")]
        input: CreateAdminRelationshipInput,
    ) -> Result<CreateAdminRelationshipPayload> {
        let actor = auth::actor(ctx)?;
        let request = Request {
            customer_id: ids::decode_as(ids::NodeType::Customer, &input.customer_id)?,
            reseller_id: ids::decode_as(ids::NodeType::Partner, &input.reseller_id)?,
            roles: input.roles,
            duration_days: input.duration_days,
            auto_extend: input.auto_extend,
            language: input.language,
        };
        let links = link_settings(ctx);
        let who = Who::of(ctx, actor);
        let (created, user_errors) =
            split(service::create(db(ctx), &links, &who, actor, request).await)?;
        let Some(created) = created else {
            return Ok(CreateAdminRelationshipPayload {
                relationship: None,
                link: None,
                user_errors,
            });
        };
        ctx.data_unchecked::<Dispatcher>().email(created.email_id);
        Ok(CreateAdminRelationshipPayload {
            relationship: Some(AdminRelationship(created.relationship)),
            link: Some(created.link),
            user_errors,
        })
    }

    /// The customer's signed-in admin: approves with the link's token; the relationship is
    /// ACTIVE until `endsAt` (approval + duration). Single use.
    ///
    /// userErrors: `INVALID_TOKEN` (used, expired or another customer's),
    /// `RESELLER_NOT_PARTNER` (the partnership ended meanwhile). Top-level: `FORBIDDEN`
    /// (`CUSTOMER_ADMIN_ONLY`).
    async fn approve_admin_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The link's token.")] input: AdminRelationshipTokenInput,
    ) -> Result<AdminRelationshipPayload> {
        let actor = auth::actor(ctx)?;
        let who = Who::of(ctx, actor);
        payload(service::answer(db(ctx), &who, actor, &input.token, true).await)
    }

    /// The customer's signed-in admin: declines with the link's token (DECLINED).
    ///
    /// userErrors: `INVALID_TOKEN`. Top-level: `FORBIDDEN` (`CUSTOMER_ADMIN_ONLY`).
    async fn decline_admin_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The link's token.")] input: AdminRelationshipTokenInput,
    ) -> Result<AdminRelationshipPayload> {
        let actor = auth::actor(ctx)?;
        let who = Who::of(ctx, actor);
        payload(service::answer(db(ctx), &who, actor, &input.token, false).await)
    }

    /// The provider (ADMIN or SALES_AGENT), the reseller's ADMIN or the customer's admin:
    /// ends a PENDING_APPROVAL or ACTIVE relationship at once (TERMINATED); a tenant
    /// ownership held through it is revoked with it.
    ///
    /// userErrors: `INVALID_STATE` (already ended). Top-level: `NOT_FOUND`, `FORBIDDEN`
    /// (`CANNOT_ADMINISTER`).
    async fn terminate_admin_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The relationship.")] input: TerminateAdminRelationshipInput,
    ) -> Result<AdminRelationshipPayload> {
        let actor = auth::actor(ctx)?;
        let id = ids::decode_as(ids::NodeType::AdminRelationship, &input.relationship_id)?;
        let who = Who::of(ctx, actor);
        payload(service::terminate(db(ctx), &who, actor, id).await)
    }

    /// The provider (ADMIN or SALES_AGENT): switches auto-extension.
    ///
    /// userErrors: `INVALID` (TENANT_OWNER), `INVALID_STATE` (ended). Top-level:
    /// `NOT_FOUND`, `FORBIDDEN` (`PROVIDER_ONLY`, `SALES_ONLY`).
    async fn update_admin_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The relationship and its new setting.")]
        input: UpdateAdminRelationshipInput,
    ) -> Result<AdminRelationshipPayload> {
        let actor = auth::actor(ctx)?;
        let id = ids::decode_as(ids::NodeType::AdminRelationship, &input.relationship_id)?;
        let who = Who::of(ctx, actor);
        payload(service::update(db(ctx), &who, actor, id, input.auto_extend).await)
    }
}
