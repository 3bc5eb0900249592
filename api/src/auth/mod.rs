//! Who is calling: the signed-in user resolved from the bearer token, and the checks every
//! resolver uses (`actor`, `platform_admin`, `partner_admin`).

pub mod live;
pub mod password;
pub mod suspension;
pub mod token;

use crate::error::{ApiError, ApiResult};
use async_graphql::Context;
use entity::enums::UserRole;
use entity::{partner, user};

/// The caller of one request, loaded once by the HTTP handler.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: user::Model,
    pub partner: Option<partner::Model>,
    pub session_id: i32,
    /// When the session's token stops working (a WebSocket connection closes then).
    pub session_expires_at: chrono::DateTime<chrono::Utc>,
    /// Set when an API client calls (an access token of `POST /oauth/token`): it acts for
    /// its organization as an ADMIN would, limited to its scopes (`graphql::policy`).
    /// `user` is then the client's creator with the ADMIN role, recorded where a change
    /// needs a user (who placed an order); the audit log names the client instead.
    pub client: Option<ClientRef>,
}

/// The API client behind an access token.
#[derive(Debug, Clone)]
pub struct ClientRef {
    /// Row id of the client (`api_clients`).
    pub id: i32,
    /// The scopes of the token (a subset of the client's).
    pub scopes: crate::api_clients::Scopes,
    /// Row id of the access token (`logout` ends it).
    pub token_id: i32,
}

/// Request data: the caller if the bearer token named a live session.
#[derive(Debug, Clone, Default)]
pub struct Auth(pub Option<Actor>);

/// Request data: the client address used for throttling.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl Actor {
    pub fn is_platform_admin(&self) -> bool {
        self.user.role == UserRole::PlatformAdmin
    }

    /// The API client calling, if a client is.
    pub fn client(&self) -> Option<&ClientRef> {
        self.client.as_ref()
    }

    pub fn partner_id(&self) -> Option<i32> {
        self.partner.as_ref().map(|p| p.id)
    }

    /// True for the ADMIN of the partner organization `partner_id`.
    pub fn is_admin_of(&self, partner_id: i32) -> bool {
        self.user.role == UserRole::Admin && self.partner_id() == Some(partner_id)
    }
}

/// The signed-in caller, even one that still has to change a temporary password.
/// Only `viewer`, `changePassword` and `logout` use this.
pub fn signed_in<'a>(ctx: &Context<'a>) -> ApiResult<&'a Actor> {
    ctx.data_opt::<Auth>()
        .and_then(|a| a.0.as_ref())
        .ok_or(ApiError::Unauthenticated)
}

/// The signed-in caller, refused while a temporary password is still in place.
pub fn actor<'a>(ctx: &Context<'a>) -> ApiResult<&'a Actor> {
    usable(signed_in(ctx)?)
}

/// The check of [`actor`] on a caller looked up elsewhere (`live::LiveRights`).
pub fn usable(actor: &Actor) -> ApiResult<&Actor> {
    if actor.user.must_change_password {
        return Err(ApiError::Forbidden("PASSWORD_CHANGE_REQUIRED"));
    }
    Ok(actor)
}

pub fn platform_admin<'a>(ctx: &Context<'a>) -> ApiResult<&'a Actor> {
    let actor = actor(ctx)?;
    if !actor.is_platform_admin() {
        return Err(ApiError::Forbidden("PLATFORM_ADMIN_ONLY"));
    }
    Ok(actor)
}

/// An ADMIN of a partner organization; returns the actor and that partner.
pub fn partner_admin<'a>(ctx: &Context<'a>) -> ApiResult<(&'a Actor, &'a partner::Model)> {
    let actor = actor(ctx)?;
    match (&actor.partner, actor.user.role) {
        (Some(partner), UserRole::Admin) => Ok((actor, partner)),
        _ => Err(ApiError::Forbidden("ADMIN_ONLY")),
    }
}
