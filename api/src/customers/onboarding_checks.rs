//! The reads `createCustomer` makes before it writes, folded into one statement: whether
//! the idempotency key was already used by the provider, whether another customer has the
//! domain, and whether the admin account name `admin@<domain>` is taken. The wizard's
//! `domainAvailable` asks the last two the same way. Also the domain's normal form and the
//! replay of an earlier submit.

use super::onboarding::Created;
use crate::error::{ApiError, ApiResult};
use crate::graphql::user_error::UserErrorCode;
use entity::{customer, order};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder, Statement,
    Value,
};
use worker::msg;

/// Lower-cased domain of letters, digits and hyphens with at least one dot.
pub fn normalize_domain(raw: &str) -> ApiResult<String> {
    let domain = raw.trim().trim_end_matches('.').to_lowercase();
    let labels_ok = domain.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    if domain.len() <= 253 && domain.contains('.') && labels_ok {
        Ok(domain)
    } else {
        Err(ApiError::user(
            UserErrorCode::Invalid,
            &["input", "domain"],
            msg!("error-domain"),
        ))
    }
}

/// What a submit would collide with.
#[derive(Debug, Clone, Copy)]
pub struct Claims {
    /// The customer an earlier submit with the same key created.
    pub by_key: Option<i32>,
    /// A customer uses the domain, or its admin account name is already someone's.
    pub domain_taken: bool,
}

/// One statement: [`Claims`] of `key` (the provider's idempotency key, if any) and
/// `domain` (normalized; none when malformed, which is refused later anyway).
pub async fn claims<C: ConnectionTrait>(
    db: &C,
    key: Option<(i32, &str)>,
    domain: Option<&str>,
) -> ApiResult<Claims> {
    let backend = db.get_database_backend();
    let mut values: Vec<Value> = Vec::with_capacity(4);
    let mut param = |value: Value| {
        values.push(value);
        match backend {
            DatabaseBackend::Postgres => format!("${}", values.len()),
            _ => "?".to_owned(),
        }
    };
    let by_key = match key {
        Some((provider_id, key)) => format!(
            "(SELECT id FROM customers WHERE provider_id = {} AND idempotency_key = {} LIMIT 1)",
            param(provider_id.into()),
            param(key.into())
        ),
        None => "NULL".to_owned(),
    };
    let domain = domain.unwrap_or_default();
    let domains = format!(
        "(SELECT COUNT(*) FROM customers WHERE domain = {})",
        param(domain.into())
    );
    let admins = format!(
        "(SELECT COUNT(*) FROM users WHERE email = {})",
        param(format!("admin@{domain}").into())
    );
    let sql = format!("SELECT {by_key} AS by_key, {domains} AS domains, {admins} AS admins");
    let row = db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the claims query returned no row")))?;
    let domains: i64 = row.try_get("", "domains")?;
    let admins: i64 = row.try_get("", "admins")?;
    Ok(Claims {
        by_key: row.try_get("", "by_key")?,
        domain_taken: domains + admins > 0,
    })
}

/// True when a customer uses the domain, or its admin account name is already someone's.
pub async fn domain_taken<C: ConnectionTrait>(db: &C, domain: &str) -> ApiResult<bool> {
    Ok(claims(db, None, Some(domain)).await?.domain_taken)
}

pub fn domain_taken_error() -> ApiError {
    ApiError::user(
        UserErrorCode::DomainTaken,
        &["input", "domain"],
        msg!("error-domain-taken"),
    )
}

/// The customer created by the provider's submit with `key`, if any.
pub async fn by_key<C: ConnectionTrait>(
    db: &C,
    provider_id: i32,
    key: &str,
) -> ApiResult<Option<customer::Model>> {
    Ok(customer::Entity::find()
        .filter(customer::Column::ProviderId.eq(provider_id))
        .filter(customer::Column::IdempotencyKey.eq(key))
        .one(db)
        .await?)
}

/// The first result of a retried submit (customer `id`): same customer and order, no
/// password.
pub async fn replay_of<C: ConnectionTrait>(db: &C, id: i32) -> ApiResult<Created> {
    let existing = customer::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    replay(db, existing).await
}

/// The first result of a retried submit: same customer and order, no password.
pub async fn replay<C: ConnectionTrait>(db: &C, existing: customer::Model) -> ApiResult<Created> {
    let order = order::Entity::find()
        .filter(order::Column::CustomerId.eq(existing.id))
        .order_by_asc(order::Column::Id)
        .one(db)
        .await?;
    Ok(Created {
        admin_user_name: format!("admin@{}", existing.domain),
        customer: existing,
        order,
        temporary_password: None,
        replayed: true,
    })
}
