//! GraphQL surface of the provider directory: the public `providerDirectory`, and profile
//! change requests (`submitProfileChangeRequest` with a logo upload, `profileChangeRequests`,
//! `resolveProfileChangeRequest`).

use super::requests::{self, Location, Resolution, Submission};
use crate::auth;
use crate::error::ApiError;
use crate::graphql::connection::{self, Key, Page, PageArgs};
use crate::graphql::payload::split;
use crate::graphql::user_error::UserError;
use crate::graphql::{db, ids};
use crate::jobs::PublicUrl;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject, Upload};
use chrono::{DateTime, Utc};
use entity::enums::{EnrollmentStatus, PartnerKind, ProfileRequestStatus};
use entity::{partner, profile_change_request as request, provider_location, provider_profile};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use std::io::Read;
use worker::msg;

/// Where a provider sends customers of one country.
#[derive(SimpleObject, Clone)]
pub struct ProviderLocation {
    /// ISO 3166-1 alpha-2.
    country: String,
    /// The provider's https page for that country.
    target_url: String,
}

impl From<Location> for ProviderLocation {
    fn from(l: Location) -> Self {
        Self {
            country: l.country,
            target_url: l.target_url,
        }
    }
}

/// An ACTIVE indirect provider as the public directory shows it.
#[derive(SimpleObject)]
pub struct DirectoryProvider {
    /// The provider's company name.
    company_name: String,
    /// The provider's program-wide partner id.
    partner_network_id: String,
    /// Absolute URL of the provider's logo (PNG, JPEG or SVG as stored); null without one.
    logo_url: Option<String>,
    /// One target URL per country, by country code.
    locations: Vec<ProviderLocation>,
}

/// A provider's support request to change its directory profile.
pub struct ProfileChangeRequest(pub request::Model);

/// A provider's support request to change its directory profile. Visible to the provider's
/// users and platform administrators; others get `NOT_FOUND`.
#[Object]
impl ProfileChangeRequest {
    /// The request's global id (opaque).
    pub async fn id(&self) -> ID {
        ids::encode(ids::NodeType::ProfileChangeRequest, self.0.id)
    }
    /// Where the request stands.
    async fn status(&self) -> ProfileRequestStatus {
        self.0.status
    }
    /// The company name asked for.
    async fn company_name(&self) -> &str {
        &self.0.company_name
    }
    /// Whether a logo was uploaded with the request.
    async fn has_logo(&self) -> bool {
        self.0.logo_id.is_some()
    }
    /// The complete set of locations asked for (they replace the current ones).
    async fn locations(&self) -> Vec<ProviderLocation> {
        requests::locations_of(&self.0)
            .into_iter()
            .map(Into::into)
            .collect()
    }
    /// When the provider submitted it.
    async fn submitted_at(&self) -> DateTime<Utc> {
        self.0.submitted_at
    }
    /// 21 days after submission: the program updates profiles within two to three weeks.
    async fn due_by(&self) -> DateTime<Utc> {
        self.0.due_by
    }
    /// When it was completed or rejected; null while open.
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at
    }
    /// Why it was rejected (REJECTED only).
    async fn rejection_reason(&self) -> Option<&str> {
        self.0.rejection_reason.as_deref()
    }
    /// The provider's current company name.
    async fn provider_name(&self, ctx: &Context<'_>) -> Result<String> {
        let p = partner::Entity::find_by_id(self.0.partner_id)
            .one(db(ctx))
            .await
            .map_err(ApiError::from)?
            .ok_or(ApiError::NotFound)?;
        Ok(p.company_name)
    }
}

/// One location of a profile change request.
#[derive(InputObject)]
pub struct LocationInput {
    /// ISO 3166-1 alpha-2 country code (any case).
    country: String,
    /// A full `https` URL, e.g. https://example.com/partners; at most 2,000 characters
    /// once normalized (non-ASCII characters %-escaped).
    target_url: String,
}

/// Input of `submitProfileChangeRequest`: the profile as it should become.
#[derive(InputObject)]
pub struct SubmitProfileChangeRequestInput {
    /// The company name, 1 to 200 characters.
    company_name: String,
    /// PNG, JPEG or SVG (GraphQL multipart request), at most 256 KiB and 4096 pixels a
    /// side; the type is judged from the bytes. Absent keeps the current logo.
    logo: Option<Upload>,
    /// One target URL per country.
    locations: Vec<LocationInput>,
}

/// Result of `submitProfileChangeRequest` and `resolveProfileChangeRequest`.
#[derive(SimpleObject)]
pub struct ProfileChangeRequestPayload {
    /// The request in its new state; null on failure.
    request: Option<ProfileChangeRequest>,
    /// Business-rule failures; see the mutation for the codes.
    user_errors: Vec<UserError>,
}

/// What a platform administrator does with a profile change request.
#[derive(Enum, Copy, Clone, PartialEq, Eq)]
pub enum ProfileRequestDecision {
    /// SUBMITTED -> IN_REVIEW.
    StartReview,
    /// IN_REVIEW -> COMPLETED: the profile and the directory change.
    Complete,
    /// IN_REVIEW -> REJECTED, with a reason.
    Reject,
}

/// Input of `resolveProfileChangeRequest`.
#[derive(InputObject)]
pub struct ResolveProfileChangeRequestInput {
    /// The request's global id.
    request_id: ID,
    /// The step to take.
    decision: ProfileRequestDecision,
    /// Required to reject; shown to the provider.
    reason: Option<String>,
}

/// Narrows `profileChangeRequests`.
#[derive(InputObject, Default)]
pub struct ProfileChangeRequestFilter {
    /// Only requests in this state.
    status: Option<ProfileRequestStatus>,
}

#[derive(Default)]
pub struct DirectoryQuery;

#[Object]
impl DirectoryQuery {
    /// Public (no sign-in): ACTIVE indirect providers with a completed profile, by name,
    /// optionally only those with a location in `country`.
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn provider_directory(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "ISO 3166-1 alpha-2 country code (any case); blank for all.")]
        country: Option<String>,
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
    ) -> Result<Page<DirectoryProvider>> {
        let args = PageArgs::new(after, before, first, last)?;
        let db = db(ctx);
        let mut select = partner::Entity::find()
            .filter(partner::Column::Kind.eq(PartnerKind::IndirectProvider))
            .filter(partner::Column::EnrollmentStatus.eq(EnrollmentStatus::Active))
            .filter(
                partner::Column::Id.in_subquery(
                    Query::select()
                        .column(provider_profile::Column::PartnerId)
                        .from(provider_profile::Entity)
                        .to_owned(),
                ),
            )
            .order_by_asc(partner::Column::CompanyName)
            .order_by_asc(partner::Column::Id);
        if let Some(country) = country.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            select = select.filter(
                partner::Column::Id.in_subquery(
                    Query::select()
                        .column(provider_location::Column::PartnerId)
                        .from(provider_location::Entity)
                        .and_where(
                            Expr::col(provider_location::Column::Country)
                                .eq(country.to_uppercase()),
                        )
                        .to_owned(),
                ),
            );
        }
        let order = [
            Key::Asc(partner::Column::CompanyName),
            Key::Asc(partner::Column::Id),
        ];
        let page = connection::window(db, select, &order, args).await?;
        // One statement each for the page's profiles and locations.
        let ids: Vec<i32> = page.rows.iter().map(|p| p.id).collect();
        let logos: HashMap<i32, Option<i32>> = provider_profile::Entity::find()
            .filter(provider_profile::Column::PartnerId.is_in(ids.clone()))
            .all(db)
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .map(|p| (p.partner_id, p.logo_id))
            .collect();
        let mut locations: HashMap<i32, Vec<ProviderLocation>> = HashMap::new();
        for l in provider_location::Entity::find()
            .filter(provider_location::Column::PartnerId.is_in(ids))
            .order_by_asc(provider_location::Column::Country)
            .all(db)
            .await
            .map_err(ApiError::from)?
        {
            locations
                .entry(l.partner_id)
                .or_default()
                .push(ProviderLocation {
                    country: l.country,
                    target_url: l.target_url,
                });
        }
        let base = ctx
            .data_unchecked::<PublicUrl>()
            .0
            .trim_end_matches('/')
            .to_owned();
        Ok(page.into_page(|p| DirectoryProvider {
            logo_url: logos
                .get(&p.id)
                .copied()
                .flatten()
                .map(|id| format!("{base}/logos/{id}")),
            locations: locations.remove(&p.id).unwrap_or_default(),
            company_name: p.company_name,
            partner_network_id: p.partner_network_id,
        }))
    }

    /// Platform admins: all requests, earliest due first; providers' users: their own,
    /// newest first. Others get `FORBIDDEN` (reason `PROVIDER_ONLY`).
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn profile_change_requests(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Status to match; every request if absent.")] filter: Option<
            ProfileChangeRequestFilter,
        >,
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
    ) -> Result<Page<ProfileChangeRequest>> {
        let actor = auth::actor(ctx)?;
        let args = PageArgs::new(after, before, first, last)?;
        let select = requests::list(actor, filter.unwrap_or_default().status)?;
        // The same orders as `requests::list`: the platform's queue by due date.
        let order: &[Key<request::Column>] = if actor.is_platform_admin() {
            &[
                Key::Asc(request::Column::DueBy),
                Key::Asc(request::Column::Id),
            ]
        } else {
            &[Key::Desc(request::Column::Id)]
        };
        Ok(connection::paginate(db(ctx), select, order, args, ProfileChangeRequest).await?)
    }
}

#[derive(Default)]
pub struct DirectoryMutation;

#[Object]
impl DirectoryMutation {
    /// Provider ADMIN: asks the program to change its directory profile. The live profile
    /// changes only when a platform administrator completes the request (due 21 days after
    /// submission). At most one open request per provider. Send it as a GraphQL multipart
    /// request when it carries a logo.
    ///
    /// userErrors: `INVALID` (company name, a country code, a URL that does not parse),
    /// `DUPLICATE_COUNTRY`, `INSECURE_URL`, `OUT_OF_RANGE` (a URL too long), `LOGO_TOO_LARGE`,
    /// `INVALID_LOGO`, `UNSAFE_SVG`, `OPEN_REQUEST_EXISTS`. Top-level: `FORBIDDEN` (reason `ADMIN_ONLY` or
    /// `PROVIDER_ONLY`), `BAD_USER_INPUT` (the upload cannot be read).
    async fn submit_profile_change_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company name, logo and locations asked for.")]
        input: SubmitProfileChangeRequestInput,
    ) -> Result<ProfileChangeRequestPayload> {
        let (actor, provider) = auth::partner_admin(ctx)?;
        let logo = match &input.logo {
            None => None,
            Some(upload) => {
                let value = upload
                    .value(ctx)
                    .map_err(|_| ApiError::BadUserInput(msg!("error-logo-unreadable")))?;
                let mut bytes = Vec::new();
                value
                    .into_read()
                    .take(super::logo::MAX_LOGO_BYTES as u64 + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| ApiError::internal("reading the upload", e))?;
                Some(bytes)
            }
        };
        let submission = Submission {
            company_name: input.company_name,
            logo,
            locations: input
                .locations
                .into_iter()
                .map(|l| Location {
                    country: l.country,
                    target_url: l.target_url,
                })
                .collect(),
        };
        let (request, user_errors) = split(
            requests::submit(
                db(ctx),
                &crate::audit::Who::of(ctx, actor),
                actor,
                provider,
                submission,
            )
            .await,
        )?;
        Ok(ProfileChangeRequestPayload {
            request: request.map(ProfileChangeRequest),
            user_errors,
        })
    }

    /// Platform admins: moves a request through review (SUBMITTED -> IN_REVIEW ->
    /// COMPLETED or REJECTED). Completing applies it to the live profile and the directory.
    ///
    /// userErrors: `INVALID` (rejecting without a reason), `INVALID_STATE` (the decision
    /// does not fit the request's state). Top-level: `FORBIDDEN` (reason
    /// `PLATFORM_ADMIN_ONLY`), `NOT_FOUND`.
    async fn resolve_profile_change_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request and the decision.")] input: ResolveProfileChangeRequestInput,
    ) -> Result<ProfileChangeRequestPayload> {
        let actor = auth::platform_admin(ctx)?;
        let id = ids::decode_as(ids::NodeType::ProfileChangeRequest, &input.request_id)?;
        let resolution = match input.decision {
            ProfileRequestDecision::StartReview => Resolution::Review,
            ProfileRequestDecision::Complete => Resolution::Complete,
            ProfileRequestDecision::Reject => Resolution::Reject,
        };
        let result = requests::resolve(
            db(ctx),
            &crate::audit::Who::of(ctx, actor),
            actor,
            id,
            resolution,
            input.reason.as_deref(),
        )
        .await;
        let (request, user_errors) = split(result)?;
        Ok(ProfileChangeRequestPayload {
            request: request.map(ProfileChangeRequest),
            user_errors,
        })
    }
}
