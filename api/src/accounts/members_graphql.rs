//! GraphQL surface of an organization ADMIN managing its users: `addUser`, `updateUser`,
//! `removeUser` (the rules are `members`').

use super::members;
use super::people::User;
use crate::audit::Who;
use crate::auth;
use crate::graphql::payload::split;
use crate::graphql::user_error::UserError;
use crate::graphql::{db, ids};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use entity::enums::UserRole;

/// Input of `addUser`.
#[derive(InputObject)]
pub struct AddUserInput {
    /// The new user's sign-in email; must not belong to another account.
    email: String,
    /// Display name, 1 to 200 characters.
    name: String,
    /// `ADMIN`, `SALES_AGENT` or `HELPDESK_AGENT`.
    role: UserRole,
    /// The language the new user reads emails and pages in (BCP 47, e.g. `zh-TW`); the
    /// adding ADMIN's own when left out.
    preferred_language: Option<String>,
}

/// Result of `addUser`.
#[derive(SimpleObject)]
pub struct AddUserPayload {
    /// The new (or re-activated) user; null on failure.
    user: Option<User>,
    /// Give this to the new user; it is shown only here and must be changed at first sign-in.
    temporary_password: Option<String>,
    /// `INVALID` (email, name, role or preferred language) or `EMAIL_TAKEN`.
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
pub struct MemberMutation;

#[Object]
impl MemberMutation {
    /// ADMIN only: adds a user to the caller's organization with a temporary password (to be
    /// changed at first sign-in). Adding the email of a user removed from this organization
    /// brings that user back.
    ///
    /// userErrors: `INVALID` (email, name, a role other than `ADMIN`, `SALES_AGENT`,
    /// `HELPDESK_AGENT`, or a `preferredLanguage` that is not a BCP 47 tag), `EMAIL_TAKEN`. Top-level: `FORBIDDEN` (reason `ADMIN_ONLY`).
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
                preferred_language: input
                    .preferred_language
                    .as_deref()
                    .unwrap_or(&actor.user.preferred_language),
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
