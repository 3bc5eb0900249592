//! Who may order and who may be designated, checked where it cannot go stale: inside the
//! write transaction that depends on it, with the rows it depends on locked.
//!
//! A designated reseller (delegated administrator, partner of record, support contact,
//! Azure tenant owner) must be an ACTIVE partner of the provider. The check takes a share
//! lock on the partnership and on the reseller, so ending that partnership (which locks it
//! for update and then counts what the reseller still serves) or suspending the reseller
//! waits for the designating transaction to end, and then sees what it wrote. The other way
//! round, a designation that comes second finds the partnership ENDED. On SQLite the
//! write transaction itself (`BEGIN IMMEDIATE`) serializes them.

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::graphql::user_error::UserErrorCode;
use entity::enums::{EnrollmentStatus, PartnerKind, PartnershipStatus, UserRole};
use entity::{partner, partnership};
use sea_orm::sea_query::JoinType;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
};
use std::collections::HashSet;
use worker::msg;

/// The provider organization of a caller allowed to create customers and place orders.
pub fn ordering_provider(actor: &Actor) -> ApiResult<&partner::Model> {
    let partner = actor
        .partner
        .as_ref()
        .ok_or(ApiError::Forbidden("PROVIDER_ONLY"))?;
    if partner.kind != PartnerKind::IndirectProvider {
        return Err(ApiError::Forbidden("PROVIDER_ONLY"));
    }
    if !matches!(actor.user.role, UserRole::Admin | UserRole::SalesAgent) {
        return Err(ApiError::Forbidden("SALES_ONLY"));
    }
    if partner.enrollment_status != EnrollmentStatus::Active {
        return Err(ApiError::user(
            UserErrorCode::ProviderNotActive,
            &[],
            msg!("error-provider-not-active"),
        ));
    }
    Ok(partner)
}

/// In the caller's write transaction: `reseller_id` must be an ACTIVE reseller with an
/// ACTIVE partnership with `provider_id`. Both rows stay share-locked until the
/// transaction ends.
pub async fn require_active_partner(
    txn: &DatabaseTransaction,
    provider_id: i32,
    reseller_id: i32,
    field: &[&str],
) -> ApiResult<()> {
    require_active_partners(txn, provider_id, &[(reseller_id, field)]).await
}

/// [`require_active_partner`] for several named resellers at once, in one statement: the
/// first one (in the order given) that is not an active partner is refused, at its field.
pub async fn require_active_partners(
    txn: &DatabaseTransaction,
    provider_id: i32,
    named: &[(i32, &[&str])],
) -> ApiResult<()> {
    if named.is_empty() {
        return Ok(());
    }
    let active = active_partners(txn, provider_id, named.iter().map(|(id, _)| *id), true).await?;
    match named.iter().find(|(id, _)| !active.contains(id)) {
        None => Ok(()),
        Some((_, field)) => Err(not_partner(field)),
    }
}

/// The one answer for a reseller id that is not an ACTIVE partner of the caller: whether no
/// organization has that id, another provider's partner has it, or a former partner does.
/// Anything that told these apart would let a provider list every partner id.
pub fn not_partner(field: &[&str]) -> ApiError {
    ApiError::user(
        UserErrorCode::ResellerNotPartner,
        field,
        msg!("error-reseller-not-partner"),
    )
}

/// [`require_active_partner`] before any other work, without a transaction or locks: for a
/// request whose other steps (throttles, lookups) would otherwise answer a partner and a
/// stranger differently. What depends on it still checks again, locked, when it writes.
pub async fn check_active_partner(
    db: &impl ConnectionTrait,
    provider_id: i32,
    reseller_id: i32,
    field: &[&str],
) -> ApiResult<()> {
    let active = active_partners(db, provider_id, std::iter::once(reseller_id), false).await?;
    if active.contains(&reseller_id) {
        Ok(())
    } else {
        Err(not_partner(field))
    }
}

/// [`require_active_partners`] without a transaction or locks, for checks that write
/// nothing (a dry run of an import): the same rule, the same answer.
pub async fn check_active_partners(
    db: &impl ConnectionTrait,
    provider_id: i32,
    named: &[(i32, &[&str])],
) -> ApiResult<()> {
    if named.is_empty() {
        return Ok(());
    }
    let active = active_partners(db, provider_id, named.iter().map(|(id, _)| *id), false).await?;
    match named.iter().find(|(id, _)| !active.contains(id)) {
        None => Ok(()),
        Some((_, field)) => Err(not_partner(field)),
    }
}

/// Which of `resellers` are ACTIVE and have an ACTIVE partnership with `provider_id`: the
/// partnership joined with the reseller, both rows share-locked (PostgreSQL locks the rows
/// of every table of a `FOR SHARE` join) when `lock` is set.
async fn active_partners(
    db: &impl ConnectionTrait,
    provider_id: i32,
    resellers: impl Iterator<Item = i32>,
    lock: bool,
) -> ApiResult<HashSet<i32>> {
    let joined = partnership::Entity::belongs_to(partner::Entity)
        .from(partnership::Column::ResellerId)
        .to(partner::Column::Id)
        .into();
    let mut query = partnership::Entity::find()
        .select_only()
        .column(partnership::Column::ResellerId)
        .join(JoinType::InnerJoin, joined)
        .filter(partnership::Column::ProviderId.eq(provider_id))
        .filter(partnership::Column::ResellerId.is_in(resellers))
        .filter(partnership::Column::Status.eq(PartnershipStatus::Active))
        .filter(partner::Column::EnrollmentStatus.eq(EnrollmentStatus::Active));
    if lock {
        query = query.lock_shared();
    }
    let rows = query.into_tuple::<i32>().all(db).await?;
    Ok(rows.into_iter().collect())
}

/// In the caller's write transaction: the provider behind an invitation or request must
/// still be ACTIVE when it is answered (a suspended provider's links stop working).
pub async fn require_active_provider(
    txn: &DatabaseTransaction,
    provider_id: i32,
    field: &[&str],
) -> ApiResult<()> {
    let active = partner::Entity::find_by_id(provider_id)
        .lock_shared()
        .one(txn)
        .await?
        .is_some_and(|p| p.enrollment_status == EnrollmentStatus::Active);
    if active {
        Ok(())
    } else {
        Err(ApiError::user(
            UserErrorCode::ProviderNotActive,
            field,
            msg!("error-sender-not-active"),
        ))
    }
}
