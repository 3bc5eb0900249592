//! GraphQL surface of multi-factor sign-in: authenticator enrolment (`enrollTotp`,
//! `confirmTotp`, `disableTotp`), the second step of sign-in (`verifyMfa`), the
//! organization's rule (`setOrganizationMfaRequired`) and support's reset (`resetUserMfa`).
//! Passkeys are in `passkeys_graphql`.

use super::challenge::{self, Factor};
use super::types::{MfaChallenge, MfaMethod};
use super::{Env, service};
use crate::accounts::User;
use crate::audit::Who;
use crate::auth::{self, ClientAddr};
use crate::graphql::ids;
use crate::graphql::payload::split;
use crate::graphql::user_error::{UserError, UserErrorCode};
use crate::partners::Partner;
use async_graphql::{Context, ID, InputObject, Json, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use worker::msg;

fn client_addr<'a>(ctx: &Context<'a>) -> &'a str {
    ctx.data_opt::<ClientAddr>()
        .map_or("unknown", |c| c.0.as_str())
}

/// Input of `enrollTotp` (may be omitted).
#[derive(InputObject)]
pub struct EnrollTotpInput {
    /// Unused; present so every mutation has the `input` shape.
    client_mutation_id: Option<String>,
}

/// Result of `enrollTotp`: what to give the authenticator app, shown once.
#[derive(SimpleObject, Default)]
pub struct EnrollTotpPayload {
    /// `otpauth://totp/…` (show it as a QR code); its account is the user's email, its
    /// issuer the product's name.
    otpauth_uri: Option<String>,
    /// The same secret in base32, for typing into the app.
    secret: Option<String>,
    /// `otpauthUri` as a QR code: a standalone SVG document (rendered by the server).
    qr_code_svg: Option<String>,
    /// `INVALID_STATE` (authenticator codes are on already: turn them off first).
    user_errors: Vec<UserError>,
}

/// Input of `confirmTotp`.
#[derive(InputObject)]
pub struct ConfirmTotpInput {
    /// The 6-digit code the app shows now.
    code: String,
}

/// Result of `confirmTotp`.
#[derive(SimpleObject, Default)]
pub struct ConfirmTotpPayload {
    /// Ten single-use recovery codes, shown once (only their hashes are kept). Each
    /// replaces a code once at sign-in if the app is lost.
    recovery_codes: Option<Vec<String>>,
    /// `INVALID_CREDENTIALS` (wrong or reused code), `INVALID_STATE` (no enrolment waiting).
    /// Top-level: `RATE_LIMITED`.
    user_errors: Vec<UserError>,
}

/// Input of `disableTotp`.
#[derive(InputObject)]
pub struct DisableTotpInput {
    /// The account's password.
    password: String,
    /// A current code from the app.
    code: String,
}

/// Result of `disableTotp`.
#[derive(SimpleObject, Default)]
pub struct DisableTotpPayload {
    /// True when authenticator codes were turned off.
    success: bool,
    /// `INVALID_CREDENTIALS` (password or code), `INVALID_STATE` (not on). Top-level:
    /// `RATE_LIMITED`.
    user_errors: Vec<UserError>,
}

/// Input of `verifyMfa`: the challenge from `login` and exactly one factor.
#[derive(InputObject)]
pub struct VerifyMfaInput {
    /// `LoginPayload.mfaChallenge.token`.
    challenge_token: String,
    /// A 6-digit code from the authenticator app.
    code: Option<String>,
    /// One of the recovery codes (spaces, dashes and case do not matter).
    recovery_code: Option<String>,
    /// The result of `navigator.credentials.get` with `beginPasskeySignIn`'s options
    /// (base64url fields), as JSON.
    passkey_assertion: Option<Json<serde_json::Value>>,
}

/// Result of `verifyMfa`: the session token, or `userErrors`.
#[derive(SimpleObject, Default)]
pub struct VerifyMfaPayload {
    /// Send as `Authorization: Bearer <token>`. Shown once.
    token: Option<String>,
    /// When the token stops working.
    expires_at: Option<DateTime<Utc>>,
    /// The signed-in user; null when verification failed.
    user: Option<User>,
    /// `INVALID_CREDENTIALS` (wrong or reused code, spent recovery code, rejected passkey,
    /// or a challenge that expired or was used), `INVALID` (not exactly one factor).
    /// Top-level: `RATE_LIMITED` (`extensions.retryAfterSeconds`).
    user_errors: Vec<UserError>,
}

/// Input of `setOrganizationMfaRequired`.
#[derive(InputObject)]
pub struct SetOrganizationMfaRequiredInput {
    /// True: every user of the organization must hold a second factor.
    required: bool,
}

/// Result of `setOrganizationMfaRequired`.
#[derive(SimpleObject, Default)]
pub struct SetOrganizationMfaRequiredPayload {
    /// The organization with its rule.
    partner: Option<Partner>,
    /// Always empty.
    user_errors: Vec<UserError>,
}

/// Input of `resetUserMfa`.
#[derive(InputObject)]
pub struct ResetUserMfaInput {
    /// The locked-out user.
    user_id: ID,
}

/// Result of `resetUserMfa`.
#[derive(SimpleObject, Default)]
pub struct ResetUserMfaPayload {
    /// The user, now without second factors.
    user: Option<User>,
    /// Always empty.
    user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct MfaMutation;

#[Object]
impl MfaMutation {
    /// Any signed-in user: starts authenticator-app enrolment and returns the secret once
    /// (calling it again before `confirmTotp` replaces it). Codes are not asked for until
    /// `confirmTotp`; sessions existing now stay valid.
    ///
    /// userErrors: `INVALID_STATE`. Top-level: `UNAUTHENTICATED`.
    async fn enroll_totp(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default_with = "EnrollTotpInput { client_mutation_id: None }",
            desc = "Nothing needed; may be omitted."
        )]
        input: EnrollTotpInput,
    ) -> Result<EnrollTotpPayload> {
        let _ = input.client_mutation_id;
        let actor = auth::actor(ctx)?;
        let (enrolment, user_errors) = split(service::enroll_totp(&Env::of(ctx), actor).await)?;
        Ok(match enrolment {
            Some(e) => EnrollTotpPayload {
                qr_code_svg: super::page::qr_svg(&e.otpauth_uri),
                otpauth_uri: Some(e.otpauth_uri),
                secret: Some(e.secret),
                user_errors,
            },
            None => EnrollTotpPayload {
                user_errors,
                ..Default::default()
            },
        })
    }

    /// Any signed-in user: turns authenticator codes on with a first code and returns ten
    /// recovery codes (once). From now on `login` asks for a second step. Emails the user.
    ///
    /// userErrors: `INVALID_CREDENTIALS`, `INVALID_STATE`. Top-level: `RATE_LIMITED`.
    async fn confirm_totp(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The first code from the app.")] input: ConfirmTotpInput,
    ) -> Result<ConfirmTotpPayload> {
        let actor = auth::actor(ctx)?;
        let env = Env::of(ctx);
        let who = Who::of(ctx, actor);
        let result = service::confirm_totp(&env, &who, actor, client_addr(ctx), &input.code).await;
        let (codes, user_errors) = split(result)?;
        Ok(ConfirmTotpPayload {
            recovery_codes: codes,
            user_errors,
        })
    }

    /// Any signed-in user: turns authenticator codes off (needs the password and a current
    /// code). Emails the user.
    ///
    /// userErrors: `INVALID_CREDENTIALS`, `INVALID_STATE`. Top-level: `RATE_LIMITED`.
    async fn disable_totp(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The password and a current code.")] input: DisableTotpInput,
    ) -> Result<DisableTotpPayload> {
        let actor = auth::actor(ctx)?;
        let env = Env::of(ctx);
        let who = Who::of(ctx, actor);
        let result = service::disable_totp(
            &env,
            &who,
            actor,
            client_addr(ctx),
            &input.password,
            &input.code,
        )
        .await;
        let (done, user_errors) = split(result)?;
        Ok(DisableTotpPayload {
            success: done.is_some(),
            user_errors,
        })
    }

    /// Public: the second step of signing in. Give the challenge from `login` and one
    /// factor; returns the session. A wrong code leaves the challenge usable (until it
    /// expires) and counts against the same limits as wrong passwords.
    ///
    /// userErrors: `INVALID_CREDENTIALS`, `INVALID`. Top-level: `RATE_LIMITED`.
    async fn verify_mfa(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The challenge and exactly one factor.")] input: VerifyMfaInput,
    ) -> Result<VerifyMfaPayload> {
        let factor = match (&input.code, &input.recovery_code, &input.passkey_assertion) {
            (Some(code), None, None) => Factor::Code(code),
            (None, Some(code), None) => Factor::RecoveryCode(code),
            (None, None, Some(assertion)) => Factor::Passkey(&assertion.0),
            _ => {
                return Ok(VerifyMfaPayload {
                    user_errors: vec![UserError::new(
                        UserErrorCode::Invalid,
                        &["input"],
                        msg!("error-mfa-factor-missing"),
                    )],
                    ..Default::default()
                });
            }
        };
        let env = Env::of(ctx);
        let result =
            challenge::verify(&env, &input.challenge_token, factor, client_addr(ctx)).await;
        if let Some(metrics) = crate::metrics::of(ctx) {
            metrics.login_result(&result);
        }
        let (signed_in, user_errors) = split(result)?;
        Ok(
            match signed_in.and_then(|s| s.session.map(|t| (s.user, t))) {
                Some((user, session)) => VerifyMfaPayload {
                    token: Some(session.token),
                    expires_at: Some(session.expires_at),
                    user: Some(User(user)),
                    user_errors,
                },
                None => VerifyMfaPayload {
                    user_errors,
                    ..Default::default()
                },
            },
        )
    }

    /// Organization ADMIN: requires (or stops requiring) a second factor of every user of
    /// the organization. While required, a user without one gets `FORBIDDEN` (reason
    /// `MFA_ENROLLMENT_REQUIRED`) for everything but enrolment and a few exempt fields.
    ///
    /// No userErrors. Top-level: `FORBIDDEN` (`ADMIN_ONLY`).
    async fn set_organization_mfa_required(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whether a second factor is required.")]
        input: SetOrganizationMfaRequiredInput,
    ) -> Result<SetOrganizationMfaRequiredPayload> {
        let (actor, org) = auth::partner_admin(ctx)?;
        let who = Who::of(ctx, actor);
        let updated =
            service::set_organization_rule(&Env::of(ctx), &who, org, input.required).await?;
        Ok(SetOrganizationMfaRequiredPayload {
            partner: Some(Partner(updated)),
            user_errors: Vec::new(),
        })
    }

    /// Support's path for a locked-out user. An ADMIN of the user's organization, or a
    /// platform administrator: removes every second factor of the user (authenticator,
    /// recovery codes, passkeys) and ends its sessions; the user signs in with its password
    /// and enrols again. Audited, and the user is emailed.
    ///
    /// No userErrors. Top-level: `NOT_FOUND` (a user the caller does not administer).
    async fn reset_user_mfa(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The locked-out user.")] input: ResetUserMfaInput,
    ) -> Result<ResetUserMfaPayload> {
        let actor = auth::actor(ctx)?;
        let user_id = ids::decode_as(ids::NodeType::User, &input.user_id)?;
        let who = Who::of(ctx, actor);
        let user = service::reset_factors(&Env::of(ctx), &who, actor, user_id).await?;
        Ok(ResetUserMfaPayload {
            user: Some(User(user)),
            user_errors: Vec::new(),
        })
    }
}

/// `User.mfaMethods`: what the user holds.
pub async fn methods_of(ctx: &Context<'_>, user_id: i32) -> Result<Vec<MfaMethod>> {
    let factors = service::factors(crate::graphql::db(ctx), user_id).await?;
    Ok(factors.methods())
}

/// `LoginPayload.mfaChallenge` from what `login` issued.
pub fn challenge_of(issued: Option<challenge::Issued>) -> Option<MfaChallenge> {
    issued.map(MfaChallenge::from)
}
