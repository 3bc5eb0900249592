//! Every change to a user's factors is one audit entry (hence one event) and one email to
//! that user in its language, both written in the change's transaction; the email is
//! handed to the queue after commit ([`dispatch`]).

use super::Env;
use crate::audit::Who;
use crate::error::ApiResult;
use crate::graphql::ids::NodeType;
use entity::event_type::EventType;
use entity::user;
use sea_orm::ConnectionTrait;
use worker::compose::EmailContent;
use worker::i18n::{Lang, Message};
use worker::msg;

/// What changed for the user.
pub enum Change<'a> {
    TotpEnabled,
    TotpDisabled,
    /// An ADMIN or the platform removed every factor (support's recovery path).
    FactorsReset,
    RecoveryCodeUsed {
        left: u64,
    },
    PasskeyAdded {
        name: &'a str,
    },
    PasskeyRemoved {
        name: &'a str,
    },
}

impl Change<'_> {
    fn parts(&self, email: &str) -> (EventType, Message, &'static str) {
        match self {
            Self::TotpEnabled => (
                EventType::UserMfaEnabled,
                msg!("audit-mfa-enabled", email = email),
                "mfa_enabled",
            ),
            Self::TotpDisabled => (
                EventType::UserMfaDisabled,
                msg!("audit-mfa-disabled", email = email),
                "mfa_disabled",
            ),
            Self::FactorsReset => (
                EventType::UserMfaDisabled,
                msg!("audit-mfa-reset", email = email),
                "mfa_disabled",
            ),
            Self::RecoveryCodeUsed { left } => (
                EventType::UserRecoveryCodeUsed,
                msg!(
                    "audit-recovery-code-used",
                    email = email,
                    left = *left as i64
                ),
                "recovery_code_used",
            ),
            Self::PasskeyAdded { name } => (
                EventType::UserPasskeyAdded,
                msg!("audit-passkey-added", email = email, name = *name),
                "passkey_added",
            ),
            Self::PasskeyRemoved { name } => (
                EventType::UserPasskeyRemoved,
                msg!("audit-passkey-removed", email = email, name = *name),
                "passkey_removed",
            ),
        }
    }
}

/// Writes the audit entry and the user's email; returns the email's outbox id.
pub async fn record<C: ConnectionTrait>(
    txn: &C,
    env: &Env<'_>,
    who: &Who,
    user: &user::Model,
    change: Change<'_>,
) -> ApiResult<i32> {
    let (action, summary, kind) = change.parts(&user.email);
    crate::audit::record(
        txn,
        who,
        crate::audit::Change {
            action,
            target: NodeType::User,
            target_id: user.id,
            summary,
            // A platform administrator's reset is seen by the user's organization too.
            subject_partner_id: user.partner_id,
        },
    )
    .await?;
    let content = EmailContent::AccountSecurity {
        change: kind.to_owned(),
        link: format!("{}/account/security", env.public_url.trim_end_matches('/')),
    };
    let lang = Lang::nearest(&user.preferred_language);
    let composed = content.compose(lang);
    crate::outbox::write(
        txn,
        crate::outbox::Email {
            kind: "ACCOUNT_SECURITY",
            to: &user.email,
            lang,
            content: &content,
            composed: &composed,
            secret: None,
        },
        env.settings.jobs.relay_after_ms,
    )
    .await
}

/// Hands committed emails to the queue (the outbox relay sends them otherwise).
pub fn dispatch(env: &Env<'_>, email_ids: &[i32]) {
    if let Some(dispatcher) = env.dispatcher {
        for id in email_ids {
            dispatcher.email(*id);
        }
    }
}

/// The audit identity of a user acting on itself outside a signed-in request (sign-in).
pub fn who_signs_in(user: &user::Model, request_id: &str) -> Who {
    Who {
        user_id: Some(user.id),
        partner_id: user.partner_id,
        request_id: request_id.to_owned(),
        api_client_id: None,
    }
}
