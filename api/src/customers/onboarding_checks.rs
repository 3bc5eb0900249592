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
use std::collections::{HashMap, HashSet};
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
    let provider_id = key.map_or(0, |(p, _)| p);
    let mut all = claims_many(db, provider_id, &[(key.map(|(_, k)| k), domain)]).await?;
    all.pop()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no claims were read")))
}

/// [`claims`] of many submits of `provider_id` (each a key and a domain, either absent),
/// in one statement whatever their number: the keys used, the domains used, the admin
/// account names taken, each part a `UNION ALL` of the others.
pub async fn claims_many<C: ConnectionTrait>(
    db: &C,
    provider_id: i32,
    asks: &[(Option<&str>, Option<&str>)],
) -> ApiResult<Vec<Claims>> {
    let backend = db.get_database_backend();
    let mut values: Vec<Value> = Vec::new();
    let mut param = |value: Value| {
        values.push(value);
        match backend {
            DatabaseBackend::Postgres => format!("${}", values.len()),
            _ => "?".to_owned(),
        }
    };
    let keys: Vec<&str> = asks.iter().filter_map(|(k, _)| *k).collect();
    let domains: Vec<&str> = asks.iter().filter_map(|(_, d)| *d).collect();
    let mut parts = Vec::new();
    if !keys.is_empty() {
        let provider = param(provider_id.into());
        let list: Vec<String> = keys.iter().map(|k| param((*k).into())).collect();
        parts.push(format!(
            "SELECT 'key' AS kind, idempotency_key AS name, id FROM customers \
             WHERE provider_id = {provider} AND idempotency_key IN ({})",
            list.join(", ")
        ));
    }
    if !domains.is_empty() {
        let list: Vec<String> = domains.iter().map(|d| param((*d).into())).collect();
        parts.push(format!(
            "SELECT 'domain' AS kind, domain AS name, id FROM customers WHERE domain IN ({})",
            list.join(", ")
        ));
        let list: Vec<String> = domains
            .iter()
            .map(|d| param(format!("admin@{d}").into()))
            .collect();
        parts.push(format!(
            "SELECT 'admin' AS kind, email AS name, id FROM users WHERE email IN ({})",
            list.join(", ")
        ));
    }
    let mut by_key: HashMap<String, i32> = HashMap::new();
    let mut taken: HashSet<String> = HashSet::new();
    if !parts.is_empty() {
        let sql = parts.join(" UNION ALL ");
        for row in db
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?
        {
            let kind: String = row.try_get("", "kind")?;
            let name: String = row.try_get("", "name")?;
            // A used domain, or a taken admin account name (`admin@…`: never a domain).
            if kind == "key" {
                by_key.entry(name).or_insert(row.try_get("", "id")?);
            } else {
                taken.insert(name);
            }
        }
    }
    Ok(asks
        .iter()
        .map(|(key, domain)| Claims {
            by_key: key.and_then(|k| by_key.get(k).copied()),
            domain_taken: domain
                .is_some_and(|d| taken.contains(d) || taken.contains(&format!("admin@{d}"))),
        })
        .collect())
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
        subscriptions: None,
        temporary_password: None,
        replayed: true,
    })
}
