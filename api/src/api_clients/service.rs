//! Creating, rotating and revoking API clients, without HTTP. Each change is one audit
//! entry in its transaction. Secrets are shown once and stored as SHA-256 only (a secret is
//! 32 random bytes, so a fast hash is enough, as for session tokens).

use super::{CLIENT_ID_PREFIX, SECRET_PREFIX, Scopes, random};
use crate::audit::{self, Change, Who};
use crate::auth::token;
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::NodeType;
use crate::graphql::user_error::UserErrorCode;
use chrono::{DateTime, Duration, Utc};
use entity::event_type::EventType;
use entity::{api_client, api_client_token};
use migration::database::begin_write;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QuerySelect, Select, Set, sea_query::LockType,
};
use worker::msg;

pub const MAX_NAME: usize = 200;

/// What `createApiClient` asks for.
pub struct NewClient {
    pub name: String,
    pub scopes: Scopes,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A client with the secret to show once.
pub type WithSecret = (api_client::Model, String);

/// The organization's clients, for `apiClients`.
pub fn list(partner_id: i32) -> Select<api_client::Entity> {
    api_client::Entity::find().filter(api_client::Column::PartnerId.eq(partner_id))
}

/// One of the organization's clients; any other id is `NOT_FOUND`.
pub async fn own<C: ConnectionTrait>(
    db: &C,
    partner_id: i32,
    id: i32,
    lock: Option<LockType>,
) -> ApiResult<api_client::Model> {
    let mut query = list(partner_id).filter(api_client::Column::Id.eq(id));
    if let Some(lock) = lock
        && db.get_database_backend() == sea_orm::DbBackend::Postgres
    {
        query = query.lock(lock);
    }
    query.one(db).await?.ok_or(ApiError::NotFound)
}

pub async fn create(
    db: &DatabaseConnection,
    who: &Who,
    partner_id: i32,
    created_by: i32,
    input: NewClient,
) -> ApiResult<WithSecret> {
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(ApiError::user(
            UserErrorCode::Invalid,
            &["input", "name"],
            msg!("error-api-client-name", max = MAX_NAME),
        ));
    }
    if input.scopes == Scopes::default() {
        return Err(ApiError::user(
            UserErrorCode::Invalid,
            &["input", "scopes"],
            msg!("error-api-client-scopes"),
        ));
    }
    let now = Utc::now();
    if input
        .expires_at
        .is_some_and(|at| at < now + Duration::minutes(1))
    {
        return Err(ApiError::user(
            UserErrorCode::OutOfRange,
            &["input", "expiresAt"],
            msg!("error-api-client-expiry"),
        ));
    }
    let secret = random(SECRET_PREFIX, 32);
    let txn = begin_write(db).await?;
    let client = api_client::ActiveModel {
        partner_id: Set(partner_id),
        client_id: Set(random(CLIENT_ID_PREFIX, 16)),
        name: Set(name),
        scopes: Set(input.scopes.dotted()),
        secret_hash: Set(token::hash(&secret)),
        created_by_user_id: Set(created_by),
        created_at: Set(now),
        expires_at: Set(input.expires_at),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    record(&txn, who, EventType::ApiClientCreated, &client).await?;
    txn.commit().await?;
    Ok((client, secret))
}

/// A new secret; the old one is refused from now on (tokens already issued live on).
pub async fn rotate(
    db: &DatabaseConnection,
    who: &Who,
    partner_id: i32,
    id: i32,
) -> ApiResult<WithSecret> {
    let txn = begin_write(db).await?;
    let found = own(&txn, partner_id, id, Some(LockType::Update)).await?;
    refuse_revoked(&found)?;
    let secret = random(SECRET_PREFIX, 32);
    let mut active = found.into_active_model();
    active.secret_hash = Set(token::hash(&secret));
    let client = active.update(&txn).await?;
    record(&txn, who, EventType::ApiClientSecretRotated, &client).await?;
    txn.commit().await?;
    Ok((client, secret))
}

/// Revokes a client: its secret and every token it holds stop working at once.
pub async fn revoke(
    db: &DatabaseConnection,
    who: &Who,
    partner_id: i32,
    id: i32,
) -> ApiResult<api_client::Model> {
    let txn = begin_write(db).await?;
    let found = own(&txn, partner_id, id, Some(LockType::Update)).await?;
    refuse_revoked(&found)?;
    let mut active = found.into_active_model();
    active.revoked_at = Set(Some(Utc::now()));
    let client = active.update(&txn).await?;
    api_client_token::Entity::delete_many()
        .filter(api_client_token::Column::ApiClientId.eq(client.id))
        .exec(&txn)
        .await?;
    record(&txn, who, EventType::ApiClientRevoked, &client).await?;
    txn.commit().await?;
    Ok(client)
}

fn refuse_revoked(client: &api_client::Model) -> ApiResult<()> {
    if client.revoked_at.is_some() {
        return Err(ApiError::user(
            UserErrorCode::InvalidState,
            &["input", "apiClientId"],
            msg!("error-api-client-revoked"),
        ));
    }
    Ok(())
}

pub(super) async fn record<C: ConnectionTrait>(
    db: &C,
    who: &Who,
    action: EventType,
    client: &api_client::Model,
) -> ApiResult<()> {
    let name = client.name.clone();
    let summary = match action {
        EventType::ApiClientCreated => msg!("audit-api-client-created", name = name),
        EventType::ApiClientSecretRotated => msg!("audit-api-client-secret-rotated", name = name),
        EventType::ApiClientRevoked => msg!("audit-api-client-revoked", name = name),
        _ => msg!("audit-api-client-signed-out", name = name),
    };
    audit::record(
        db,
        who,
        Change {
            action,
            target: NodeType::ApiClient,
            target_id: client.id,
            summary,
            subject_partner_id: Some(client.partner_id),
        },
    )
    .await
}
