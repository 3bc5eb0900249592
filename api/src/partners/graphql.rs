//! GraphQL surface of partners: the `Partner` type, `partners` (platform), and the
//! `enrollPartner` / `approveEnrollment` / `suspendPartner` mutations.

use super::service;
use crate::accounts::User;
use crate::auth;
use crate::error::ApiError;
use crate::graphql::connection::{self, Page, PageArgs};
use crate::graphql::payload::split;
use crate::graphql::search::SearchTerm;
use crate::graphql::user_error::UserError;
use crate::graphql::{db, ids};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::{EnrollmentStatus, PartnerKind};
use entity::{partner, user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

/// A partner organization: an indirect provider or an indirect reseller.
pub struct Partner(pub partner::Model);

#[Object]
impl Partner {
    pub async fn id(&self) -> ID {
        ids::encode(ids::NodeType::Partner, self.0.id)
    }
    async fn kind(&self) -> PartnerKind {
        self.0.kind
    }
    async fn company_name(&self) -> &str {
        &self.0.company_name
    }
    /// ISO 3166-1 alpha-2.
    async fn country(&self) -> &str {
        &self.0.country
    }
    /// The program-wide partner id (shown on invitations).
    async fn partner_network_id(&self) -> &str {
        &self.0.partner_network_id
    }
    async fn enrollment_status(&self) -> EnrollmentStatus {
        self.0.enrollment_status
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn approved_at(&self) -> Option<DateTime<Utc>> {
        self.0.approved_at
    }
    /// The organization's users. Visible to its ADMINs and platform administrators.
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Page<User>> {
        let actor = auth::actor(ctx)?;
        if !actor.is_platform_admin() && !actor.is_admin_of(self.0.id) {
            return Err(ApiError::Forbidden("ADMIN_ONLY").into());
        }
        let args = PageArgs::new(after, before, first, last)?;
        // Removed users are gone from the list; their history still names them.
        let select = user::Entity::find()
            .filter(user::Column::PartnerId.eq(self.0.id))
            .filter(user::Column::DeactivatedAt.is_null())
            .order_by_asc(user::Column::Id);
        Ok(connection::paginate(db(ctx), select, args, User).await?)
    }
}

/// A partner named by an object the caller can already see (a customer's provider or
/// reseller, a subscription's partner of record, an invitation's parties): visible with
/// it, loaded through the request's DataLoader so lists cost one statement.
pub async fn named_partner(ctx: &Context<'_>, id: i32) -> Result<Partner> {
    use crate::graphql::loaders::{PartnerKey, failed, loaders};
    let model = loaders(ctx)
        .load_one(PartnerKey(id))
        .await
        .map_err(failed)?
        .ok_or(ApiError::NotFound)?;
    Ok(Partner(model))
}

#[derive(InputObject, Default)]
pub struct PartnerFilter {
    enrollment: Option<EnrollmentStatus>,
    kind: Option<PartnerKind>,
    /// Case-insensitive part of the company name.
    search: Option<String>,
}

#[derive(Default)]
pub struct PartnerQuery;

#[Object]
impl PartnerQuery {
    /// Platform administrators: every partner, oldest first; filter by enrollment to work
    /// through the approval queue.
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn partners(
        &self,
        ctx: &Context<'_>,
        filter: Option<PartnerFilter>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Page<Partner>> {
        auth::platform_admin(ctx)?;
        let args = PageArgs::new(after, before, first, last)?;
        let filter = filter.unwrap_or_default();
        let select = service::list(&service::PartnerFilter {
            enrollment: filter.enrollment,
            kind: filter.kind,
            search: SearchTerm::parse(filter.search.as_deref(), "search")?,
        });
        Ok(connection::paginate(db(ctx), select, args, Partner).await?)
    }
}

#[derive(InputObject)]
pub struct EnrollPartnerInput {
    kind: PartnerKind,
    company_name: String,
    /// ISO 3166-1 alpha-2, e.g. "US".
    country: String,
    admin_name: String,
    admin_email: String,
    /// At least 10 characters.
    password: String,
}

#[derive(SimpleObject)]
pub struct EnrollPartnerPayload {
    partner: Option<Partner>,
    /// The first ADMIN; it can sign in at once and sees the enrollment as PENDING.
    admin: Option<User>,
    user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct PartnerIdInput {
    partner_id: ID,
}

#[derive(SimpleObject)]
pub struct PartnerPayload {
    partner: Option<Partner>,
    user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct EnrollmentMutation;

#[Object]
impl EnrollmentMutation {
    /// Public sign-up of a provider or reseller organization with its first ADMIN user.
    /// The enrollment starts PENDING until a platform administrator approves it.
    async fn enroll_partner(
        &self,
        ctx: &Context<'_>,
        input: EnrollPartnerInput,
    ) -> Result<EnrollPartnerPayload> {
        let client_addr = ctx
            .data_opt::<crate::auth::ClientAddr>()
            .map_or("unknown", |c| c.0.as_str());
        let result = service::enroll(
            db(ctx),
            &crate::audit::request_id(ctx),
            &crate::graphql::settings(ctx).rate_limits,
            service::Enrollment {
                client_addr,
                kind: input.kind,
                company_name: &input.company_name,
                country: &input.country,
                admin_name: &input.admin_name,
                admin_email: &input.admin_email,
                password: &input.password,
            },
        )
        .await;
        let (enrolled, user_errors) = split(result)?;
        let (partner, admin) = match enrolled {
            Some(e) => (Some(Partner(e.partner)), Some(User(e.admin))),
            None => (None, None),
        };
        Ok(EnrollPartnerPayload {
            partner,
            admin,
            user_errors,
        })
    }

    /// Platform administrators: PENDING (or SUSPENDED) -> ACTIVE.
    async fn approve_enrollment(
        &self,
        ctx: &Context<'_>,
        input: PartnerIdInput,
    ) -> Result<PartnerPayload> {
        let who = crate::audit::Who::of(ctx, auth::platform_admin(ctx)?);
        let id = ids::decode_as(ids::NodeType::Partner, &input.partner_id)?;
        let (partner, user_errors) = split(service::approve(db(ctx), &who, id).await)?;
        Ok(PartnerPayload {
            partner: partner.map(Partner),
            user_errors,
        })
    }

    /// Platform administrators: ACTIVE -> SUSPENDED.
    async fn suspend_partner(
        &self,
        ctx: &Context<'_>,
        input: PartnerIdInput,
    ) -> Result<PartnerPayload> {
        let who = crate::audit::Who::of(ctx, auth::platform_admin(ctx)?);
        let id = ids::decode_as(ids::NodeType::Partner, &input.partner_id)?;
        let (partner, user_errors) = split(service::suspend(db(ctx), &who, id).await)?;
        Ok(PartnerPayload {
            partner: partner.map(Partner),
            user_errors,
        })
    }
}
