//! GraphQL surface of passkeys: registration (`beginPasskeyRegistration`,
//! `finishPasskeyRegistration`), the options of a passkey sign-in (`beginPasskeySignIn`,
//! answered through `verifyMfa(passkeyAssertion:)`), `renamePasskey` and `removePasskey`.

use super::types::{Options, Passkey};
use super::{Env, passkeys};
use crate::audit::Who;
use crate::auth;
use crate::graphql::payload::split;
use crate::graphql::user_error::UserError;
use async_graphql::{Context, ID, InputObject, Json, Object, Result, SimpleObject};

/// Input of `beginPasskeyRegistration` (may be omitted).
#[derive(InputObject)]
pub struct BeginPasskeyRegistrationInput {
    /// Unused; present so every mutation has the `input` shape.
    client_mutation_id: Option<String>,
}

/// Options for `navigator.credentials.create` (`{publicKey: …}`, binary fields base64url).
#[derive(SimpleObject, Default)]
pub struct PasskeyOptionsPayload {
    /// The options (`{publicKey: …}`); null on failure.
    options: Option<Options>,
    /// `INVALID_STATE` (passkeys need `PUBLIC_URL` with a host name),
    /// `INVALID_CREDENTIALS` (for a sign-in: the challenge expired or was used).
    user_errors: Vec<UserError>,
}

/// Input of `finishPasskeyRegistration`.
#[derive(InputObject)]
pub struct FinishPasskeyRegistrationInput {
    /// The user's name for the passkey (1 to 100 characters).
    name: String,
    /// The result of `navigator.credentials.create`, binary fields base64url, as JSON.
    credential: Json<serde_json::Value>,
}

/// The passkey registered or renamed.
#[derive(SimpleObject, Default)]
pub struct PasskeyPayload {
    /// The passkey; null on failure.
    passkey: Option<Passkey>,
    /// `INVALID` (name), `INVALID_CREDENTIALS` (the credential did not verify or no
    /// registration is waiting), `INVALID_STATE`.
    user_errors: Vec<UserError>,
}

/// Input of `beginPasskeySignIn`.
#[derive(InputObject)]
pub struct BeginPasskeySignInInput {
    /// `LoginPayload.mfaChallenge.token`.
    challenge_token: String,
}

/// Input of `renamePasskey`.
#[derive(InputObject)]
pub struct RenamePasskeyInput {
    /// `Passkey.id`.
    passkey_id: ID,
    /// 1 to 100 characters.
    name: String,
}

/// Input of `removePasskey`.
#[derive(InputObject)]
pub struct RemovePasskeyInput {
    /// `Passkey.id`.
    passkey_id: ID,
}

/// Result of `removePasskey`.
#[derive(SimpleObject, Default)]
pub struct RemovePasskeyPayload {
    /// True when the passkey was removed.
    success: bool,
    /// Always empty.
    user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct PasskeyMutation;

#[Object]
impl PasskeyMutation {
    /// Any signed-in user: starts registering a passkey (the relying party is
    /// `PUBLIC_URL`'s host). Pass the options to `navigator.credentials.create`, then the
    /// result to `finishPasskeyRegistration` within five minutes.
    ///
    /// userErrors: `INVALID_STATE`. Top-level: `UNAUTHENTICATED`.
    async fn begin_passkey_registration(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default_with = "BeginPasskeyRegistrationInput { client_mutation_id: None }",
            desc = "Nothing needed; may be omitted."
        )]
        input: BeginPasskeyRegistrationInput,
    ) -> Result<PasskeyOptionsPayload> {
        let _ = input.client_mutation_id;
        let actor = auth::actor(ctx)?;
        let (options, user_errors) =
            split(passkeys::begin_registration(&Env::of(ctx), actor).await)?;
        Ok(PasskeyOptionsPayload {
            options: options.map(Json),
            user_errors,
        })
    }

    /// Any signed-in user: keeps the passkey the browser created; from now on `login`
    /// offers `PASSKEY` as a second step. Emails the user.
    ///
    /// userErrors: `INVALID`, `INVALID_CREDENTIALS`, `INVALID_STATE`.
    async fn finish_passkey_registration(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The name and the created credential.")]
        input: FinishPasskeyRegistrationInput,
    ) -> Result<PasskeyPayload> {
        let actor = auth::actor(ctx)?;
        let who = Who::of(ctx, actor);
        let result = passkeys::finish_registration(
            &Env::of(ctx),
            &who,
            actor,
            &input.name,
            &input.credential.0,
        )
        .await;
        let (row, user_errors) = split(result)?;
        Ok(PasskeyPayload {
            passkey: row.map(passkeys::to_graphql),
            user_errors,
        })
    }

    /// Public: the options of a passkey sign-in for a challenge from `login`. Pass them to
    /// `navigator.credentials.get`, then the result to `verifyMfa(passkeyAssertion:)`.
    ///
    /// userErrors: `INVALID_CREDENTIALS`, `INVALID_STATE`.
    async fn begin_passkey_sign_in(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The challenge from `login`.")] input: BeginPasskeySignInInput,
    ) -> Result<PasskeyOptionsPayload> {
        let result = passkeys::begin_sign_in(&Env::of(ctx), &input.challenge_token).await;
        let (options, user_errors) = split(result)?;
        Ok(PasskeyOptionsPayload {
            options: options.map(Json),
            user_errors,
        })
    }

    /// Any signed-in user: renames one of its passkeys.
    ///
    /// userErrors: `INVALID`. Top-level: `NOT_FOUND`.
    async fn rename_passkey(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The passkey and its new name.")] input: RenamePasskeyInput,
    ) -> Result<PasskeyPayload> {
        let actor = auth::actor(ctx)?;
        let result = passkeys::rename(&Env::of(ctx), actor, &input.passkey_id, &input.name).await;
        let (row, user_errors) = split(result)?;
        Ok(PasskeyPayload {
            passkey: row.map(passkeys::to_graphql),
            user_errors,
        })
    }

    /// Any signed-in user: removes one of its passkeys. Emails the user.
    ///
    /// No userErrors. Top-level: `NOT_FOUND` (not one of the caller's passkeys).
    async fn remove_passkey(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The passkey.")] input: RemovePasskeyInput,
    ) -> Result<RemovePasskeyPayload> {
        let actor = auth::actor(ctx)?;
        let who = Who::of(ctx, actor);
        passkeys::remove(&Env::of(ctx), &who, actor, &input.passkey_id).await?;
        Ok(RemovePasskeyPayload {
            success: true,
            user_errors: Vec::new(),
        })
    }
}
