//! Access tokens of API clients: issued at `POST /oauth/token` for an hour (never past the
//! client's own expiry), stored as SHA-256 only, and resolved on each request to an
//! [`Actor`] that acts for the client's organization as an ADMIN, limited to the token's
//! scopes. A revoked or expired client's tokens are refused at once (checked on every
//! lookup, not only when they were issued).

use super::{ACCESS_TOKEN_PREFIX, Scopes, random};
use crate::audit::Who;
use crate::auth::{Actor, ClientRef, token};
use crate::error::ApiResult;
use chrono::{DateTime, Duration, Utc};
use entity::enums::UserRole;
use entity::event_type::EventType;
use entity::{api_client, api_client_token, partner, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set,
};

/// How long an access token lives (`expires_in`).
pub const TOKEN_SECONDS: i64 = 3600;

/// `lastUsedAt` is written at most this often.
const LAST_USED_EVERY: Duration = Duration::minutes(1);

/// The client whose id and secret these are, if it is live (not revoked, not expired).
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    client_id: &str,
    secret: &str,
) -> ApiResult<Option<api_client::Model>> {
    let now = Utc::now();
    let found = api_client::Entity::find()
        .filter(api_client::Column::ClientId.eq(client_id))
        .one(db)
        .await?;
    Ok(found.filter(|c| {
        // Both hashes are of 32 random bytes: comparing them leaks nothing usable.
        c.secret_hash == token::hash(secret) && live(c, now)
    }))
}

pub(crate) fn live(client: &api_client::Model, now: DateTime<Utc>) -> bool {
    client.revoked_at.is_none() && client.expires_at.is_none_or(|at| at > now)
}

/// A new access token: the token text (once), its lifetime in seconds and its scopes.
pub struct Issued {
    pub token: String,
    pub expires_in: i64,
    pub scopes: Scopes,
}

pub async fn issue<C: ConnectionTrait>(
    db: &C,
    client: &api_client::Model,
    scopes: Scopes,
) -> ApiResult<Issued> {
    let now = Utc::now();
    let mut expires_at = now + Duration::seconds(TOKEN_SECONDS);
    if let Some(end) = client.expires_at {
        expires_at = expires_at.min(end);
    }
    let token = random(ACCESS_TOKEN_PREFIX, 32);
    api_client_token::ActiveModel {
        api_client_id: Set(client.id),
        token_hash: Set(token::hash(&token)),
        scopes: Set(scopes.dotted()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    // Expired tokens of this client go when it gets a new one (no other sweeper needed).
    api_client_token::Entity::delete_many()
        .filter(api_client_token::Column::ApiClientId.eq(client.id))
        .filter(api_client_token::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?;
    Ok(Issued {
        token,
        expires_in: (expires_at - now).num_seconds().max(0),
        scopes,
    })
}

/// The caller behind an access token, if the token and its client are live.
pub async fn resolve<C: ConnectionTrait>(db: &C, bearer: &str) -> ApiResult<Option<Actor>> {
    let now = Utc::now();
    let found = api_client_token::Entity::find()
        .filter(api_client_token::Column::TokenHash.eq(token::hash(bearer)))
        .filter(api_client_token::Column::ExpiresAt.gt(now))
        .find_also_related(api_client::Entity)
        .one(db)
        .await?;
    let Some((row, Some(client))) = found else {
        return Ok(None);
    };
    if !live(&client, now) {
        return Ok(None);
    }
    let creator = user::Entity::find_by_id(client.created_by_user_id)
        .one(db)
        .await?;
    let partner = partner::Entity::find_by_id(client.partner_id)
        .one(db)
        .await?;
    let (Some(mut creator), Some(partner)) = (creator, partner) else {
        return Ok(None);
    };
    if client
        .last_used_at
        .is_none_or(|at| at <= now - LAST_USED_EVERY)
    {
        touch(db, client.id, now).await?;
    }
    // The client acts as its organization's ADMIN would; the scopes limit it.
    creator.role = UserRole::Admin;
    creator.must_change_password = false;
    creator.partner_id = Some(partner.id);
    Ok(Some(Actor {
        user: creator,
        partner: Some(partner),
        session_id: 0,
        session_expires_at: row.expires_at,
        client: Some(ClientRef {
            id: client.id,
            scopes: Scopes::parse(&row.scopes).unwrap_or_default(),
            token_id: row.id,
        }),
    }))
}

/// Stamps `lastUsedAt`, once a minute at most even when replicas race (the condition is
/// in the statement).
async fn touch<C: ConnectionTrait>(db: &C, id: i32, now: DateTime<Utc>) -> ApiResult<()> {
    api_client::Entity::update_many()
        .col_expr(api_client::Column::LastUsedAt, Expr::value(Some(now)))
        .filter(api_client::Column::Id.eq(id))
        .filter(
            Condition::any()
                .add(api_client::Column::LastUsedAt.is_null())
                .add(api_client::Column::LastUsedAt.lte(now - LAST_USED_EVERY)),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// `logout` by a client: its access token stops working; recorded in the audit log.
pub async fn end(db: &sea_orm::DatabaseConnection, who: &Who, client: &ClientRef) -> ApiResult<()> {
    let txn = migration::database::begin_write(db).await?;
    api_client_token::Entity::delete_by_id(client.token_id)
        .exec(&txn)
        .await?;
    if let Some(model) = api_client::Entity::find_by_id(client.id).one(&txn).await? {
        super::service::record(&txn, who, EventType::ApiClientSignedOut, &model).await?;
    }
    txn.commit().await?;
    Ok(())
}
