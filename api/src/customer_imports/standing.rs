//! The one who started an import, as they stand now. An import outlives its request by
//! minutes, so the worker asks before every batch: a user deactivated, moved out of the
//! provider, or no longer ADMIN or SALES_AGENT; an API client revoked, expired, or without
//! the scopes `importCustomers` declares (`graphql::policy`) — any of these stops the
//! import where it stands (CANCELLED). A provider suspended meanwhile does not stop it: its
//! rows fail one by one with `PROVIDER_NOT_ACTIVE`, as `createCustomer` would answer.

use crate::audit::Who;
use crate::auth::{Actor, ClientRef};
use crate::customers::eligibility::ordering_provider;
use crate::error::{ApiError, ApiResult};
use crate::graphql::policy;
use async_graphql::parser::types::OperationType;
use chrono::Utc;
use entity::customer_import;
use entity::enums::UserRole;
use entity::{api_client, partner, user};
use sea_orm::{ConnectionTrait, EntityTrait};

/// Whether the import may go on, and as whom.
pub enum Standing {
    /// The caller of `createCustomer` for the next batch, and the audit's "who".
    Allowed(Box<Actor>, Who),
    /// The starter may no longer import.
    Revoked,
}

pub async fn now<C: ConnectionTrait>(
    db: &C,
    import: &customer_import::Model,
) -> ApiResult<Standing> {
    let Some(mut user) = user::Entity::find_by_id(import.user_id).one(db).await? else {
        return Ok(Standing::Revoked);
    };
    let partner = partner::Entity::find_by_id(import.provider_id)
        .one(db)
        .await?;
    let client = match import.api_client_id {
        None => None,
        Some(id) => match client_now(db, id).await? {
            Some(client) => Some(client),
            None => return Ok(Standing::Revoked),
        },
    };
    if client.is_some() {
        // A client acts as its organization's ADMIN would (`api_clients::tokens::resolve`).
        user.role = UserRole::Admin;
        user.partner_id = Some(import.provider_id);
    } else if user.deactivated_at.is_some() || user.partner_id != Some(import.provider_id) {
        return Ok(Standing::Revoked);
    }
    let actor = Actor {
        user,
        partner,
        session_id: 0,
        session_expires_at: Utc::now(),
        client,
    };
    // Not active is not a refusal here: each row says so.
    if let Err(ApiError::Forbidden(_)) = ordering_provider(&actor) {
        return Ok(Standing::Revoked);
    }
    Ok(Standing::Allowed(Box::new(actor), who(import)))
}

/// The import's starter, as the audit names it for what the worker does.
pub fn who(import: &customer_import::Model) -> Who {
    Who {
        user_id: import.api_client_id.is_none().then_some(import.user_id),
        partner_id: Some(import.provider_id),
        request_id: format!("customer-import-{}", import.id),
        api_client_id: import.api_client_id,
    }
}

/// The client if it is live and still has what `importCustomers` declares.
async fn client_now<C: ConnectionTrait>(db: &C, id: i32) -> ApiResult<Option<ClientRef>> {
    let Some(client) = api_client::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    if !crate::api_clients::tokens::live(&client, Utc::now()) {
        return Ok(None);
    }
    let client = ClientRef {
        id: client.id,
        scopes: crate::api_clients::Scopes::parse(&client.scopes).unwrap_or_default(),
        token_id: 0,
    };
    let allowed = policy::allows(&client, OperationType::Mutation, "importCustomers").is_ok();
    Ok(allowed.then_some(client))
}
