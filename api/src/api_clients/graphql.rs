//! GraphQL of API clients: `ApiClient`, `apiClients`, `currentApiClient` and the client
//! mutations. Managing clients is for people (an organization's ADMINs); a client itself
//! reaches only `currentApiClient` (`graphql::policy`).

use super::service::{self, NewClient, WithSecret};
use super::{ApiScope, Scopes};
use crate::accounts::User;
use crate::audit::Who;
use crate::auth::{self, Actor};
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::{self, Key, Page, PageArgs};
use crate::graphql::db;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::payload::split;
use crate::graphql::user_error::UserError;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{api_client, user};
use sea_orm::{DatabaseConnection, EntityTrait};

/// One of an organization's own systems, calling with the OAuth 2.0 client-credentials
/// grant at `POST /oauth/token`.
pub struct ApiClient(pub api_client::Model);

/// A machine credential of an organization: its systems get short-lived access tokens at
/// `POST /oauth/token` with `clientId` and the secret, and act for the organization with
/// only the client's scopes. Visible to the organization's ADMINs.
#[Object]
impl ApiClient {
    /// The client's global id (opaque; not the OAuth `client_id`).
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::ApiClient, self.0.id)
    }
    /// The OAuth `client_id` (`pcc_…`).
    async fn client_id(&self) -> &str {
        &self.0.client_id
    }
    /// What the client is, for people.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What the client may do.
    async fn scopes(&self) -> Vec<ApiScope> {
        Scopes::parse(&self.0.scopes).unwrap_or_default().list()
    }
    /// When an ADMIN created it.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the client stops working; null for never.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }
    /// When one of its tokens was last used (updated at most once a minute).
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    /// When an ADMIN revoked it; null while it works.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// The ADMIN who created it (people only: an API client gets `FORBIDDEN`, reason
    /// `NOT_A_USER`).
    async fn created_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        crate::graphql::policy::people_only(auth::signed_in(ctx)?)?;
        Ok(user::Entity::find_by_id(self.0.created_by_user_id)
            .one(db(ctx))
            .await
            .map_err(ApiError::from)?
            .map(User))
    }
}

/// The caller's organization, which the caller must administer.
fn admin_org<'a>(ctx: &Context<'a>) -> ApiResult<(&'a Actor, i32)> {
    let (actor, partner) = auth::partner_admin(ctx)?;
    Ok((actor, partner.id))
}

/// The client named as the actor of an audit entry or event.
pub async fn actor(ctx: &Context<'_>, id: Option<i32>) -> ApiResult<Option<ApiClient>> {
    let Some(id) = id else {
        return Ok(None);
    };
    Ok(api_client::Entity::find_by_id(id)
        .one(db(ctx))
        .await?
        .map(ApiClient))
}

/// `node(id:)` of an `ApiClient`: its organization's ADMINs only.
pub async fn find(db: &DatabaseConnection, actor: &Actor, id: i32) -> ApiResult<ApiClient> {
    let partner = actor.partner_id().ok_or(ApiError::NotFound)?;
    if !actor.is_admin_of(partner) {
        return Err(ApiError::NotFound);
    }
    Ok(ApiClient(service::own(db, partner, id, None).await?))
}

#[derive(Default)]
pub struct ApiClientQuery;

#[Object]
impl ApiClientQuery {
    /// The organization's API clients, newest first (revoked ones too). Partner ADMINs
    /// only; others get `FORBIDDEN` (reason `ADMIN_ONLY`).
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn api_clients(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Items before this cursor (a `startCursor` or edge `cursor`).")]
        before: Option<String>,
        #[graphql(
            desc = "The first n items, 0 to 100. Give `first` or `last` (not both): \
                    without either the field answers `BAD_USER_INPUT`."
        )]
        first: Option<i32>,
        #[graphql(desc = "The last n items, 0 to 100. Give `first` or `last` (not both).")]
        last: Option<i32>,
    ) -> Result<Page<ApiClient>> {
        let (_, partner) = admin_org(ctx)?;
        let args = PageArgs::new(after, before, first, last)?;
        Ok(connection::paginate(
            db(ctx),
            service::list(partner),
            &[Key::Desc(api_client::Column::Id)],
            args,
            ApiClient,
        )
        .await?)
    }

    /// The API client calling (with an access token of `POST /oauth/token`); null for a
    /// person's session. Needs no scope.
    async fn current_api_client(&self, ctx: &Context<'_>) -> Result<Option<ApiClient>> {
        let actor = auth::signed_in(ctx)?;
        let Some(client) = actor.client() else {
            return Ok(None);
        };
        let partner = actor.partner_id().ok_or(ApiError::NotFound)?;
        Ok(Some(ApiClient(
            service::own(db(ctx), partner, client.id, None).await?,
        )))
    }
}

/// Input of `createApiClient`.
#[derive(InputObject)]
pub struct CreateApiClientInput {
    /// What the client is, for people (1 to 200 characters).
    name: String,
    /// What it may do (at least one).
    scopes: Vec<ApiScope>,
    /// When it stops working (at least one minute ahead); null or absent for never.
    expires_at: Option<DateTime<Utc>>,
}

/// Names one API client of the caller's organization.
#[derive(InputObject)]
pub struct ApiClientIdInput {
    /// The client's global id.
    api_client_id: ID,
}

/// Result of `createApiClient` and `rotateApiClientSecret`.
#[derive(SimpleObject)]
pub struct ApiClientSecretPayload {
    /// The client; null on failure.
    client: Option<ApiClient>,
    /// The OAuth `client_id` (`pcc_…`).
    client_id: Option<String>,
    /// The secret (`pcs_…`), shown only in this response; only its hash is stored.
    client_secret: Option<String>,
    /// Business-rule failures; see the mutation for the codes.
    user_errors: Vec<UserError>,
}

/// Result of `revokeApiClient`.
#[derive(SimpleObject)]
pub struct ApiClientPayload {
    /// The client after the change; null on failure.
    client: Option<ApiClient>,
    /// Business-rule failures; see the mutation for the codes.
    user_errors: Vec<UserError>,
}

fn secret_payload(result: ApiResult<WithSecret>) -> Result<ApiClientSecretPayload> {
    let (done, user_errors) = split(result)?;
    Ok(match done {
        Some((client, secret)) => ApiClientSecretPayload {
            client_id: Some(client.client_id.clone()),
            client: Some(ApiClient(client)),
            client_secret: Some(secret),
            user_errors,
        },
        None => ApiClientSecretPayload {
            client: None,
            client_id: None,
            client_secret: None,
            user_errors,
        },
    })
}

#[derive(Default)]
pub struct ApiClientMutation;

#[Object]
impl ApiClientMutation {
    /// Organization ADMIN: creates an API client and returns its secret once.
    ///
    /// userErrors: `INVALID` (empty or long name, no scopes), `OUT_OF_RANGE` (`expiresAt`
    /// less than a minute ahead). Top-level: `FORBIDDEN` (reason `ADMIN_ONLY`).
    async fn create_api_client(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Name, scopes and expiry.")] input: CreateApiClientInput,
    ) -> Result<ApiClientSecretPayload> {
        let (actor, partner) = admin_org(ctx)?;
        let who = Who::of(ctx, actor);
        let new = NewClient {
            name: input.name,
            scopes: Scopes::of(input.scopes),
            expires_at: input.expires_at,
        };
        secret_payload(service::create(db(ctx), &who, partner, actor.user.id, new).await)
    }

    /// Organization ADMIN: a new secret, returned once. The old secret is refused at once;
    /// access tokens already issued live on until they expire.
    ///
    /// userErrors: `INVALID_STATE` (revoked). Top-level: `FORBIDDEN` (reason
    /// `ADMIN_ONLY`), `NOT_FOUND`.
    async fn rotate_api_client_secret(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The client whose secret to replace.")] input: ApiClientIdInput,
    ) -> Result<ApiClientSecretPayload> {
        let (actor, partner) = admin_org(ctx)?;
        let id = ids::decode_as(NodeType::ApiClient, &input.api_client_id)?;
        let who = Who::of(ctx, actor);
        secret_payload(service::rotate(db(ctx), &who, partner, id).await)
    }

    /// Organization ADMIN: revokes a client; its secret and every access token it holds
    /// are refused at once.
    ///
    /// userErrors: `INVALID_STATE` (already revoked). Top-level: `FORBIDDEN` (reason
    /// `ADMIN_ONLY`), `NOT_FOUND`.
    async fn revoke_api_client(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The client to revoke.")] input: ApiClientIdInput,
    ) -> Result<ApiClientPayload> {
        let (actor, partner) = admin_org(ctx)?;
        let id = ids::decode_as(NodeType::ApiClient, &input.api_client_id)?;
        let who = Who::of(ctx, actor);
        let (client, user_errors) = split(service::revoke(db(ctx), &who, partner, id).await)?;
        Ok(ApiClientPayload {
            client: client.map(ApiClient),
            user_errors,
        })
    }
}
