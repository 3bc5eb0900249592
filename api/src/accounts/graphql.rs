//! GraphQL surface of a user's own account: `login`, `logout`, `changePassword` and
//! `updateViewerPreferences`.

use super::people::User;
use super::{login, preferences};
use crate::audit::Who;
use crate::auth::{self, ClientAddr};
use crate::graphql::payload::split;
use crate::graphql::user_error::UserError;
use crate::graphql::{db, settings};
use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

/// Credentials for `login`.
#[derive(InputObject)]
pub struct LoginInput {
    /// The account's email address (case and surrounding spaces do not matter).
    email: String,
    /// The password, or the temporary password an ADMIN or provider handed out.
    password: String,
}

/// Result of `login`: a session token, or `userErrors`.
#[derive(SimpleObject)]
pub struct LoginPayload {
    /// Send as `Authorization: Bearer <token>`. Shown once.
    token: Option<String>,
    /// When the token stops working (sessions last `SESSION_TTL_HOURS`, 24 hours by
    /// default).
    expires_at: Option<DateTime<Utc>>,
    /// The signed-in user; null when sign-in failed.
    user: Option<User>,
    /// When true, every operation but `changePassword`, `viewer` and `logout` is refused.
    must_change_password: bool,
    /// Set instead of `token` when the user holds a second factor: complete the sign-in
    /// with `verifyMfa` (the password was right).
    mfa_challenge: Option<crate::mfa::types::MfaChallenge>,
    /// Why sign-in failed: `INVALID_CREDENTIALS`.
    user_errors: Vec<UserError>,
}

/// Input of `logout` (may be omitted).
#[derive(InputObject)]
pub struct LogoutInput {
    /// Unused; present so every mutation has the `input` shape.
    client_mutation_id: Option<String>,
}

/// Result of `logout`.
#[derive(SimpleObject)]
pub struct LogoutPayload {
    /// True when a session was ended.
    success: bool,
    /// Always empty: `logout` has no business-rule failures.
    user_errors: Vec<UserError>,
}

/// Input of `changePassword`.
#[derive(InputObject)]
pub struct ChangePasswordInput {
    /// The password in use now (the temporary one after a reset).
    current_password: String,
    /// The new password: 10 characters to 256 bytes, different from the current one.
    new_password: String,
}

/// Result of `changePassword`.
#[derive(SimpleObject)]
pub struct ChangePasswordPayload {
    /// The user, with `mustChangePassword` now false; null on failure.
    user: Option<User>,
    /// `INVALID_CREDENTIALS` (current password wrong) or `WEAK_PASSWORD`.
    user_errors: Vec<UserError>,
}

/// Input of `updateViewerPreferences`: fields left out stay as they are.
#[derive(InputObject)]
pub struct UpdateViewerPreferencesInput {
    /// The language to read emails, drafts and pages in: a BCP 47 tag such as `en`,
    /// `zh-TW` or `zh-Hant-TW` (unsupported languages read as the nearest supported one).
    preferred_language: Option<String>,
}

/// Result of `updateViewerPreferences`.
#[derive(SimpleObject)]
pub struct UpdateViewerPreferencesPayload {
    /// The signed-in user with its preferences; null on failure.
    user: Option<User>,
    /// `INVALID` (not a well-formed BCP 47 tag).
    user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Public: signs in and returns a bearer token, or, for a user holding a second factor,
    /// `mfaChallenge` for `verifyMfa` (the second step). Repeated failures for one account or
    /// from one address are refused with `RATE_LIMITED` for a while
    /// (`extensions.retryAfterSeconds` says how long).
    ///
    /// userErrors: `INVALID_CREDENTIALS` (unknown email, removed user or wrong password:
    /// deliberately not told apart). Top-level: `RATE_LIMITED`.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The email and password.")] input: LoginInput,
    ) -> Result<LoginPayload> {
        let settings = settings(ctx);
        let client_addr = ctx
            .data_opt::<ClientAddr>()
            .map_or("unknown", |c| c.0.as_str());
        let result = login::login(
            db(ctx),
            &crate::audit::request_id(ctx),
            &settings.login_throttle,
            settings.session_ttl_hours,
            login::LoginRequest {
                email: &input.email,
                password: &input.password,
                client_addr,
                clock: &settings.clock,
            },
        )
        .await;
        if let Some(metrics) = crate::metrics::of(ctx) {
            metrics.login_result(&result);
        }
        let (signed_in, user_errors) = split(result)?;
        Ok(match signed_in {
            // The password step of a user with a second factor: no session, no user yet.
            Some(s) if s.challenge.is_some() => LoginPayload {
                token: None,
                expires_at: None,
                user: None,
                must_change_password: false,
                mfa_challenge: crate::mfa::graphql::challenge_of(s.challenge),
                user_errors,
            },
            Some(s) => LoginPayload {
                token: s.session.as_ref().map(|t| t.token.clone()),
                expires_at: s.session.as_ref().map(|t| t.expires_at),
                must_change_password: s.user.must_change_password,
                user: Some(User(s.user)),
                mfa_challenge: None,
                user_errors,
            },
            None => LoginPayload {
                token: None,
                expires_at: None,
                user: None,
                must_change_password: false,
                mfa_challenge: None,
                user_errors,
            },
        })
    }

    /// Ends the current session; its token stops working at once (and live subscriptions
    /// opened with it close). Works with a temporary password too.
    ///
    /// No userErrors. Top-level: `UNAUTHENTICATED`.
    async fn logout(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default_with = "LogoutInput { client_mutation_id: None }",
            desc = "Nothing needed; may be omitted."
        )]
        input: LogoutInput,
    ) -> Result<LogoutPayload> {
        let _ = input.client_mutation_id;
        let actor = auth::signed_in(ctx)?;
        super::session::end(db(ctx), &Who::of(ctx, actor), actor).await?;
        Ok(LogoutPayload {
            success: true,
            user_errors: Vec::new(),
        })
    }

    /// Any signed-in user: replaces the caller's password (required after a temporary one)
    /// and signs out its other sessions; the current session stays.
    ///
    /// userErrors: `INVALID_CREDENTIALS` (current password wrong), `WEAK_PASSWORD` (fewer
    /// than 10 characters, more than 256 bytes, or the same as the current one).
    /// Top-level: `UNAUTHENTICATED`.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The current and the new password.")] input: ChangePasswordInput,
    ) -> Result<ChangePasswordPayload> {
        let actor = auth::signed_in(ctx)?;
        let result = login::change_password(
            db(ctx),
            &Who::of(ctx, actor),
            actor,
            &input.current_password,
            &input.new_password,
        )
        .await;
        let (user, user_errors) = split(result)?;
        Ok(ChangePasswordPayload {
            user: user.map(User),
            user_errors,
        })
    }

    /// Any signed-in user, also with a temporary password or in a suspended organization:
    /// changes the caller's own preferences. Emails and drafts written to the user from now
    /// on are in its `preferredLanguage`; GraphQL messages follow each request's
    /// `Accept-Language`.
    ///
    /// userErrors: `INVALID` (a `preferredLanguage` that is not a BCP 47 tag). Top-level:
    /// `UNAUTHENTICATED`.
    async fn update_viewer_preferences(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: UpdateViewerPreferencesInput,
    ) -> Result<UpdateViewerPreferencesPayload> {
        let actor = auth::signed_in(ctx)?;
        let result = preferences::update(
            db(ctx),
            &Who::of(ctx, actor),
            actor,
            preferences::Preferences {
                preferred_language: input.preferred_language.as_deref(),
            },
        )
        .await;
        let (user, user_errors) = split(result)?;
        Ok(UpdateViewerPreferencesPayload {
            user: user.map(User),
            user_errors,
        })
    }
}
