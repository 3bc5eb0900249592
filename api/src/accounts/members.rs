//! An organization ADMIN manages the users of its own partner organization: adds them with a
//! temporary password (shown once), changes their role or name, removes them.
//! Users of other organizations answer `NOT_FOUND`.
//!
//! Removing deactivates: the user can no longer sign in and every session of it ends at
//! once, but its row stays, so the orders, invitations and requests it made and the audit
//! log keep naming who acted. Adding the same email to the same organization again
//! reactivates that row with a new temporary password.
//!
//! Every change locks the organization's row first, so two ADMINs demoting or removing each
//! other at the same moment cannot leave the organization without one.

use super::validate;
use crate::audit::{self, Change, Who};
use crate::auth::{Actor, password};
use crate::error::{ApiError, ApiResult, is_unique_violation};
use crate::graphql::ids::NodeType;
use crate::graphql::user_error::UserErrorCode;
use crate::language;
use chrono::Utc;
use entity::enums::UserRole;
use entity::event_type::EventType;
use entity::{partner, session, user};
use migration::database::begin_write;
use sea_orm::ActiveEnum;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QuerySelect, Set,
};
use worker::msg;

pub struct NewMember<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: UserRole,
    /// A BCP 47 tag, validated here.
    pub preferred_language: &'a str,
}

pub struct AddedMember {
    pub user: user::Model,
    /// Returned to the ADMIN once; the user must change it at first sign-in.
    pub temporary_password: String,
}

fn check_partner_role(role: UserRole) -> ApiResult<()> {
    if matches!(role, UserRole::PlatformAdmin | UserRole::CustomerAdmin) {
        return Err(ApiError::user(
            UserErrorCode::Invalid,
            &["input", "role"],
            msg!("error-partner-role"),
        ));
    }
    Ok(())
}

/// A write transaction holding the organization's row lock: member changes of one
/// organization run one at a time.
async fn lock_organization(
    db: &DatabaseConnection,
    partner_id: i32,
) -> ApiResult<DatabaseTransaction> {
    let txn = begin_write(db).await?;
    partner::Entity::find_by_id(partner_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(txn)
}

pub async fn add(
    db: &DatabaseConnection,
    who: &Who,
    partner_id: i32,
    new: NewMember<'_>,
) -> ApiResult<AddedMember> {
    let email = validate::email(new.email, &["input", "email"])?;
    let name = validate::name(new.name, 200, &["input", "name"])?;
    check_partner_role(new.role)?;
    let preferred_language =
        language::preference(new.preferred_language, &["input", "preferredLanguage"])?;
    let temporary_password = password::generate_temporary();
    let hash = password::hash_temporary(&temporary_password);
    let txn = lock_organization(db, partner_id).await?;
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .one(&txn)
        .await?;
    let user = match existing {
        // Someone who left this organization comes back as the same person.
        Some(former)
            if former.partner_id == Some(partner_id) && former.deactivated_at.is_some() =>
        {
            let mut back = former.into_active_model();
            back.name = Set(name);
            back.role = Set(new.role);
            back.preferred_language = Set(preferred_language);
            back.password_hash = Set(hash);
            back.must_change_password = Set(true);
            back.deactivated_at = Set(None);
            back.update(&txn).await?
        }
        Some(_) => return Err(email_taken(&["input", "email"])),
        None => user::ActiveModel {
            email: Set(email),
            name: Set(name),
            password_hash: Set(hash),
            role: Set(new.role),
            preferred_language: Set(preferred_language),
            partner_id: Set(Some(partner_id)),
            must_change_password: Set(true),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                email_taken(&["input", "email"])
            } else {
                e.into()
            }
        })?,
    };
    audit::record(
        &txn,
        who,
        Change {
            action: EventType::UserAdded,
            target: NodeType::User,
            target_id: user.id,
            summary: msg!(
                "audit-user-added",
                email = &user.email,
                role = user.role.to_value()
            ),
            subject_partner_id: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(AddedMember {
        user,
        temporary_password,
    })
}

pub fn email_taken(field: &[&str]) -> ApiError {
    ApiError::user(UserErrorCode::EmailTaken, field, msg!("error-email-taken"))
}

/// An active user of the ADMIN's own organization, or `NOT_FOUND`.
async fn member_of<C: ConnectionTrait>(
    db: &C,
    partner_id: i32,
    user_id: i32,
) -> ApiResult<user::Model> {
    user::Entity::find_by_id(user_id)
        .filter(user::Column::PartnerId.eq(partner_id))
        .filter(user::Column::DeactivatedAt.is_null())
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

async fn admin_count<C: ConnectionTrait>(db: &C, partner_id: i32) -> ApiResult<u64> {
    Ok(user::Entity::find()
        .filter(user::Column::PartnerId.eq(partner_id))
        .filter(user::Column::Role.eq(UserRole::Admin))
        .filter(user::Column::DeactivatedAt.is_null())
        .count(db)
        .await?)
}

pub async fn update(
    db: &DatabaseConnection,
    who: &Who,
    partner_id: i32,
    user_id: i32,
    name: Option<&str>,
    role: Option<UserRole>,
) -> ApiResult<user::Model> {
    let name = name
        .map(|n| validate::name(n, 200, &["input", "name"]))
        .transpose()?;
    if let Some(role) = role {
        check_partner_role(role)?;
    }
    let txn = lock_organization(db, partner_id).await?;
    let member = member_of(&txn, partner_id, user_id).await?;
    let mut active = member.clone().into_active_model();
    if let Some(name) = name {
        active.name = Set(name);
    }
    if let Some(role) = role {
        if member.role == UserRole::Admin
            && role != UserRole::Admin
            && admin_count(&txn, partner_id).await? <= 1
        {
            return Err(last_admin());
        }
        active.role = Set(role);
    }
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        who,
        Change {
            action: EventType::UserUpdated,
            target: NodeType::User,
            target_id: updated.id,
            summary: msg!(
                "audit-user-updated",
                email = &updated.email,
                role = updated.role.to_value(),
                name = &updated.name
            ),
            subject_partner_id: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deactivates a user of the organization and ends its sessions (see the module doc).
pub async fn remove(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    partner_id: i32,
    user_id: i32,
) -> ApiResult<()> {
    if actor.user.id == user_id {
        return Err(ApiError::user(
            UserErrorCode::CannotRemoveSelf,
            &["input", "userId"],
            msg!("error-cannot-remove-self"),
        ));
    }
    let txn = lock_organization(db, partner_id).await?;
    let member = member_of(&txn, partner_id, user_id).await?;
    if member.role == UserRole::Admin && admin_count(&txn, partner_id).await? <= 1 {
        return Err(last_admin());
    }
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(member.id))
        .exec(&txn)
        .await?;
    let mut gone = member.clone().into_active_model();
    gone.deactivated_at = Set(Some(Utc::now()));
    gone.update(&txn).await?;
    audit::record(
        &txn,
        who,
        Change {
            action: EventType::UserRemoved,
            target: NodeType::User,
            target_id: member.id,
            summary: msg!("audit-user-removed", email = &member.email),
            subject_partner_id: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

fn last_admin() -> ApiError {
    ApiError::user(
        UserErrorCode::LastAdmin,
        &["input", "role"],
        msg!("error-last-admin"),
    )
}

/// Users the caller may see: itself, its organization's users if it is a partner ADMIN, all
/// users for a platform admin. Removed users stay visible by id (history names them).
pub async fn find_visible<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    user_id: i32,
) -> ApiResult<user::Model> {
    let user = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let visible = actor.is_platform_admin()
        || user.id == actor.user.id
        || user.partner_id.is_some_and(|p| actor.is_admin_of(p));
    if visible {
        Ok(user)
    } else {
        Err(ApiError::NotFound)
    }
}
