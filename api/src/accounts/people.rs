//! The people of accounts as GraphQL sees them: the `User` type and `viewer`.

use crate::auth;
use crate::customers::graphql::Customer;
use crate::graphql::{db, ids};
use crate::partners::Partner;
use crate::partners::service as partners;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::UserRole;
use entity::user;
use sea_orm::EntityTrait;

/// A person who signs in.
pub struct User(pub user::Model);

/// A person who signs in: a partner organization's user, a platform administrator, or a
/// customer's admin account. Visible to the user itself, to the ADMINs of its organization
/// and to platform administrators; anyone else gets `NOT_FOUND`.
#[Object]
impl User {
    /// The user's global id (opaque).
    pub async fn id(&self) -> ID {
        ids::encode(ids::NodeType::User, self.0.id)
    }
    /// The sign-in email address, lower-cased.
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// Display name (1 to 200 characters).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What the user may do in its organization.
    async fn role(&self) -> UserRole {
        self.0.role
    }
    /// True until the user replaces a temporary password with `changePassword`.
    async fn must_change_password(&self) -> bool {
        self.0.must_change_password
    }
    /// The language the user reads emails, drafts and pages in: a BCP 47 tag as the user
    /// set it (`updateViewerPreferences`). Tags of unsupported languages are kept and read
    /// as the nearest supported one (`zh-Hant-TW` and `zh` read zh-TW; others English).
    async fn preferred_language(&self) -> &str {
        &self.0.preferred_language
    }
    /// When the account was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the user was removed from its organization (it can no longer sign in); null for
    /// active users.
    async fn removed_at(&self) -> Option<DateTime<Utc>> {
        self.0.deactivated_at
    }
    /// The second factors the user holds (`RECOVERY_CODE` while unused recovery codes
    /// remain); empty when it signs in with its password alone. Seen by whoever sees the
    /// user: itself, its organization's ADMINs, platform administrators.
    async fn mfa_methods(&self, ctx: &Context<'_>) -> Result<Vec<crate::mfa::types::MfaMethod>> {
        crate::mfa::graphql::methods_of(ctx, self.0.id).await
    }
    /// The user's passkeys, oldest first.
    async fn passkeys(&self, ctx: &Context<'_>) -> Result<Vec<crate::mfa::types::Passkey>> {
        crate::mfa::passkeys::list(ctx, self.0.id).await
    }
    /// The partner organization the user belongs to; null for platform administrators.
    async fn partner(&self, ctx: &Context<'_>) -> Result<Option<Partner>> {
        let Some(partner_id) = self.0.partner_id else {
            return Ok(None);
        };
        let actor = auth::signed_in(ctx)?;
        Ok(Some(Partner(
            partners::find_visible(db(ctx), actor, partner_id).await?,
        )))
    }
}

/// The signed-in user and its organization: a partner, or for customer users the customer.
#[derive(SimpleObject)]
pub struct Viewer {
    /// The signed-in user.
    user: User,
    /// The user's partner organization; null for platform administrators and customer users.
    partner: Option<Partner>,
    /// For a customer's admin account, its customer; null otherwise.
    customer: Option<Customer>,
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// Who is signed in. Works with a temporary password too, so a client can see
    /// `mustChangePassword` and ask for a new one. `UNAUTHENTICATED` without a valid
    /// bearer token.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Viewer> {
        let actor = auth::signed_in(ctx)?;
        let customer = match actor.user.customer_id {
            Some(id) => entity::customer::Entity::find_by_id(id)
                .one(db(ctx))
                .await
                .map_err(crate::error::ApiError::from)?
                .map(Customer),
            None => None,
        };
        Ok(Viewer {
            user: User(actor.user.clone()),
            partner: actor.partner.clone().map(Partner),
            customer,
        })
    }
}
