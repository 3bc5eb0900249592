//! `offboardReseller`: the way out of a partnership that is in use. In one transaction the
//! provider terminates the reseller's admin relationships on its customers, moves the
//! reseller's partner-of-record and support-contact designations on its subscriptions to
//! another partner reseller (or clears them: the support contact falls back to the provider
//! itself), revokes its tenant ownerships and ends the partnership. One audit entry per
//! change; the reseller's ADMINs get an email.
//!
//! Locks, in the one order: the customers concerned (for update), the partnership (for
//! update), then the relationship and subscription rows the updates touch. A delegation
//! created concurrently holds the partnership share-locked: it either committed before
//! (and is terminated here) or finds the partnership ENDED afterwards.

use super::lifecycle;
use crate::audit::{self, Change, Who};
use crate::auth::Actor;
use crate::customers::eligibility::{check_active_partner, not_partner, require_active_partner};
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::NodeType;
use crate::graphql::user_error::UserErrorCode;
use chrono::Utc;
use entity::admin_relationship::{self as rel};
use entity::enums::{AdminRelationshipStatus as Status, PartnershipStatus};
use entity::event_type::EventType;
use entity::{customer, partnership};
use migration::database::begin_write;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::HashMap;
use worker::msg;

#[derive(Debug)]
pub struct Offboarded {
    pub partnership: partnership::Model,
    pub relationships_terminated: u64,
    pub designations_moved: u64,
    pub designations_cleared: u64,
    pub tenant_ownerships_revoked: u64,
    /// Emails to the reseller's ADMINs, to dispatch after commit.
    pub email_ids: Vec<i32>,
}

/// The audit entry of a revoked tenant ownership (also written when a relationship's end
/// takes the ownership with it).
pub async fn record_revoked<C: ConnectionTrait>(
    db: &C,
    who: &Who,
    customer_id: i32,
    company_name: &str,
    reseller_id: i32,
) -> ApiResult<()> {
    audit::record(
        db,
        who,
        Change {
            action: EventType::CustomerAzureTenantOwnerRevoked,
            target: NodeType::Customer,
            target_id: customer_id,
            summary: msg!("audit-tenant-owner-revoked", customer = company_name),
            subject_partner_id: Some(reseller_id),
        },
    )
    .await
}

pub async fn offboard(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    partnership_id: i32,
    reassign_to: Option<i32>,
    relay_after_ms: u64,
) -> ApiResult<Offboarded> {
    let found = crate::partnerships::service::find_visible(db, actor, partnership_id).await?;
    if actor.partner_id() != Some(found.provider_id) {
        return Err(ApiError::Forbidden("PROVIDER_ONLY"));
    }
    if !actor.is_admin_of(found.provider_id) {
        return Err(ApiError::Forbidden("ADMIN_ONLY"));
    }
    let (provider_id, reseller_id) = (found.provider_id, found.reseller_id);
    let field: &[&str] = &["input", "reassignTo"];
    if let Some(to) = reassign_to {
        if to == reseller_id {
            return Err(not_partner(field));
        }
        check_active_partner(db, provider_id, to, field).await?;
    }
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let customers = customer::Entity::find()
        .filter(customer::Column::ProviderId.eq(provider_id))
        .filter(
            Condition::any()
                .add(customer::Column::AzureTenantOwnerId.eq(reseller_id))
                .add(
                    customer::Column::Id.in_subquery(
                        Query::select()
                            .column(rel::Column::CustomerId)
                            .from(rel::Entity)
                            .and_where(rel::Column::ResellerId.eq(reseller_id))
                            .and_where(
                                rel::Column::Status
                                    .is_in([Status::PendingApproval, Status::Active]),
                            )
                            .to_owned(),
                    ),
                ),
        )
        .order_by_asc(customer::Column::Id)
        .lock_exclusive()
        .all(&txn)
        .await?;
    let names: HashMap<i32, String> = customers
        .iter()
        .map(|c| (c.id, c.company_name.clone()))
        .collect();
    let locked = partnership::Entity::find_by_id(partnership_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if locked.status != PartnershipStatus::Active {
        return Err(ApiError::user(
            UserErrorCode::InvalidState,
            &["input", "partnershipId"],
            msg!("error-partnership-ended"),
        ));
    }
    if let Some(to) = reassign_to {
        require_active_partner(&txn, provider_id, to, field).await?;
    }

    // 1. The reseller's relationships on the provider's customers.
    let terminated = super::lifecycle::update_returning(
        &txn,
        rel::Entity::update_many()
            .col_expr(rel::Column::Status, Expr::value(Status::Terminated))
            .col_expr(rel::Column::TerminatedAt, Expr::value(Some(now)))
            .col_expr(rel::Column::TokenHash, Expr::value(Option::<String>::None))
            .filter(rel::Column::ProviderId.eq(provider_id))
            .filter(rel::Column::ResellerId.eq(reseller_id))
            .filter(rel::Column::Status.is_in([Status::PendingApproval, Status::Active])),
    )
    .await?;
    for ended in &terminated {
        if let Some(email) = ended.outbound_email_id {
            worker::delivery::cancel(&txn, email, "the reseller was offboarded").await?;
        }
        let customer = names.get(&ended.customer_id).map_or("", String::as_str);
        lifecycle::record(
            &txn,
            who,
            ended,
            EventType::AdminRelationshipTerminated,
            msg!("audit-admin-relationship-terminated", customer = customer),
        )
        .await?;
    }

    // 2. Designations on the provider's live subscriptions.
    let (moved, cleared) =
        super::offboarding_designations::reassign(&txn, who, provider_id, reseller_id, reassign_to)
            .await?;

    // 3. Tenant ownerships.
    let revoked = super::lifecycle::update_returning(
        &txn,
        customer::Entity::update_many()
            .col_expr(
                customer::Column::AzureTenantOwnerId,
                Expr::value(Option::<i32>::None),
            )
            .filter(customer::Column::ProviderId.eq(provider_id))
            .filter(customer::Column::AzureTenantOwnerId.eq(reseller_id)),
    )
    .await?;
    for c in &revoked {
        record_revoked(&txn, who, c.id, &c.company_name, reseller_id).await?;
    }
    let ids: Vec<i32> = customers.iter().map(|c| c.id).collect();
    lifecycle::refresh_reseller(&txn, &ids).await?;

    // 4. The partnership ends.
    let ended = super::lifecycle::update_returning(
        &txn,
        partnership::Entity::update_many()
            .col_expr(
                partnership::Column::Status,
                Expr::value(PartnershipStatus::Ended),
            )
            .col_expr(partnership::Column::EndedAt, Expr::value(Some(now)))
            .filter(partnership::Column::Id.eq(partnership_id)),
    )
    .await?
    .into_iter()
    .next()
    .ok_or(ApiError::NotFound)?;
    audit::record(
        &txn,
        who,
        Change {
            action: EventType::PartnershipEnded,
            target: NodeType::Partnership,
            target_id: ended.id,
            summary: msg!(
                "audit-partnership-offboarded",
                relationships = terminated.len() as i64,
                moved = moved as i64,
                cleared = cleared as i64,
                revoked = revoked.len() as i64
            ),
            subject_partner_id: Some(reseller_id),
        },
    )
    .await?;
    let email_ids = super::offboarding_designations::tell_reseller_admins(
        &txn,
        provider_id,
        reseller_id,
        terminated.len() as i64,
        relay_after_ms,
    )
    .await?;
    txn.commit().await?;
    Ok(Offboarded {
        partnership: ended,
        relationships_terminated: terminated.len() as u64,
        designations_moved: moved,
        designations_cleared: cleared,
        tenant_ownerships_revoked: revoked.len() as u64,
        email_ids,
    })
}
