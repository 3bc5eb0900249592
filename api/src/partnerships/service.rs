//! Partnerships between a provider and a reseller: created by accepting an invitation, listed
//! from either side, ended by either side's ADMIN unless still in use.

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, is_unique_violation};
use crate::graphql::search;
use crate::graphql::user_error::UserErrorCode;
use chrono::Utc;
use entity::enums::PartnershipStatus;
use entity::event_type::EventType;
use entity::{partner, partnership};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Select, Set, TransactionTrait,
};
use worker::msg;

pub async fn active_between<C: ConnectionTrait>(
    db: &C,
    provider_id: i32,
    reseller_id: i32,
) -> ApiResult<Option<partnership::Model>> {
    Ok(partnership::Entity::find()
        .filter(partnership::Column::ProviderId.eq(provider_id))
        .filter(partnership::Column::ResellerId.eq(reseller_id))
        .filter(partnership::Column::Status.eq(PartnershipStatus::Active))
        .one(db)
        .await?)
}

/// The ACTIVE partnership of the pair, created if there is none. The partial unique index
/// decides between concurrent creators; the loser reads the winner's row. The insert runs
/// in a savepoint: on PostgreSQL a failed statement aborts the enclosing transaction, and
/// rolling back to the savepoint keeps it usable for that read.
pub async fn create_or_get(
    txn: &DatabaseTransaction,
    provider_id: i32,
    reseller_id: i32,
    invitation_id: i32,
) -> ApiResult<partnership::Model> {
    if let Some(existing) = active_between(txn, provider_id, reseller_id).await? {
        return Ok(existing);
    }
    let savepoint = txn.begin().await?;
    let inserted = partnership::ActiveModel {
        provider_id: Set(provider_id),
        reseller_id: Set(reseller_id),
        status: Set(PartnershipStatus::Active),
        invitation_id: Set(Some(invitation_id)),
        created_at: Set(Utc::now()),
        ended_at: Set(None),
        ..Default::default()
    }
    .insert(&savepoint)
    .await;
    match inserted {
        Ok(p) => {
            savepoint.commit().await?;
            Ok(p)
        }
        Err(e) if is_unique_violation(&e) => {
            savepoint.rollback().await?;
            active_between(txn, provider_id, reseller_id)
                .await?
                .ok_or(ApiError::Internal(anyhow::anyhow!("partnership vanished")))
        }
        Err(e) => Err(e.into()),
    }
}

/// Which side of the partnership the list is for.
#[derive(Clone, Copy)]
pub enum Side {
    /// A provider's "Indirect resellers" page.
    Provider(i32),
    /// A reseller's list of its providers.
    Reseller(i32),
}

/// Partnerships of one side, newest first, filtered by status and by the other side's name.
pub fn list(
    side: Side,
    status: Option<PartnershipStatus>,
    search_text: Option<&search::SearchTerm>,
) -> Select<partnership::Entity> {
    let (mine, other) = match side {
        Side::Provider(id) => (
            partnership::Column::ProviderId.eq(id),
            partnership::Column::ResellerId,
        ),
        Side::Reseller(id) => (
            partnership::Column::ResellerId.eq(id),
            partnership::Column::ProviderId,
        ),
    };
    let mut select = partnership::Entity::find()
        .filter(mine)
        .order_by_desc(partnership::Column::Id);
    if let Some(status) = status {
        select = select.filter(partnership::Column::Status.eq(status));
    }
    if let Some(text) = search_text {
        select = select.filter(
            Expr::col(other).in_subquery(
                Query::select()
                    .column(partner::Column::Id)
                    .from(partner::Entity)
                    .and_where(search::contains(partner::Column::CompanyName, text))
                    .to_owned(),
            ),
        );
    }
    select
}

/// A partnership visible to the caller: either side's users, or a platform admin.
pub async fn find_visible<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    partnership_id: i32,
) -> ApiResult<partnership::Model> {
    let found = partnership::Entity::find_by_id(partnership_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mine = actor.partner_id();
    let visible = actor.is_platform_admin()
        || mine == Some(found.provider_id)
        || mine == Some(found.reseller_id);
    if visible {
        Ok(found)
    } else {
        Err(ApiError::NotFound)
    }
}

/// True when the two partners have (had) a partnership: they may see each other's profile.
pub async fn ever_partnered<C: ConnectionTrait>(db: &C, a: i32, b: i32) -> ApiResult<bool> {
    Ok(partnership::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(
                    partnership::Column::ProviderId
                        .eq(a)
                        .and(partnership::Column::ResellerId.eq(b)),
                )
                .add(
                    partnership::Column::ProviderId
                        .eq(b)
                        .and(partnership::Column::ResellerId.eq(a)),
                ),
        )
        .one(db)
        .await?
        .is_some())
}

/// Ends an ACTIVE partnership (ADMIN of either side). Refused while the reseller still
/// manages customers or subscriptions of the provider, so nothing is orphaned.
///
/// The partnership row is locked for update before anything is checked: a transaction that
/// designates the reseller holds it share-locked (`customers::eligibility`), so this waits
/// for it and then counts what it wrote; one that comes later finds the partnership ended.
/// Of two concurrent ends, the second finds it ended.
pub async fn end(
    db: &sea_orm::DatabaseConnection,
    who: &crate::audit::Who,
    actor: &Actor,
    partnership_id: i32,
) -> ApiResult<partnership::Model> {
    let txn = migration::database::begin_write(db).await?;
    let found = partnership::Entity::find_by_id(partnership_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mine = actor.partner_id();
    if !actor.is_platform_admin()
        && mine != Some(found.provider_id)
        && mine != Some(found.reseller_id)
    {
        return Err(ApiError::NotFound);
    }
    if !actor.is_admin_of(found.provider_id) && !actor.is_admin_of(found.reseller_id) {
        return Err(ApiError::Forbidden("ADMIN_ONLY"));
    }
    if found.status != PartnershipStatus::Active {
        return Err(ApiError::user(
            UserErrorCode::InvalidState,
            &["input", "partnershipId"],
            msg!("error-partnership-ended"),
        ));
    }
    let in_use =
        super::usage::reseller_serves_provider(&txn, found.provider_id, found.reseller_id).await?;
    if in_use.any() {
        return Err(ApiError::user(
            UserErrorCode::PartnershipInUse,
            &["input", "partnershipId"],
            msg!(
                "error-partnership-in-use",
                customers = in_use.customers,
                subscriptions = in_use.subscriptions
            ),
        ));
    }
    let other = if mine == Some(found.provider_id) {
        found.reseller_id
    } else {
        found.provider_id
    };
    let mut active = found.into_active_model();
    active.status = Set(PartnershipStatus::Ended);
    active.ended_at = Set(Some(Utc::now()));
    let ended = active.update(&txn).await?;
    crate::audit::record(
        &txn,
        who,
        crate::audit::Change {
            action: EventType::PartnershipEnded,
            target: crate::graphql::ids::NodeType::Partnership,
            target_id: ended.id,
            summary: msg!("audit-partnership-ended"),
            subject_partner_id: Some(other),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(ended)
}
