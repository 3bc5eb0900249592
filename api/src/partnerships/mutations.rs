//! Partnership mutations: request, resend, revoke, accept, decline, end. Emails are
//! dispatched to the queue only after the transaction that wrote them has committed.

use super::draft::Draft;
use super::graphql::{Partnership, PartnershipInvitation, link_settings};
use super::invitations::{self, Answer, Compose, Issued};
use super::service;
use crate::audit::Who;
use crate::auth;
use crate::graphql::payload::split;
use crate::graphql::user_error::UserError;
use crate::graphql::{db, ids};
use crate::jobs::Dispatcher;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

/// The email the dashboard shows: "Open in email" uses `mailtoUri`, "Copy to clipboard"
/// copies `clipboardText`.
#[derive(SimpleObject)]
pub struct InvitationDraft {
    /// The recipient: the invited reseller email.
    to: String,
    /// The subject line (the provider's, or the default one).
    subject: String,
    /// Plain text; always contains the personalized link.
    body: String,
    /// A `mailto:` URI (RFC 6068) with recipient, subject and body, for "Open in email".
    mailto_uri: String,
    /// `Subject: <subject>`, a blank line and the body, for "Copy to clipboard".
    clipboard_text: String,
}

impl From<Draft> for InvitationDraft {
    fn from(d: Draft) -> Self {
        Self {
            mailto_uri: d.mailto_uri(),
            clipboard_text: d.clipboard_text(),
            to: d.to,
            subject: d.subject,
            body: d.body,
        }
    }
}

/// Input of `requestPartnership`.
#[derive(InputObject)]
pub struct RequestPartnershipInput {
    /// The reseller's email address: the invitation and its link go there.
    reseller_email: String,
    /// Replaces the default subject (at most 200 characters; blank for the default).
    subject: Option<String>,
    /// Replaces the default message (at most 10,000 characters; blank for the default).
    /// `{link}` marks where the personalized link goes; it is appended if left out.
    body: Option<String>,
    /// The language of the email and draft (BCP 47, e.g. `zh-TW`) when the recipient is not
    /// a known user (a known user gets its own `preferredLanguage`); the requester's
    /// otherwise. `INVALID` for a malformed tag.
    language: Option<String>,
    /// Only produce the draft: nothing is emailed (send it from your own mail app).
    #[graphql(default = false)]
    draft_only: bool,
}

/// Input of `resendPartnershipInvitation`.
#[derive(InputObject)]
pub struct ResendPartnershipInvitationInput {
    /// A PENDING or EXPIRED invitation of the caller's organization.
    invitation_id: ID,
    /// Replaces the subject (at most 200 characters); the previous one if absent.
    subject: Option<String>,
    /// Replaces the message (at most 10,000 characters); the previous one, with the new
    /// link, if absent. `{link}` marks where the link goes; it is appended if left out.
    body: Option<String>,
    /// The language of the email and draft (BCP 47, e.g. `zh-TW`) when the recipient is not
    /// a known user (a known user gets its own `preferredLanguage`); the requester's
    /// otherwise. `INVALID` for a malformed tag.
    language: Option<String>,
    /// Only produce the draft: nothing is emailed (the previous email keeps its status).
    #[graphql(default = false)]
    draft_only: bool,
}

/// Result of `requestPartnership` and `resendPartnershipInvitation`.
#[derive(SimpleObject)]
pub struct InvitationIssuedPayload {
    /// The invitation, PENDING with its new expiry; null on failure.
    invitation: Option<PartnershipInvitation>,
    /// The personalized single-use link; shown only here.
    link: Option<String>,
    /// The email as sent (or to send yourself with `draftOnly`).
    draft: Option<InvitationDraft>,
    /// Business-rule failures; see the mutation for the codes.
    user_errors: Vec<UserError>,
}

/// Names one partnership invitation.
#[derive(InputObject)]
pub struct InvitationIdInput {
    /// The invitation's global id.
    invitation_id: ID,
}

/// Result of `revokePartnershipInvitation`.
#[derive(SimpleObject)]
pub struct InvitationPayload {
    /// The invitation, now REVOKED; null on failure.
    invitation: Option<PartnershipInvitation>,
    /// `INVALID_STATE` when the invitation is not PENDING.
    user_errors: Vec<UserError>,
}

/// The token of an invitation link, to answer it.
#[derive(InputObject)]
pub struct InvitationTokenInput {
    /// The `token` parameter of the invitation link.
    token: String,
}

/// Result of `acceptPartnershipInvitation`.
#[derive(SimpleObject)]
pub struct AcceptPartnershipInvitationPayload {
    /// The ACTIVE partnership with the inviting provider; null on failure.
    partnership: Option<Partnership>,
    /// Why the link cannot be accepted; see the mutation for the codes.
    user_errors: Vec<UserError>,
}

/// Result of `declinePartnershipInvitation`.
#[derive(SimpleObject)]
pub struct DeclinePartnershipInvitationPayload {
    /// True when the invitation was declined.
    declined: bool,
    /// Why the link cannot be declined; see the mutation for the codes.
    user_errors: Vec<UserError>,
}

/// Input of `endPartnership`.
#[derive(InputObject)]
pub struct EndPartnershipInput {
    /// The ACTIVE partnership to end.
    partnership_id: ID,
}

/// Result of `endPartnership`.
#[derive(SimpleObject)]
pub struct PartnershipPayload {
    /// The partnership, now ENDED; null on failure.
    partnership: Option<Partnership>,
    /// `INVALID_STATE` (already ended) or `PARTNERSHIP_IN_USE`.
    user_errors: Vec<UserError>,
}

async fn issued_payload(
    ctx: &Context<'_>,
    result: crate::error::ApiResult<Issued>,
) -> Result<InvitationIssuedPayload> {
    let (issued, user_errors) = split(result)?;
    let Some(issued) = issued else {
        return Ok(InvitationIssuedPayload {
            invitation: None,
            link: None,
            draft: None,
            user_errors,
        });
    };
    if let Some(email_id) = issued.email_id {
        ctx.data_unchecked::<Dispatcher>().email(email_id);
    }
    Ok(InvitationIssuedPayload {
        invitation: Some(PartnershipInvitation(issued.invitation)),
        link: Some(issued.link),
        draft: Some(issued.draft.into()),
        user_errors,
    })
}

#[derive(Default)]
pub struct PartnershipMutation;

#[Object]
impl PartnershipMutation {
    /// Provider ADMIN (enrollment ACTIVE): invites a reseller email to a partnership. Returns
    /// the personalized link and the draft email; unless `draftOnly`, the worker emails it.
    /// The link works once, until it expires (30 days by default). Emails sent on an
    /// organization's behalf are rate-limited (not drafts).
    ///
    /// userErrors: `PROVIDER_NOT_ACTIVE`, `INVALID` (email address), `OUT_OF_RANGE`
    /// (subject over 200 or message over 10,000 characters), `ALREADY_PARTNERS`.
    /// Top-level: `FORBIDDEN` (reason `ADMIN_ONLY` or `PROVIDER_ONLY`), `RATE_LIMITED`.
    async fn request_partnership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whom to invite and the email's text.")] input: RequestPartnershipInput,
    ) -> Result<InvitationIssuedPayload> {
        let (actor, provider) = auth::partner_admin(ctx)?;
        let result = invitations::request(
            db(ctx),
            &link_settings(ctx),
            &Who::of(ctx, actor),
            actor,
            provider,
            &input.reseller_email,
            Compose {
                subject: input.subject.as_deref(),
                body: input.body.as_deref(),
                language: input.language.as_deref(),
                draft_only: input.draft_only,
            },
        )
        .await;
        issued_payload(ctx, result).await
    }

    /// Provider ADMIN: a new link for a PENDING or EXPIRED invitation (the old link stops
    /// working), a new expiry, and a new email unless `draftOnly`. Also the way to re-send
    /// a FAILED email.
    ///
    /// userErrors: `PROVIDER_NOT_ACTIVE`, `OUT_OF_RANGE` (subject or message too long),
    /// `INVALID_STATE` (accepted, declined or revoked, also meanwhile). Top-level:
    /// `FORBIDDEN` (reason `ADMIN_ONLY` or `PROVIDER_ONLY`), `NOT_FOUND` (not the caller's
    /// invitation), `RATE_LIMITED`.
    async fn resend_partnership_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The invitation and optional new text.")]
        input: ResendPartnershipInvitationInput,
    ) -> Result<InvitationIssuedPayload> {
        let (actor, provider) = auth::partner_admin(ctx)?;
        let id = ids::decode_as(ids::NodeType::PartnershipInvitation, &input.invitation_id)?;
        let result = invitations::resend(
            db(ctx),
            &link_settings(ctx),
            &Who::of(ctx, actor),
            actor,
            provider,
            id,
            Compose {
                subject: input.subject.as_deref(),
                body: input.body.as_deref(),
                language: input.language.as_deref(),
                draft_only: input.draft_only,
            },
        )
        .await;
        issued_payload(ctx, result).await
    }

    /// Provider ADMIN: withdraws a PENDING invitation; its link stops working and an unsent
    /// email is cancelled.
    ///
    /// userErrors: `INVALID_STATE` (not PENDING). Top-level: `FORBIDDEN` (reason
    /// `ADMIN_ONLY`), `NOT_FOUND` (not the caller's invitation).
    async fn revoke_partnership_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The invitation to revoke.")] input: InvitationIdInput,
    ) -> Result<InvitationPayload> {
        let (actor, provider) = auth::partner_admin(ctx)?;
        let id = ids::decode_as(ids::NodeType::PartnershipInvitation, &input.invitation_id)?;
        let who = Who::of(ctx, actor);
        let (invitation, user_errors) =
            split(invitations::revoke(db(ctx), &who, provider, id).await)?;
        Ok(InvitationPayload {
            invitation: invitation.map(PartnershipInvitation),
            user_errors,
        })
    }

    /// Reseller ADMIN (enrollment ACTIVE): accepts with the link's token and gets the ACTIVE
    /// partnership (an existing one is not duplicated). Of concurrent answers exactly one
    /// wins.
    ///
    /// userErrors: `INVITATION_NOT_FOUND`, `CANNOT_ANSWER_OWN_INVITATION`,
    /// `NOT_A_RESELLER`, `INVITATION_EXPIRED`, `INVITATION_REVOKED`,
    /// `INVITATION_ALREADY_USED`, `RESELLER_NOT_ENROLLED` (the caller's enrollment is not
    /// ACTIVE), `PROVIDER_NOT_ACTIVE` (the inviting provider is suspended). Top-level:
    /// `FORBIDDEN` (reason `ADMIN_ONLY`).
    async fn accept_partnership_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The link's token.")] input: InvitationTokenInput,
    ) -> Result<AcceptPartnershipInvitationPayload> {
        let (actor, reseller) = auth::partner_admin(ctx)?;
        let result = invitations::answer(
            db(ctx),
            &Who::of(ctx, actor),
            actor,
            reseller,
            &input.token,
            Answer::Accept,
        )
        .await;
        let (answered, user_errors) = split(result)?;
        Ok(AcceptPartnershipInvitationPayload {
            partnership: answered.and_then(|a| a.partnership).map(Partnership),
            user_errors,
        })
    }

    /// Reseller ADMIN: declines with the link's token (a PENDING enrollment may decline).
    ///
    /// userErrors: `INVITATION_NOT_FOUND`, `CANNOT_ANSWER_OWN_INVITATION`,
    /// `NOT_A_RESELLER`, `INVITATION_EXPIRED`, `INVITATION_REVOKED`,
    /// `INVITATION_ALREADY_USED`. Top-level: `FORBIDDEN` (reason `ADMIN_ONLY`).
    async fn decline_partnership_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The link's token.")] input: InvitationTokenInput,
    ) -> Result<DeclinePartnershipInvitationPayload> {
        let (actor, reseller) = auth::partner_admin(ctx)?;
        let result = invitations::answer(
            db(ctx),
            &Who::of(ctx, actor),
            actor,
            reseller,
            &input.token,
            Answer::Decline,
        )
        .await;
        let (answered, user_errors) = split(result)?;
        Ok(DeclinePartnershipInvitationPayload {
            declined: answered.is_some(),
            user_errors,
        })
    }

    /// ADMIN of either side: ends an ACTIVE partnership, unless the reseller still manages
    /// customers or subscriptions of the provider (`PARTNERSHIP_IN_USE`).
    ///
    /// userErrors: `INVALID_STATE` (already ENDED), `PARTNERSHIP_IN_USE`. Top-level:
    /// `NOT_FOUND` (not a party), `FORBIDDEN` (reason `ADMIN_ONLY`: a party's user that is
    /// not its ADMIN).
    async fn end_partnership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partnership to end.")] input: EndPartnershipInput,
    ) -> Result<PartnershipPayload> {
        let actor = auth::actor(ctx)?;
        let id = ids::decode_as(ids::NodeType::Partnership, &input.partnership_id)?;
        let who = Who::of(ctx, actor);
        let (partnership, user_errors) = split(service::end(db(ctx), &who, actor, id).await)?;
        Ok(PartnershipPayload {
            partnership: partnership.map(Partnership),
            user_errors,
        })
    }
}
