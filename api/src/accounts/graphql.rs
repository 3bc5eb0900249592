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

#[Object]
impl User {
    pub async fn id(&self) -> ID {
        ids::encode(ids::NodeType::User, self.0.id)
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn role(&self) -> UserRole {
        self.0.role
    }
    /// True until the user replaces a temporary password with `changePassword`.
    async fn must_change_password(&self) -> bool {
        self.0.must_change_password
    }
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
    user: User,
    partner: Option<Partner>,
    customer: Option<Customer>,
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// Who is signed in. Works with a temporary password too, so a client can see
    /// `mustChangePassword` and ask for a new one.
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

#[derive(InputObject)]
pub struct LoginInput {
    email: String,
    password: String,
}

#[derive(SimpleObject)]
pub struct LoginPayload {
    /// Send as `Authorization: Bearer <token>`. Shown once.
    token: Option<String>,
    expires_at: Option<DateTime<Utc>>,
    user: Option<User>,
    /// When true, every operation but `changePassword`, `viewer` and `logout` is refused.
    must_change_password: bool,
    user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct LogoutInput {
    /// Unused; present so every mutation has the `input` shape.
    client_mutation_id: Option<String>,
}

#[derive(SimpleObject)]
pub struct LogoutPayload {
    /// True when a session was ended.
    success: bool,
    user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct ChangePasswordInput {
    current_password: String,
    new_password: String,
}

#[derive(SimpleObject)]
pub struct ChangePasswordPayload {
    user: Option<User>,
    user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct AddUserInput {
    email: String,
    name: String,
    role: UserRole,
}

#[derive(SimpleObject)]
pub struct AddUserPayload {
    user: Option<User>,
    /// Give this to the new user; it is shown only here and must be changed at first sign-in.
    temporary_password: Option<String>,
    user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct UpdateUserInput {
    user_id: ID,
    name: Option<String>,
    role: Option<UserRole>,
}

#[derive(SimpleObject)]
pub struct UpdateUserPayload {
    user: Option<User>,
    user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct RemoveUserInput {
    user_id: ID,
}

#[derive(SimpleObject)]
pub struct RemoveUserPayload {
    removed_user_id: Option<ID>,
    user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Signs in. Repeated failures for one account or from one address are refused with
    /// `RATE_LIMITED` for a while.
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> Result<LoginPayload> {
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

    /// Ends the current session; its token stops working at once.
    async fn logout(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "LogoutInput { client_mutation_id: None }")] input: LogoutInput,
    ) -> Result<LogoutPayload> {
        let _ = input.client_mutation_id;
        let actor = auth::signed_in(ctx)?;
        super::session::end(db(ctx), &Who::of(ctx, actor), actor).await?;
        Ok(LogoutPayload {
            success: true,
            user_errors: Vec::new(),
        })
    }

    /// Replaces the caller's password (required after a temporary one) and signs out its
    /// other sessions.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        input: ChangePasswordInput,
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

    /// ADMIN only: adds a user to the caller's organization with a temporary password.
    async fn add_user(&self, ctx: &Context<'_>, input: AddUserInput) -> Result<AddUserPayload> {
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
    async fn update_user(
        &self,
        ctx: &Context<'_>,
        input: UpdateUserInput,
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

    /// ADMIN only: removes a user of the organization and ends its sessions.
    async fn remove_user(
        &self,
        ctx: &Context<'_>,
        input: RemoveUserInput,
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
