//! Platform administrator accounts, created from the command line (never through the API).

use crate::accounts::validate;
use crate::error::ApiResult;
use chrono::Utc;
use entity::enums::UserRole;
use entity::user;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// Creates the platform admin unless the email is already taken. Returns true if created.
pub async fn ensure_platform_admin<C: ConnectionTrait>(
    db: &C,
    email: &str,
    name: &str,
    password: &str,
) -> ApiResult<bool> {
    let email = validate::email(email, &["email"])?;
    let name = validate::name(name, 200, &["name"])?;
    validate::new_password(password, &["password"])?;
    if user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .one(db)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    user::ActiveModel {
        email: Set(email),
        name: Set(name),
        password_hash: Set(validate::hash_password(password.to_owned()).await?),
        role: Set(UserRole::PlatformAdmin),
        partner_id: Set(None),
        must_change_password: Set(false),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(true)
}
