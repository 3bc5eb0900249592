//! GraphQL surface of partners: the `Partner` type, `partners` (platform), and the
//! `enrollPartner` / `approveEnrollment` / `suspendPartner` mutations.

use super::service;
use crate::accounts::User;
use crate::auth;
use crate::error::ApiError;
use crate::graphql::connection::{self, Key, Page, PageArgs};
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

/// A partner organization: an indirect provider or an indirect reseller. Visible to its own
/// users, to the organizations it has or had a partnership with, to anyone who can see an
/// object naming it (a customer's provider or reseller, an invitation's parties), and to
/// platform administrators; anyone else gets `NOT_FOUND`.
#[Object]
impl Partner {
    /// The organization's global id (opaque).
    pub async fn id(&self) -> ID {
        ids::encode(ids::NodeType::Partner, self.0.id)
    }
    /// Provider (tier 1) or reseller (tier 2).
    async fn kind(&self) -> PartnerKind {
        self.0.kind
    }
    /// The organization's name (1 to 200 characters).
    async fn company_name(&self) -> &str {
        &self.0.company_name
    }
    /// ISO 3166-1 alpha-2.
    async fn country(&self) -> &str {
        &self.0.country
    }
    /// The program-wide partner id (7 digits, shown on invitations).
    async fn partner_network_id(&self) -> &str {
        &self.0.partner_network_id
    }
    /// Where the enrollment stands; only ACTIVE partners can invite, accept or be designated.
    async fn enrollment_status(&self) -> EnrollmentStatus {
        self.0.enrollment_status
    }
    /// When the organization enrolled.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the platform last approved the enrollment; null while never approved.
    async fn approved_at(&self) -> Option<DateTime<Utc>> {
        self.0.approved_at
    }
    /// True when an ADMIN requires a second factor of every user of the organization
    /// (`setOrganizationMfaRequired`).
    async fn mfa_required(&self) -> bool {
        self.0.mfa_required
    }
    /// The organization's active users, oldest first (removed users are left out).
    /// Visible to its ADMINs and platform administrators; others get `FORBIDDEN` (reason
    /// `ADMIN_ONLY`; `NOT_A_USER` for API clients).
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Items before this cursor (a `startCursor` or edge `cursor`).")]
        before: Option<String>,
        #[graphql(
            desc = "The first n items, 0 to 100. Give `first` or `last` (not both): \
                    without either the field answers `BAD_USER_INPUT`."
        )]
        first: Option<i32>,
        #[graphql(desc = "The last n items, 0 to 100. Give `first` or `last` (not both).")]
        last: Option<i32>,
    ) -> Result<Page<User>> {
        let actor = auth::actor(ctx)?;
        crate::graphql::policy::people_only(actor)?;
        if !actor.is_platform_admin() && !actor.is_admin_of(self.0.id) {
            return Err(ApiError::Forbidden("ADMIN_ONLY").into());
        }
        let args = PageArgs::new(after, before, first, last)?;
        // Removed users are gone from the list; their history still names them.
        let select = user::Entity::find()
            .filter(user::Column::PartnerId.eq(self.0.id))
            .filter(user::Column::DeactivatedAt.is_null())
            .order_by_asc(user::Column::Id);
        Ok(
            connection::paginate(db(ctx), select, &[Key::Asc(user::Column::Id)], args, User)
                .await?,
        )
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

/// Narrows `partners`; every field given must match.
#[derive(InputObject, Default)]
pub struct PartnerFilter {
    /// Only partners in this enrollment state (PENDING for the approval queue).
    enrollment: Option<EnrollmentStatus>,
    /// Only providers or only resellers.
    kind: Option<PartnerKind>,
    /// Case-insensitive part of the company name (at most 200 characters; blank for no
    /// filter).
    search: Option<String>,
}

#[derive(Default)]
pub struct PartnerQuery;

#[Object]
impl PartnerQuery {
    /// Platform administrators: every partner, oldest first; filter by enrollment to work
    /// through the approval queue. Others get `FORBIDDEN` (reason `PLATFORM_ADMIN_ONLY`).
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn partners(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Enrollment state, kind and name to match; all partners if absent.")]
        filter: Option<PartnerFilter>,
        #[graphql(desc = "Items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Items before this cursor (a `startCursor` or edge `cursor`).")]
        before: Option<String>,
        #[graphql(
            desc = "The first n items, 0 to 100. Give `first` or `last` (not both): \
                    without either the field answers `BAD_USER_INPUT`."
        )]
        first: Option<i32>,
        #[graphql(desc = "The last n items, 0 to 100. Give `first` or `last` (not both).")]
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
        Ok(connection::paginate(
            db(ctx),
            select,
            &[Key::Asc(partner::Column::Id)],
            args,
            Partner,
        )
        .await?)
    }
}

/// Input of `enrollPartner`: the organization and its first ADMIN user.
#[derive(InputObject)]
pub struct EnrollPartnerInput {
    /// Enroll as an indirect provider or an indirect reseller.
    kind: PartnerKind,
    /// The organization's name, 1 to 200 characters.
    company_name: String,
    /// ISO 3166-1 alpha-2, e.g. "US".
    country: String,
    /// The first ADMIN's display name, 1 to 200 characters.
    admin_name: String,
    /// The first ADMIN's sign-in email; must not belong to another account.
    admin_email: String,
    /// The first ADMIN's password: 10 characters to 256 bytes.
    password: String,
    /// The first ADMIN's language for emails and pages (BCP 47, e.g. `zh-TW`); when left
    /// out, the language of the request's `Accept-Language`.
    preferred_language: Option<String>,
}

/// Result of `enrollPartner`.
#[derive(SimpleObject)]
pub struct EnrollPartnerPayload {
    /// The new organization, PENDING; null on failure.
    partner: Option<Partner>,
    /// The first ADMIN; it can sign in at once and sees the enrollment as PENDING.
    admin: Option<User>,
    /// `INVALID` (a name, country, email or preferred language), `WEAK_PASSWORD` or
    /// `EMAIL_TAKEN`.
    user_errors: Vec<UserError>,
}

/// Names one partner organization.
#[derive(InputObject)]
pub struct PartnerIdInput {
    /// The partner's global id.
    partner_id: ID,
}

/// Result of `approveEnrollment` and `suspendPartner`.
#[derive(SimpleObject)]
pub struct PartnerPayload {
    /// The partner in its new state; null on failure.
    partner: Option<Partner>,
    /// `INVALID_STATE` when the partner is not in a state the change applies to.
    user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct EnrollmentMutation;

#[Object]
impl EnrollmentMutation {
    /// Public sign-up of a provider or reseller organization with its first ADMIN user.
    /// The enrollment starts PENDING until a platform administrator approves it. Attempts
    /// are limited per client address (every attempt counts).
    ///
    /// userErrors: `INVALID` (company name, country, admin name, email or preferred language),
    /// `WEAK_PASSWORD`, `EMAIL_TAKEN`. Top-level: `RATE_LIMITED`.
    async fn enroll_partner(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization and its first ADMIN.")] input: EnrollPartnerInput,
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
                preferred_language: input
                    .preferred_language
                    .as_deref()
                    .unwrap_or(crate::language::of_request(ctx).tag()),
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
    ///
    /// userErrors: `INVALID_STATE` (already ACTIVE). Top-level: `FORBIDDEN` (reason
    /// `PLATFORM_ADMIN_ONLY`), `NOT_FOUND`.
    async fn approve_enrollment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partner to approve.")] input: PartnerIdInput,
    ) -> Result<PartnerPayload> {
        let who = crate::audit::Who::of(ctx, auth::platform_admin(ctx)?);
        let id = ids::decode_as(ids::NodeType::Partner, &input.partner_id)?;
        let (partner, user_errors) = split(service::approve(db(ctx), &who, id).await)?;
        Ok(PartnerPayload {
            partner: partner.map(Partner),
            user_errors,
        })
    }

    /// Platform administrators: ACTIVE -> SUSPENDED. The organization's users can still
    /// sign in and read, but every other mutation answers `FORBIDDEN` (reason
    /// `PARTNER_SUSPENDED`) until it is approved again.
    ///
    /// userErrors: `INVALID_STATE` (not ACTIVE). Top-level: `FORBIDDEN` (reason
    /// `PLATFORM_ADMIN_ONLY`), `NOT_FOUND`.
    async fn suspend_partner(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partner to suspend.")] input: PartnerIdInput,
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
