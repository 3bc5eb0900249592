//! GraphQL surface of accounts: `viewer`, `login`, `logout`, `changePassword` and the
//! ADMIN's `addUser` / `updateUser` / `removeUser`.

use super::{login, members};
use crate::audit::Who;
use crate::auth::{self, ClientAddr};
use crate::customers::graphql::Customer;
use crate::graphql::payload::split;
use crate::graphql::user_error::UserError;
use crate::graphql::{db, ids, settings};
use crate::partners::Partner;
use crate::partners::service as partners;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
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
    /// When the account was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the user was removed from its organization (it can no longer sign in); null for
    /// active users.
    async fn removed_at(&self) -> Option<DateTime<Utc>> {
        self.0.deactivated_at
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

/// Input of `addUser`.
#[derive(InputObject)]
pub struct AddUserInput {
    /// The new user's sign-in email; must not belong to another account.
    email: String,
    /// Display name, 1 to 200 characters.
    name: String,
    /// `ADMIN`, `SALES_AGENT` or `HELPDESK_AGENT`.
    role: UserRole,
}

/// Result of `addUser`.
#[derive(SimpleObject)]
pub struct AddUserPayload {
    /// The new (or re-activated) user; null on failure.
    user: Option<User>,
    /// Give this to the new user; it is shown only here and must be changed at first sign-in.
    temporary_password: Option<String>,
    /// `INVALID` (email, name or role) or `EMAIL_TAKEN`.
    user_errors: Vec<UserError>,
}

/// Input of `updateUser`: fields left out stay as they are.
#[derive(InputObject)]
pub struct UpdateUserInput {
    /// Global id of an active user of the caller's organization.
    user_id: ID,
    /// New display name, 1 to 200 characters.
    name: Option<String>,
    /// New role: `ADMIN`, `SALES_AGENT` or `HELPDESK_AGENT`.
    role: Option<UserRole>,
}

/// Result of `updateUser`.
#[derive(SimpleObject)]
pub struct UpdateUserPayload {
    /// The updated user; null on failure.
    user: Option<User>,
    /// `INVALID` (name or role) or `LAST_ADMIN`.
    user_errors: Vec<UserError>,
}

/// Input of `removeUser`.
#[derive(InputObject)]
pub struct RemoveUserInput {
    /// Global id of an active user of the caller's organization, not the caller.
    user_id: ID,
}

/// Result of `removeUser`.
#[derive(SimpleObject)]
pub struct RemoveUserPayload {
    /// The id of the removed user; null on failure.
    removed_user_id: Option<ID>,
    /// `CANNOT_REMOVE_SELF` or `LAST_ADMIN`.
    user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Public: signs in and returns a bearer token. Repeated failures for one account or
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
            },
        )
        .await;
        let (signed_in, user_errors) = split(result)?;
        Ok(match signed_in {
            Some(s) => LoginPayload {
                token: Some(s.session.token),
                expires_at: Some(s.session.expires_at),
                must_change_password: s.user.must_change_password,
                user: Some(User(s.user)),
                user_errors,
            },
            None => LoginPayload {
                token: None,
                expires_at: None,
                user: None,
                must_change_password: false,
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

    /// ADMIN only: adds a user to the caller's organization with a temporary password (to be
    /// changed at first sign-in). Adding the email of a user removed from this organization
    /// brings that user back.
    ///
    /// userErrors: `INVALID` (email, name, or a role other than `ADMIN`, `SALES_AGENT`,
    /// `HELPDESK_AGENT`), `EMAIL_TAKEN`. Top-level: `FORBIDDEN` (reason `ADMIN_ONLY`).
    async fn add_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new user's email, name and role.")] input: AddUserInput,
    ) -> Result<AddUserPayload> {
        let (actor, partner) = auth::partner_admin(ctx)?;
        let result = members::add(
            db(ctx),
            &Who::of(ctx, actor),
            partner.id,
            members::NewMember {
                email: &input.email,
                name: &input.name,
                role: input.role,
            },
        )
        .await;
        let (added, user_errors) = split(result)?;
        Ok(match added {
            Some(a) => AddUserPayload {
                user: Some(User(a.user)),
                temporary_password: Some(a.temporary_password),
                user_errors,
            },
            None => AddUserPayload {
                user: None,
                temporary_password: None,
                user_errors,
            },
        })
    }

    /// ADMIN only: renames a user of the organization or changes its role.
    ///
    /// userErrors: `INVALID` (name or role), `LAST_ADMIN` (demoting the only ADMIN).
    /// Top-level: `FORBIDDEN` (reason `ADMIN_ONLY`), `NOT_FOUND` (not an active user of the
    /// caller's organization).
    async fn update_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user and what to change.")] input: UpdateUserInput,
    ) -> Result<UpdateUserPayload> {
        let (actor, partner) = auth::partner_admin(ctx)?;
        let user_id = ids::decode_as(ids::NodeType::User, &input.user_id)?;
        let result = members::update(
            db(ctx),
            &Who::of(ctx, actor),
            partner.id,
            user_id,
            input.name.as_deref(),
            input.role,
        )
        .await;
        let (user, user_errors) = split(result)?;
        Ok(UpdateUserPayload {
            user: user.map(User),
            user_errors,
        })
    }

    /// ADMIN only: removes a user of the organization and ends its sessions. The user can
    /// no longer sign in; what it did stays in the history.
    ///
    /// userErrors: `CANNOT_REMOVE_SELF`, `LAST_ADMIN` (the only ADMIN). Top-level:
    /// `FORBIDDEN` (reason `ADMIN_ONLY`), `NOT_FOUND` (not an active user of the caller's
    /// organization).
    async fn remove_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user to remove.")] input: RemoveUserInput,
    ) -> Result<RemoveUserPayload> {
        let (actor, partner) = auth::partner_admin(ctx)?;
        let user_id = ids::decode_as(ids::NodeType::User, &input.user_id)?;
        let result =
            members::remove(db(ctx), &Who::of(ctx, actor), actor, partner.id, user_id).await;
        let (removed, user_errors) = split(result)?;
        Ok(RemoveUserPayload {
            removed_user_id: removed.map(|()| input.user_id),
            user_errors,
        })
    }
}
