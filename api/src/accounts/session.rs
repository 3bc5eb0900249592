//! Sessions: issuing bearer tokens at sign-in and resolving them on each request.

use crate::auth::{Actor, token};
use crate::error::ApiResult;
use chrono::{Duration, Utc};
use entity::event_type::EventType;
use entity::{partner, session, user};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

pub struct IssuedSession {
    /// Shown to the client once; only its hash is stored.
    pub token: String,
    pub expires_at: chrono::DateTime<Utc>,
}

pub async fn issue<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    ttl_hours: i64,
) -> ApiResult<IssuedSession> {
    let token = token::generate();
    let now = Utc::now();
    let expires_at = now + Duration::hours(ttl_hours);
    session::ActiveModel {
        token_hash: Set(token::hash(&token)),
        user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(expires_at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(IssuedSession { token, expires_at })
}

/// The caller behind a bearer token, if the token names a session that has not expired
/// (or, with the access-token prefix, a live API client's token).
pub async fn resolve<C: ConnectionTrait>(db: &C, bearer: &str) -> ApiResult<Option<Actor>> {
    // (A session token starts like an access token once in 16 million: it is still found.)
    if crate::api_clients::is_access_token(bearer)
        && let Some(actor) = crate::api_clients::tokens::resolve(db, bearer).await?
    {
        return Ok(Some(actor));
    }
    // One statement per request: session, its user and the user's organization.
    let found = session::Entity::find()
        .filter(session::Column::TokenHash.eq(token::hash(bearer)))
        .filter(session::Column::ExpiresAt.gt(Utc::now()))
        .find_also_related(user::Entity)
        .and_also_related(partner::Entity)
        .one(db)
        .await?;
    // A removed user's sessions are deleted with it; the check also covers a sign-in that
    // raced the removal.
    let Some((session, Some(user), partner)) = found else {
        return Ok(None);
    };
    if user.deactivated_at.is_some() {
        return Ok(None);
    }
    Ok(Some(Actor {
        user,
        partner,
        session_id: session.id,
        session_expires_at: session.expires_at,
        client: None,
    }))
}

/// Signs out: the session's token stops working; recorded in the audit log.
pub async fn end(
    db: &sea_orm::DatabaseConnection,
    who: &crate::audit::Who,
    actor: &Actor,
) -> ApiResult<()> {
    if let Some(client) = actor.client() {
        return crate::api_clients::tokens::end(db, who, client).await;
    }
    let txn = migration::database::begin_write(db).await?;
    session::Entity::delete_by_id(actor.session_id)
        .exec(&txn)
        .await?;
    crate::audit::record(
        &txn,
        who,
        crate::audit::Change {
            action: EventType::SessionEnded,
            target: crate::graphql::ids::NodeType::User,
            target_id: actor.user.id,
            summary: worker::msg!("audit-signed-out", email = &actor.user.email),
            subject_partner_id: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Ends every session of a user except `keep` (after a password change or removal).
pub async fn end_all_for_user<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    keep: Option<i32>,
) -> ApiResult<()> {
    let mut delete = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
    if let Some(keep) = keep {
        delete = delete.filter(session::Column::Id.ne(keep));
    }
    delete.exec(db).await?;
    Ok(())
}
