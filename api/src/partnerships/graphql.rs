//! GraphQL types of partnerships: `PartnershipInvitation`, `Partnership` with its usage and
//! credited subscriptions, `EmailDelivery`. The queries are in `queries.rs`, the mutations
//! in `mutations.rs`.

use super::invitations::{self, LinkSettings};
use crate::auth;
use crate::catalog::Money;
use crate::customers::graphql::Subscription;
use crate::error::ApiError;
use crate::graphql::{db, ids};
use crate::partners::Partner;
use crate::partners::graphql::named_partner;
use crate::partners::service as partners;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::{DeliveryStatus, InvitationStatus, PartnershipStatus};
use entity::{outbound_email, partnership, partnership_invitation as invitation};
use sea_orm::EntityTrait;

pub use super::mutations::PartnershipMutation;

/// Where invitation links point and how long they live, from the request's settings.
pub fn link_settings<'a>(ctx: &Context<'a>) -> LinkSettings<'a> {
    let s = crate::graphql::settings(ctx);
    LinkSettings {
        public_url: ctx.data_unchecked::<crate::jobs::PublicUrl>().0.as_str(),
        ttl_days: s.invitation_ttl_days,
        relay_after_ms: s.jobs.relay_after_ms,
        rate_limits: &s.rate_limits,
    }
}

/// Delivery of one email through the outbox.
#[derive(SimpleObject)]
pub struct EmailDelivery {
    /// Where delivery stands.
    status: DeliveryStatus,
    /// Sending attempts made so far (retried with backoff, 6 at most by default).
    attempts: i32,
    /// Why the last attempt failed, if it did (QUEUED with attempts left, or FAILED).
    last_error: Option<String>,
    /// Why the email was deliberately not sent (CANCELLED): the invitation was answered,
    /// revoked, re-sent or expired first.
    cancel_reason: Option<String>,
    /// When the email was written to the outbox.
    queued_at: DateTime<Utc>,
    /// When the mail server accepted it; null until SENT.
    sent_at: Option<DateTime<Utc>>,
}

impl From<outbound_email::Model> for EmailDelivery {
    fn from(e: outbound_email::Model) -> Self {
        let (last_error, cancel_reason) = match e.status {
            DeliveryStatus::Cancelled => (None, e.last_error),
            _ => (e.last_error, None),
        };
        Self {
            status: e.status,
            attempts: e.attempts,
            last_error,
            cancel_reason,
            queued_at: e.created_at,
            sent_at: e.sent_at,
        }
    }
}

/// A provider's invitation to a reseller email.
pub struct PartnershipInvitation(pub invitation::Model);

/// A provider's invitation to a reseller email. Visible to the provider's users, to the
/// reseller that answered it, and to platform administrators; others get `NOT_FOUND`.
#[Object]
impl PartnershipInvitation {
    /// The invitation's global id (opaque).
    pub async fn id(&self) -> ID {
        ids::encode(ids::NodeType::PartnershipInvitation, self.0.id)
    }
    /// PENDING past its expiry reads EXPIRED even before the expiry job runs.
    async fn status(&self) -> InvitationStatus {
        invitations::effective_status(&self.0)
    }
    /// The address invited, lower-cased.
    async fn reseller_email(&self) -> &str {
        &self.0.reseller_email
    }
    /// The email's subject line.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// The message as sent; `{link}` stands for the personalized link, which is shown only
    /// when the invitation is created or re-sent.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// When the provider requested the partnership.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the link stops working (30 days after it was issued by default; re-sending
    /// starts a new period).
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    /// When it was accepted, declined or revoked; null while unanswered.
    async fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.0.responded_at
    }
    /// Whoever can see the invitation (its provider, the reseller that answered it) sees
    /// both parties, even when no partnership came of it.
    async fn provider(&self, ctx: &Context<'_>) -> Result<Partner> {
        named_partner(ctx, self.0.provider_id).await
    }
    /// The reseller that accepted or declined.
    async fn responded_by(&self, ctx: &Context<'_>) -> Result<Option<Partner>> {
        match self.0.responded_by_partner_id {
            Some(id) => Ok(Some(named_partner(ctx, id).await?)),
            None => Ok(None),
        }
    }
    /// Delivery of the latest email; null when only a draft was produced. Only the
    /// provider's side sees it (the error text comes from its mail server).
    async fn delivery(&self, ctx: &Context<'_>) -> Result<Option<EmailDelivery>> {
        let actor = auth::actor(ctx)?;
        let Some(id) = self.0.outbound_email_id else {
            return Ok(None);
        };
        if !actor.is_platform_admin() && actor.partner_id() != Some(self.0.provider_id) {
            return Ok(None);
        }
        Ok(outbound_email::Entity::find_by_id(id)
            .one(db(ctx))
            .await
            .map_err(ApiError::from)?
            .map(EmailDelivery::from))
    }
}

/// A partnership between an indirect provider and an indirect reseller.
pub struct Partnership(pub partnership::Model);

/// A partnership between an indirect provider and an indirect reseller. Visible to the
/// users of both organizations and to platform administrators; others get `NOT_FOUND`.
#[Object]
impl Partnership {
    /// The partnership's global id (opaque).
    pub async fn id(&self) -> ID {
        ids::encode(ids::NodeType::Partnership, self.0.id)
    }
    /// ACTIVE or ENDED.
    async fn status(&self) -> PartnershipStatus {
        self.0.status
    }
    /// When the reseller accepted the invitation that started it.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was ended; null while ACTIVE.
    async fn ended_at(&self) -> Option<DateTime<Utc>> {
        self.0.ended_at
    }
    /// The indirect provider (tier 1).
    async fn provider(&self, ctx: &Context<'_>) -> Result<Partner> {
        let actor = auth::actor(ctx)?;
        Ok(Partner(
            partners::find_visible(db(ctx), actor, self.0.provider_id).await?,
        ))
    }
    /// The month's orders placed on the reseller's behalf, at the list prices and at the
    /// reseller's prices recorded on their lines, and the difference (list − reseller).
    /// Only the two partners see it: `FORBIDDEN` (reason `PARTNERS_ONLY`).
    async fn margin(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The calendar month (UTC) as `YYYY-MM`.")] month: String,
    ) -> Result<crate::price_lists::margin::PartnershipMargin> {
        let mine = auth::actor(ctx)?.partner_id();
        if mine != Some(self.0.provider_id) && mine != Some(self.0.reseller_id) {
            return Err(ApiError::Forbidden("PARTNERS_ONLY").into());
        }
        let span = crate::price_lists::margin::month(&month)?;
        Ok(
            crate::price_lists::margin::of(db(ctx), self.0.provider_id, self.0.reseller_id, span)
                .await?,
        )
    }
    /// What the reseller earns credit on with this provider: live subscriptions naming it
    /// partner of record, with licenses and monthly value, totalled. Only the two partners
    /// see it (platform administrators do not see customers' subscriptions): `FORBIDDEN`.
    async fn incentives(&self, ctx: &Context<'_>) -> Result<Incentives> {
        let mine = auth::actor(ctx)?.partner_id();
        if mine != Some(self.0.provider_id) && mine != Some(self.0.reseller_id) {
            return Err(ApiError::Forbidden("PARTNERS_ONLY").into());
        }
        let rows =
            crate::customers::incentives::credited(db(ctx), self.0.provider_id, self.0.reseller_id)
                .await?;
        let currency = rows
            .first()
            .map_or_else(|| "USD".to_owned(), |r| r.offer.currency.clone());
        let total_licenses = rows
            .iter()
            .map(|r| i64::from(r.subscription.quantity))
            .sum();
        let total_minor: i64 = rows
            .iter()
            .map(|r| r.offer.monthly_unit_price_minor * i64::from(r.subscription.quantity))
            .sum();
        Ok(Incentives {
            subscriptions: rows
                .into_iter()
                .map(|r| CreditedSubscription {
                    licenses: r.subscription.quantity,
                    monthly_value: Money::new(
                        r.offer.monthly_unit_price_minor * i64::from(r.subscription.quantity),
                        &r.offer.currency,
                    ),
                    offer_name: r.offer.name,
                    subscription: Subscription(r.subscription),
                })
                .collect(),
            total_licenses,
            monthly_total: Money::new(total_minor, &currency),
        })
    }
    /// What the reseller still serves for this provider (what `PARTNERSHIP_IN_USE` counts;
    /// `offboardReseller` clears it). Only the two partners see it: `FORBIDDEN` otherwise.
    async fn usage(&self, ctx: &Context<'_>) -> Result<PartnershipUsage> {
        let mine = auth::actor(ctx)?.partner_id();
        if mine != Some(self.0.provider_id) && mine != Some(self.0.reseller_id) {
            return Err(ApiError::Forbidden("PARTNERS_ONLY").into());
        }
        let usage =
            super::usage::reseller_serves_provider(db(ctx), self.0.provider_id, self.0.reseller_id)
                .await?;
        Ok(PartnershipUsage {
            customers: i32::try_from(usage.customers).unwrap_or(i32::MAX),
            subscriptions: i32::try_from(usage.subscriptions).unwrap_or(i32::MAX),
        })
    }
    /// The indirect reseller (tier 2).
    async fn reseller(&self, ctx: &Context<'_>) -> Result<Partner> {
        let actor = auth::actor(ctx)?;
        Ok(Partner(
            partners::find_visible(db(ctx), actor, self.0.reseller_id).await?,
        ))
    }
}

/// What a reseller serves for a provider.
#[derive(SimpleObject)]
pub struct PartnershipUsage {
    /// The provider's customers on which the reseller holds an ACTIVE admin relationship or
    /// the Azure tenant ownership.
    customers: i32,
    /// The provider's live subscriptions naming the reseller support contact or partner of
    /// record.
    subscriptions: i32,
}

/// One subscription crediting the reseller.
#[derive(SimpleObject)]
pub struct CreditedSubscription {
    /// The subscription naming the reseller its partner of record.
    subscription: Subscription,
    /// The name of the subscription's offer.
    offer_name: String,
    /// The subscription's number of licenses.
    licenses: i32,
    /// Licenses times the offer's monthly unit price.
    monthly_value: Money,
}

/// What a reseller earns credit on with one provider (partner of record on live
/// subscriptions), with totals.
#[derive(SimpleObject)]
pub struct Incentives {
    /// Each live (not cancelled) subscription of the provider's customers naming the
    /// reseller partner of record.
    subscriptions: Vec<CreditedSubscription>,
    /// Licenses over all those subscriptions.
    total_licenses: i64,
    /// Monthly value over all those subscriptions, in the currency of the first one (USD
    /// when there is none).
    monthly_total: Money,
}
