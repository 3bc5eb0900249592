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
    to: String,
    subject: String,
    /// Plain text; always contains the personalized link.
    body: String,
    mailto_uri: String,
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

#[derive(InputObject)]
pub struct RequestPartnershipInput {
    reseller_email: String,
    /// Replaces the default subject.
    subject: Option<String>,
    /// Replaces the default message; the personalized link is appended if left out.
    body: Option<String>,
    /// Only produce the draft: nothing is emailed (send it from your own mail app).
    #[graphql(default = false)]
    draft_only: bool,
}

#[derive(InputObject)]
pub struct ResendPartnershipInvitationInput {
    invitation_id: ID,
    subject: Option<String>,
    body: Option<String>,
    #[graphql(default = false)]
    draft_only: bool,
}

#[derive(SimpleObject)]
pub struct InvitationIssuedPayload {
    invitation: Option<PartnershipInvitation>,
    /// The personalized single-use link; shown only here.
    link: Option<String>,
    draft: Option<InvitationDraft>,
    user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct InvitationIdInput {
    invitation_id: ID,
}

#[derive(SimpleObject)]
pub struct InvitationPayload {
    invitation: Option<PartnershipInvitation>,
    user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct InvitationTokenInput {
    /// The `token` parameter of the invitation link.
    token: String,
}

#[derive(SimpleObject)]
pub struct AcceptPartnershipInvitationPayload {
    partnership: Option<Partnership>,
    user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct DeclinePartnershipInvitationPayload {
    /// True when the invitation was declined.
    declined: bool,
    user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct EndPartnershipInput {
    partnership_id: ID,
}

#[derive(SimpleObject)]
pub struct PartnershipPayload {
    partnership: Option<Partnership>,
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
    async fn request_partnership(
        &self,
        ctx: &Context<'_>,
        input: RequestPartnershipInput,
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
                draft_only: input.draft_only,
            },
        )
        .await;
        issued_payload(ctx, result).await
    }

    /// Provider ADMIN: a new link for a PENDING or EXPIRED invitation (the old link stops
    /// working) and a new email unless `draftOnly`. Also the way to re-send a FAILED email.
    async fn resend_partnership_invitation(
        &self,
        ctx: &Context<'_>,
        input: ResendPartnershipInvitationInput,
    ) -> Result<InvitationIssuedPayload> {
        let (actor, provider) = auth::partner_admin(ctx)?;
        let id = ids::decode_as(ids::NodeType::PartnershipInvitation, &input.invitation_id)?;
        let result = invitations::resend(
            db(ctx),
            &link_settings(ctx),
            &Who::of(ctx, actor),
            provider,
            id,
            Compose {
                subject: input.subject.as_deref(),
                body: input.body.as_deref(),
                draft_only: input.draft_only,
            },
        )
        .await;
        issued_payload(ctx, result).await
    }

    /// Provider ADMIN: withdraws a PENDING invitation; its link stops working.
    async fn revoke_partnership_invitation(
        &self,
        ctx: &Context<'_>,
        input: InvitationIdInput,
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
    /// partnership (an existing one is not duplicated).
    async fn accept_partnership_invitation(
        &self,
        ctx: &Context<'_>,
        input: InvitationTokenInput,
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

    /// Reseller ADMIN: declines with the link's token.
    async fn decline_partnership_invitation(
        &self,
        ctx: &Context<'_>,
        input: InvitationTokenInput,
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
    async fn end_partnership(
        &self,
        ctx: &Context<'_>,
        input: EndPartnershipInput,
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
