//! Passkeys (WebAuthn) as a second factor, through webauthn-rs: registration options out
//! and the credential in (`beginPasskeyRegistration` / `finishPasskeyRegistration`),
//! authentication options for a sign-in challenge (`beginPasskeySignIn`) and the assertion
//! checked by `verifyMfa`. The relying party id and origin come from `PUBLIC_URL`, which
//! must name a host (`localhost` works; an IP address does not, by the WebAuthn rules).
//! A ceremony's server state waits in `mfa_challenges` (single use, five minutes).

use super::notify::{self, Change};
use super::types::Passkey;
use super::{Env, challenge};
use crate::audit::Who;
use crate::auth::{Actor, token};
use crate::error::{ApiError, ApiResult};
use crate::graphql::user_error::UserErrorCode;
use async_graphql::{Context, ID, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use entity::{mfa_challenge, mfa_passkey, mfa_recovery_code, mfa_totp};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use webauthn_rs::prelude as wa;
use worker::msg;

const REGISTRATION: &str = "PASSKEY_REGISTRATION";
const CEREMONY_MINUTES: i64 = 5;
const MAX_NAME: usize = 100;

/// The opaque id of a passkey (not a `Node`: it is reached through its user).
pub fn global_id(id: i32) -> ID {
    ID(entity::audit_entry::global_id("Passkey", id))
}

fn decode_id(id: &ID) -> ApiResult<i32> {
    let bytes = URL_SAFE_NO_PAD
        .decode(id.as_str())
        .map_err(|_| ApiError::NotFound)?;
    let text = String::from_utf8(bytes).map_err(|_| ApiError::NotFound)?;
    text.strip_prefix("Passkey:")
        .and_then(|raw| raw.parse().ok())
        .ok_or(ApiError::NotFound)
}

fn unavailable() -> ApiError {
    ApiError::user(
        UserErrorCode::InvalidState,
        &[],
        msg!("error-passkey-unavailable"),
    )
}

fn rejected(field: &str) -> ApiError {
    ApiError::user(
        UserErrorCode::InvalidCredentials,
        &["input", field],
        msg!("error-passkey-rejected"),
    )
}

/// The relying party of `PUBLIC_URL`: its host is the id, its origin the only origin.
fn relying_party(public_url: &str) -> ApiResult<wa::Webauthn> {
    let origin = url::Url::parse(public_url).map_err(|_| unavailable())?;
    let host = match origin.host() {
        Some(url::Host::Domain(host)) => host.to_owned(),
        _ => return Err(unavailable()),
    };
    wa::WebauthnBuilder::new(&host, &origin)
        .and_then(|b| b.rp_name(super::service::ISSUER).build())
        .map_err(|_| unavailable())
}

fn credential_key(id: &wa::CredentialID) -> String {
    URL_SAFE_NO_PAD.encode(id.as_ref())
}

fn to_json<T: serde::Serialize>(value: &T) -> ApiResult<String> {
    serde_json::to_string(value).map_err(|e| ApiError::internal("passkey state", e))
}

fn user_handle(user_id: i32) -> uuid::Uuid {
    uuid::Uuid::from_u64_pair(0x7061_7373_6b65_7973, user_id as u64)
}

async fn passkeys_of<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
) -> ApiResult<Vec<mfa_passkey::Model>> {
    Ok(mfa_passkey::Entity::find()
        .filter(mfa_passkey::Column::UserId.eq(user_id))
        .order_by_asc(mfa_passkey::Column::Id)
        .all(db)
        .await?)
}

fn parsed(rows: &[mfa_passkey::Model]) -> Vec<wa::Passkey> {
    rows.iter()
        .filter_map(|r| serde_json::from_str(&r.passkey).ok())
        .collect()
}

/// Registration options for the signed-in user (its passkeys are excluded).
pub async fn begin_registration(env: &Env<'_>, actor: &Actor) -> ApiResult<serde_json::Value> {
    let rp = relying_party(env.public_url)?;
    let existing = parsed(&passkeys_of(env.db, actor.user.id).await?);
    let exclude: Vec<wa::CredentialID> = existing.iter().map(|p| p.cred_id().clone()).collect();
    let (options, state) = rp
        .start_passkey_registration(
            user_handle(actor.user.id),
            &actor.user.email,
            &actor.user.name,
            Some(exclude),
        )
        .map_err(|e| ApiError::internal("passkey registration", anyhow::anyhow!("{e:?}")))?;
    let now = env.clock().now();
    let txn = migration::database::begin_write(env.db).await?;
    // One registration at a time per user: a new one replaces any other.
    mfa_challenge::Entity::delete_many()
        .filter(mfa_challenge::Column::UserId.eq(actor.user.id))
        .filter(mfa_challenge::Column::Purpose.eq(REGISTRATION))
        .exec(&txn)
        .await?;
    mfa_challenge::ActiveModel {
        token_hash: Set(token::hash(&token::generate())),
        user_id: Set(actor.user.id),
        purpose: Set(REGISTRATION.to_owned()),
        state: Set(Some(to_json(&state)?)),
        created_at: Set(now),
        expires_at: Set(now + Duration::minutes(CEREMONY_MINUTES)),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    serde_json::to_value(options).map_err(|e| ApiError::internal("passkey options", e))
}

/// Checks the new credential against the waiting registration and keeps it.
pub async fn finish_registration(
    env: &Env<'_>,
    who: &Who,
    actor: &Actor,
    name: &str,
    credential: &serde_json::Value,
) -> ApiResult<mfa_passkey::Model> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(ApiError::user(
            UserErrorCode::Invalid,
            &["input", "name"],
            msg!("error-passkey-name"),
        ));
    }
    let rp = relying_party(env.public_url)?;
    let now = env.clock().now();
    let waiting = mfa_challenge::Entity::find()
        .filter(mfa_challenge::Column::UserId.eq(actor.user.id))
        .filter(mfa_challenge::Column::Purpose.eq(REGISTRATION))
        .filter(mfa_challenge::Column::UsedAt.is_null())
        .filter(mfa_challenge::Column::ExpiresAt.gt(now))
        .one(env.db)
        .await?
        .ok_or_else(|| rejected("credential"))?;
    let state: wa::PasskeyRegistration = waiting
        .state
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .ok_or_else(|| rejected("credential"))?;
    let response: wa::RegisterPublicKeyCredential =
        serde_json::from_value(credential.clone()).map_err(|_| rejected("credential"))?;
    let passkey = rp
        .finish_passkey_registration(&response, &state)
        .map_err(|_| rejected("credential"))?;
    let txn = migration::database::begin_write(env.db).await?;
    let spent = mfa_challenge::Entity::delete_by_id(waiting.id)
        .exec(&txn)
        .await?;
    if spent.rows_affected != 1 {
        return Err(rejected("credential"));
    }
    let credential_id = credential_key(passkey.cred_id());
    let taken = mfa_passkey::Entity::find()
        .filter(mfa_passkey::Column::CredentialId.eq(&credential_id))
        .count(&txn)
        .await?;
    if taken > 0 {
        return Err(rejected("credential"));
    }
    let row = mfa_passkey::ActiveModel {
        user_id: Set(actor.user.id),
        name: Set(name.to_owned()),
        credential_id: Set(credential_id),
        passkey: Set(to_json(&passkey)?),
        created_at: Set(now),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let email = notify::record(&txn, env, who, &actor.user, Change::PasskeyAdded { name }).await?;
    txn.commit().await?;
    notify::dispatch(env, &[email]);
    Ok(row)
}

/// Authentication options for a live sign-in challenge of a user holding passkeys.
pub async fn begin_sign_in(env: &Env<'_>, challenge_token: &str) -> ApiResult<serde_json::Value> {
    let rp = relying_party(env.public_url)?;
    let now = env.clock().now();
    let invalid = || {
        ApiError::user(
            UserErrorCode::InvalidCredentials,
            &["input", "challengeToken"],
            msg!("error-mfa-challenge-invalid"),
        )
    };
    let live = challenge::find_live(env.db, now, challenge_token)
        .await?
        .ok_or_else(invalid)?;
    let keys = parsed(&passkeys_of(env.db, live.user_id).await?);
    if keys.is_empty() {
        return Err(rejected("challengeToken"));
    }
    let (options, state) = rp
        .start_passkey_authentication(&keys)
        .map_err(|e| ApiError::internal("passkey sign-in", anyhow::anyhow!("{e:?}")))?;
    mfa_challenge::Entity::update_many()
        .col_expr(
            mfa_challenge::Column::State,
            Expr::value(Some(to_json(&state)?)),
        )
        .filter(mfa_challenge::Column::Id.eq(live.id))
        .exec(env.db)
        .await?;
    serde_json::to_value(options).map_err(|e| ApiError::internal("passkey options", e))
}

/// Checks a passkey assertion against a sign-in challenge; on success the passkey's
/// counter and last use are updated in the caller's transaction.
pub async fn verify_assertion<C: ConnectionTrait>(
    txn: &C,
    env: &Env<'_>,
    challenge: &mfa_challenge::Model,
    assertion: &serde_json::Value,
) -> ApiResult<bool> {
    let Ok(rp) = relying_party(env.public_url) else {
        return Ok(false);
    };
    let Some(state) = challenge
        .state
        .as_deref()
        .and_then(|s| serde_json::from_str::<wa::PasskeyAuthentication>(s).ok())
    else {
        return Ok(false);
    };
    let Ok(response) = serde_json::from_value::<wa::PublicKeyCredential>(assertion.clone()) else {
        return Ok(false);
    };
    let Ok(result) = rp.finish_passkey_authentication(&response, &state) else {
        return Ok(false);
    };
    let key = credential_key(result.cred_id());
    let Some(row) = mfa_passkey::Entity::find()
        .filter(mfa_passkey::Column::UserId.eq(challenge.user_id))
        .filter(mfa_passkey::Column::CredentialId.eq(&key))
        .one(txn)
        .await?
    else {
        return Ok(false);
    };
    let mut passkey: wa::Passkey =
        serde_json::from_str(&row.passkey).map_err(|e| ApiError::internal("stored passkey", e))?;
    passkey.update_credential(&result);
    let mut active: mfa_passkey::ActiveModel = row.into();
    active.passkey = Set(to_json(&passkey)?);
    active.last_used_at = Set(Some(env.clock().now()));
    active.update(txn).await?;
    // The ceremony's state is spent with the challenge.
    Ok(true)
}

async fn own_passkey(env: &Env<'_>, actor: &Actor, id: &ID) -> ApiResult<mfa_passkey::Model> {
    let raw = decode_id(id)?;
    mfa_passkey::Entity::find_by_id(raw)
        .filter(mfa_passkey::Column::UserId.eq(actor.user.id))
        .one(env.db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Removes one of the caller's passkeys; with no factor left, the recovery codes go too.
pub async fn remove(env: &Env<'_>, who: &Who, actor: &Actor, id: &ID) -> ApiResult<()> {
    let row = own_passkey(env, actor, id).await?;
    let txn = migration::database::begin_write(env.db).await?;
    mfa_passkey::Entity::delete_by_id(row.id).exec(&txn).await?;
    let left = mfa_passkey::Entity::find()
        .filter(mfa_passkey::Column::UserId.eq(actor.user.id))
        .count(&txn)
        .await?;
    let totp = mfa_totp::Entity::find_by_id(actor.user.id)
        .filter(mfa_totp::Column::ConfirmedAt.is_not_null())
        .count(&txn)
        .await?;
    if left == 0 && totp == 0 {
        mfa_recovery_code::Entity::delete_many()
            .filter(mfa_recovery_code::Column::UserId.eq(actor.user.id))
            .exec(&txn)
            .await?;
    }
    let change = Change::PasskeyRemoved { name: &row.name };
    let email = notify::record(&txn, env, who, &actor.user, change).await?;
    txn.commit().await?;
    notify::dispatch(env, &[email]);
    Ok(())
}

/// Renames one of the caller's passkeys.
pub async fn rename(
    env: &Env<'_>,
    actor: &Actor,
    id: &ID,
    name: &str,
) -> ApiResult<mfa_passkey::Model> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(ApiError::user(
            UserErrorCode::Invalid,
            &["input", "name"],
            msg!("error-passkey-name"),
        ));
    }
    let row = own_passkey(env, actor, id).await?;
    let mut active: mfa_passkey::ActiveModel = row.into();
    active.name = Set(name.to_owned());
    Ok(active.update(env.db).await?)
}

/// `User.passkeys`.
pub async fn list(ctx: &Context<'_>, user_id: i32) -> Result<Vec<Passkey>> {
    let rows = passkeys_of(crate::graphql::db(ctx), user_id).await?;
    Ok(rows.into_iter().map(to_graphql).collect())
}

pub fn to_graphql(p: mfa_passkey::Model) -> Passkey {
    Passkey {
        id: global_id(p.id),
        name: p.name,
        created_at: p.created_at,
        last_used_at: p.last_used_at,
    }
}
