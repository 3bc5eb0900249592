//! The partnership queries: the public `invitationByToken`, `partnershipInvitations`,
//! `indirectResellers` and `indirectProviders`. Their types are in `graphql.rs`.

use super::graphql::{Partnership, PartnershipInvitation};
use super::{invitations, service};
use crate::auth;
use crate::error::ApiError;
use crate::graphql::connection::{self, Key, Page, PageArgs};
use crate::graphql::db;
use crate::graphql::search::SearchTerm;
use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::{InvitationStatus, PartnerKind, PartnershipStatus};
use entity::{partnership, partnership_invitation as invitation};

/// What anyone holding a link may see before signing in.
#[derive(SimpleObject)]
pub struct InvitationPreview {
    /// The inviting provider's company name.
    provider_name: String,
    /// The inviting provider's program-wide partner id.
    provider_partner_network_id: String,
    /// The inviting provider's country (ISO 3166-1 alpha-2).
    provider_country: String,
    /// The invitation's status; PENDING past its expiry reads EXPIRED.
    status: InvitationStatus,
    /// When the link stops working.
    expires_at: DateTime<Utc>,
}

/// Narrows `partnershipInvitations`.
#[derive(InputObject, Default)]
pub struct InvitationFilter {
    /// Only invitations with this stored status (an unanswered invitation past its expiry
    /// stays PENDING here until the expiry job has run).
    status: Option<InvitationStatus>,
}

/// Narrows `indirectResellers` and `indirectProviders`; every field given must match.
#[derive(InputObject, Default)]
pub struct PartnershipFilter {
    /// Case-insensitive part of the other organization's name (at most 200 characters;
    /// blank for no filter).
    search: Option<String>,
    /// Only ACTIVE or only ENDED partnerships.
    status: Option<PartnershipStatus>,
}

#[derive(Default)]
pub struct PartnershipQuery;

#[Object]
impl PartnershipQuery {
    /// Public (no sign-in): the provider, status and expiry behind an invitation link.
    /// `NOT_FOUND` for an unknown token.
    async fn invitation_by_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The `token` parameter of the invitation link.")] token: String,
    ) -> Result<InvitationPreview> {
        let (inv, provider) = invitations::preview(db(ctx), &token).await?;
        Ok(InvitationPreview {
            provider_name: provider.company_name,
            provider_partner_network_id: provider.partner_network_id,
            provider_country: provider.country,
            status: invitations::effective_status(&inv),
            expires_at: inv.expires_at,
        })
    }

    /// Users of a provider: its invitations, newest first. Others get `FORBIDDEN` (reason
    /// `PROVIDER_ONLY`).
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn partnership_invitations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Status to match; every invitation if absent.")] filter: Option<
            InvitationFilter,
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
    ) -> Result<Page<PartnershipInvitation>> {
        let provider = own_partner(ctx, PartnerKind::IndirectProvider)?;
        let args = PageArgs::new(after, before, first, last)?;
        let select = invitations::list(provider, filter.unwrap_or_default().status);
        Ok(connection::paginate(
            db(ctx),
            select,
            &[Key::Desc(invitation::Column::Id)],
            args,
            PartnershipInvitation,
        )
        .await?)
    }

    /// Users of a provider: its partnerships with indirect resellers (the "Indirect
    /// resellers" page), newest first. Others get `FORBIDDEN` (reason `PROVIDER_ONLY`).
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn indirect_resellers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Status and reseller name to match; every partnership if absent.")]
        filter: Option<PartnershipFilter>,
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
    ) -> Result<Page<Partnership>> {
        let provider = own_partner(ctx, PartnerKind::IndirectProvider)?;
        let args = PageArgs::new(after, before, first, last)?;
        partnerships_page(ctx, service::Side::Provider(provider), filter, args).await
    }

    /// Users of a reseller: its partnerships with indirect providers, newest first. Others
    /// get `FORBIDDEN` (reason `RESELLER_ONLY`).
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn indirect_providers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Status and provider name to match; every partnership if absent.")]
        filter: Option<PartnershipFilter>,
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
    ) -> Result<Page<Partnership>> {
        let reseller = own_partner(ctx, PartnerKind::IndirectReseller)?;
        let args = PageArgs::new(after, before, first, last)?;
        partnerships_page(ctx, service::Side::Reseller(reseller), filter, args).await
    }
}

/// One side's partnerships, newest first, narrowed by `filter`.
async fn partnerships_page(
    ctx: &Context<'_>,
    side: service::Side,
    filter: Option<PartnershipFilter>,
    args: PageArgs,
) -> Result<Page<Partnership>> {
    let filter = filter.unwrap_or_default();
    let select = service::list(
        side,
        filter.status,
        SearchTerm::parse(filter.search.as_deref(), "search")?.as_ref(),
    );
    Ok(connection::paginate(
        db(ctx),
        select,
        &[Key::Desc(partnership::Column::Id)],
        args,
        Partnership,
    )
    .await?)
}

/// The caller's own partner id, which must be of `kind`.
fn own_partner(ctx: &Context<'_>, kind: PartnerKind) -> Result<i32, ApiError> {
    let actor = auth::actor(ctx)?;
    match &actor.partner {
        Some(p) if p.kind == kind => Ok(p.id),
        _ => Err(ApiError::Forbidden(match kind {
            PartnerKind::IndirectProvider => "PROVIDER_ONLY",
            PartnerKind::IndirectReseller => "RESELLER_ONLY",
        })),
    }
}
